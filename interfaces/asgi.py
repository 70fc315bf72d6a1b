"""ASGI entry points: `uvicorn --factory interfaces.asgi:create` (also `create_commands`,
`create_queries` to scale the two sides apart)."""

from fastapi import FastAPI

from infrastructure.bootstrap import System, bootstrap
from infrastructure.logs import configure_logging
from infrastructure.settings import Settings
from interfaces.http.app import create_app, create_command_app, create_query_app


def _system() -> System:
    settings = Settings()
    configure_logging(settings)
    return bootstrap(settings)


def create() -> FastAPI:
    """The combined command and query app, from the environment's settings."""
    return create_app(_system(), close_on_shutdown=True)


def create_commands() -> FastAPI:
    return create_command_app(_system(), close_on_shutdown=True)


def create_queries() -> FastAPI:
    return create_query_app(_system(), close_on_shutdown=True)
