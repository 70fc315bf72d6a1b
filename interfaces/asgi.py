"""ASGI entry points: `uvicorn --factory interfaces.asgi:create` (also `create_commands`,
`create_queries` to scale the two sides apart)."""

import socketio
from fastapi import FastAPI

from infrastructure.bootstrap import System, bootstrap
from infrastructure.collector import tune_collector
from infrastructure.logs import configure_logging
from infrastructure.settings import Settings
from interfaces.http.app import create_asgi, create_command_app, create_query_asgi


def _system() -> System:
    settings = Settings()
    configure_logging(settings)
    return bootstrap(settings)


def create() -> socketio.ASGIApp:
    """The combined command and query app with Socket.IO, from the environment's settings."""
    system = _system()
    app = create_asgi(system, close_on_shutdown=True)
    tune_collector(system.settings)
    return app


def create_commands() -> FastAPI:
    system = _system()
    app = create_command_app(system, close_on_shutdown=True)
    tune_collector(system.settings)
    return app


def create_queries() -> socketio.ASGIApp:
    system = _system()
    app = create_query_asgi(system, close_on_shutdown=True)
    tune_collector(system.settings)
    return app
