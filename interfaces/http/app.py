"""Builds the ASGI apps for a system: commands, queries, or both, with one problem mapping."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import socketio
from fastapi import APIRouter, Depends, FastAPI

from infrastructure.bootstrap import System
from infrastructure.razorpay.embedded import MOUNT
from interfaces import realtime
from interfaces.http import admin, audit, dev_tokens, operations, problems, reconciliations, webhooks
from interfaces.http.admin_page import AdminPage
from interfaces.http.chat_socket import ChatSockets
from interfaces.http.commands import conversations as conversation_commands
from interfaces.http.commands import notifications as notification_commands
from interfaces.http.commands import payments as payment_commands
from interfaces.http.commands import plans as plan_commands
from interfaces.http.commands import relationships as relationship_commands
from interfaces.http.commands import subscriptions as subscription_commands
from interfaces.http.commands import users as user_commands
from interfaces.http.commands import workout_sessions as session_commands
from interfaces.http.deps import admitted
from interfaces.http.edge import Edge
from interfaces.http.openapi import described
from interfaces.http.queries import conversations as conversation_queries
from interfaces.http.queries import dashboard, tiers
from interfaces.http.queries import notifications as notification_queries
from interfaces.http.queries import payments as payment_queries
from interfaces.http.queries import plans as plan_queries
from interfaces.http.queries import progress as progress_queries
from interfaces.http.queries import relationships as relationship_queries
from interfaces.http.queries import subscriptions as subscription_queries
from interfaces.http.queries import users as user_queries
from interfaces.http.queries import workout_sessions as session_queries
from interfaces.http.storable_text import StorableText
from interfaces.http.tracing import Tracing

COMMAND_ROUTERS: list[APIRouter] = [
    dev_tokens.router, session_commands.router, plan_commands.router, subscription_commands.router,
    payment_commands.router, webhooks.router, reconciliations.commands, relationship_commands.router,
    user_commands.router, notification_commands.router, conversation_commands.router,
]
QUERY_ROUTERS: list[APIRouter] = [
    session_queries.router, admin.router, tiers.router, payment_queries.router, dashboard.router,
    plan_queries.router, subscription_queries.router, audit.router, reconciliations.queries,
    relationship_queries.router, user_queries.router, notification_queries.router,
    progress_queries.router, conversation_queries.router,
]


def create_app(system: System, *, close_on_shutdown: bool = False) -> FastAPI:
    """The combined app: commands and queries in one process."""
    return _build(system, [*COMMAND_ROUTERS, *QUERY_ROUTERS], "GymGenius Core", close_on_shutdown,
                  live=True)


def create_command_app(system: System, *, close_on_shutdown: bool = False) -> FastAPI:
    """Commands only, scaled on their own against the primary database."""
    return _build(system, COMMAND_ROUTERS, "GymGenius Core: commands", close_on_shutdown)


def create_query_app(system: System, *, close_on_shutdown: bool = False) -> FastAPI:
    """Queries only, pointed at a read replica through QUERY_DATABASE_URL."""
    return _build(system, QUERY_ROUTERS, "GymGenius Core: queries", close_on_shutdown, live=True)


def create_asgi(system: System, *, close_on_shutdown: bool = False) -> socketio.ASGIApp:
    """The combined app with Socket.IO served beside it at /socket.io."""
    return with_socketio(system, create_app(system, close_on_shutdown=close_on_shutdown))


def create_query_asgi(system: System, *, close_on_shutdown: bool = False) -> socketio.ASGIApp:
    """The query app with Socket.IO served beside it at /socket.io."""
    return with_socketio(system, create_query_app(system, close_on_shutdown=close_on_shutdown))


def with_socketio(system: System, app: FastAPI) -> socketio.ASGIApp:
    realtime.register(system, ChatSockets(system, system.realtime.server))
    return socketio.ASGIApp(system.realtime.server, other_asgi_app=app, socketio_path="socket.io")


def _build(system: System, routers: Sequence[APIRouter], title: str, close: bool,
           *, live: bool = False) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if live:
            await system.realtime.start()
        system.start_embedded_worker()
        yield
        if live:
            await system.realtime.stop()
        if close:
            await system.reads.close()
            system.close()

    production = system.settings.env == "production"
    app = FastAPI(title=title, version="0.1.0", lifespan=lifespan,
                  description="Commands and queries of the GymGenius fitness platform.",
                  dependencies=[Depends(admitted)],  # every route by its rule in access_rules
                  docs_url=None if production else "/docs", redoc_url=None if production else "/redoc")
    app.state.system = system
    app.openapi = described(app)  # type: ignore[method-assign]
    problems.install(app)
    app.add_middleware(StorableText)
    app.add_middleware(Edge, settings=system.settings)  # CORS, security headers, HEAD, body limit
    app.add_middleware(Tracing)
    if production:  # no development tokens, no interactive docs
        routers = [r for r in routers if r is not dev_tokens.router]
    for router in (operations.router, *routers):
        app.include_router(router)
    if live:  # the admin page, beside the queries it reads (not in /openapi.json: a mount)
        app.mount(AdminPage.path, AdminPage(), name="admin-page")
    if system.sandbox is not None:  # the embedded profile's Razorpay, when no other is configured
        app.mount(MOUNT, system.sandbox.app)
    return app
