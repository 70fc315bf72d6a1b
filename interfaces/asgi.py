"""The ASGI entry point: `uvicorn --factory interfaces.asgi:create`."""

from fastapi import FastAPI

from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from interfaces.http.app import create_app


def create() -> FastAPI:
    """Builds the combined command and query app from the environment's settings."""
    return create_app(bootstrap(Settings()), close_on_shutdown=True)
