"""The trace middleware: a plain ASGI wrapper (no extra task or body buffering per request)."""

from __future__ import annotations

import time
import uuid

import structlog
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infrastructure.metrics import REQUESTS


class Tracing:
    """Gives every request a trace id (kept in logs and event metadata) and times it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        trace_id = (Headers(scope=scope).get("x-trace-id") or uuid.uuid4().hex)[:64]
        scope.setdefault("state", {})["trace_id"] = trace_id
        status = 500
        started = time.perf_counter()

        async def send_traced(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Trace-Id"] = trace_id
            await send(message)

        try:
            with structlog.contextvars.bound_contextvars(trace_id=trace_id):
                await self.app(scope, receive, send_traced)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            REQUESTS.labels(scope["method"], route, str(status)).observe(time.perf_counter() - started)
