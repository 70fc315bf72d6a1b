"""ASGI entry points: `uvicorn --factory interfaces.asgi:create` (also `create_commands`,
`create_queries` to scale the two sides apart)."""

from collections.abc import Callable
from typing import TypeVar

import socketio
from fastapi import FastAPI

from infrastructure.bootstrap import bootstrap
from infrastructure.collector import tune_collector
from infrastructure.logs import configure_logging
from infrastructure.settings import Settings
from interfaces.http.app import create_asgi, create_command_app, create_query_asgi

App = TypeVar("App")


def _serving(build: Callable[..., App]) -> App:
    """The app `build` makes of the environment's system, in a process whose collector is then
    tuned for serving (infrastructure/collector.py)."""
    settings = Settings()
    configure_logging(settings)
    app = build(bootstrap(settings), close_on_shutdown=True)
    tune_collector(settings)
    return app


def create() -> socketio.ASGIApp:
    """The combined command and query app with Socket.IO, from the environment's settings."""
    return _serving(create_asgi)


def create_commands() -> FastAPI:
    return _serving(create_command_app)


def create_queries() -> socketio.ASGIApp:
    return _serving(create_query_asgi)
