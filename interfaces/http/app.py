"""Builds the ASGI app for a system: command routes, problem mapping, tracing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware.base import RequestResponseEndpoint

from infrastructure.bootstrap import System
from interfaces.http import dev_tokens, operations, problems
from interfaces.http.commands import workout_sessions as session_commands

COMMAND_ROUTERS = [session_commands.router]


def create_app(system: System, *, close_on_shutdown: bool = False) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if close_on_shutdown:
            system.close()

    app = FastAPI(
        title="GymGenius Core",
        version="0.1.0",
        description="Commands and queries of the GymGenius fitness platform.",
        lifespan=lifespan,
    )
    app.state.system = system
    problems.install(app)
    app.add_middleware(
        CORSMiddleware, allow_origins=system.settings.cors_origins, allow_credentials=True,
        allow_methods=["GET", "POST"], allow_headers=["*"],
        expose_headers=["ETag", "Location", "X-Projection-Position", "X-Trace-Id"],
    )
    app.middleware("http")(_trace)
    for router in (operations.router, dev_tokens.router, *COMMAND_ROUTERS):
        app.include_router(router)
    return app


async def _trace(request: Request, call_next: RequestResponseEndpoint) -> Response:
    trace_id = request.headers.get("x-trace-id") or uuid.uuid4().hex
    request.state.trace_id = trace_id[:64]
    with structlog.contextvars.bound_contextvars(trace_id=request.state.trace_id):
        response = await call_next(request)
    response.headers["X-Trace-Id"] = request.state.trace_id
    return response
