"""The trace middleware: a plain ASGI wrapper (no extra task or body buffering per request)."""

from __future__ import annotations

import re
import time
import uuid

import structlog
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infrastructure.metrics import REQUESTS

SAFE = re.compile(r"[A-Za-z0-9._-]{8,64}")  # a client's trace id is kept only in this shape


class Tracing:
    """Gives every request a trace id (kept in logs and event metadata) and times it. A client's
    own `X-Trace-Id` is kept when it has a safe shape (8 to 64 of letters, digits, `.`, `_`, `-`);
    any other is replaced by a new one, so nothing a client sends is echoed into logs or headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = Headers(scope=scope).get("x-trace-id")
        trace_id = offered if offered is not None and SAFE.fullmatch(offered) else uuid.uuid4().hex
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
