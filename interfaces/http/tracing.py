"""The trace middleware: a plain ASGI wrapper (no extra task or body buffering per request)."""

from __future__ import annotations

import re
import time

import structlog
from opentelemetry.trace import SpanKind, use_span
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infrastructure import telemetry
from infrastructure.metrics import REQUESTS

SAFE = re.compile(r"[A-Za-z0-9._-]{8,64}")  # a client's trace id is kept only in this shape


class Tracing:
    """Gives every request a trace id (kept in logs and event metadata) and times it. A client's
    own `X-Trace-Id` is kept when it has a safe shape (8 to 64 of letters, digits, `.`, `_`, `-`);
    any other is replaced by a new one, so nothing a client sends is echoed into logs or headers.

    Each request is an OpenTelemetry server span. A valid W3C `traceparent` (version 00, non-zero
    ids) makes it the span's remote parent, and its trace id the request's trace id (it wins over
    `X-Trace-Id`); an invalid one is ignored. Without a safe `X-Trace-Id` the trace id is the
    span's. Every answer carries `traceparent` naming the request's own span."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        telemetry.install()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        parent, valid = telemetry.request_parent(headers.get("traceparent"))
        span = telemetry.tracer().start_span(f"{scope['method']} request", context=parent,
                                             kind=SpanKind.SERVER)
        offered = headers.get("x-trace-id")
        keep = not valid and offered is not None and SAFE.fullmatch(offered)
        trace_id = offered if keep and offered is not None else telemetry.hex_trace_id(span)
        traceparent = telemetry.traceparent_of(span)
        scope.setdefault("state", {})["trace_id"] = trace_id
        status = 500
        started = time.perf_counter()

        async def send_traced(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                answer = MutableHeaders(scope=message)
                answer["X-Trace-Id"] = trace_id
                answer["traceparent"] = traceparent
            await send(message)

        try:
            with (use_span(span, end_on_exit=False),
                  structlog.contextvars.bound_contextvars(trace_id=trace_id)):
                await self.app(scope, receive, send_traced)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            span.update_name(f"{scope['method']} {route}")
            span.set_attribute("http.response.status_code", status)
            span.end()
            REQUESTS.labels(scope["method"], route, str(status)).observe(time.perf_counter() - started)
