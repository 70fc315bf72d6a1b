"""The edge: one plain ASGI wrapper (no body buffering, no extra task) for what every answer
shares. CORS for the allowed origins only (a foreign origin gets no CORS header at all), the
security headers, the `RateLimit-*` headers of the limit a call was counted against, `HEAD`
wherever `GET` is answered, and the request body limit: a declared length over it is refused
before a byte is read, and a streamed body is counted as it arrives.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infrastructure.settings import Settings
from interfaces.http.problems import problem

WEBHOOKS = "/v1/webhooks/"
METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE"
ALLOWED_HEADERS = "Authorization, Content-Type, If-Match, Idempotency-Key, X-Trace-Id, traceparent"
EXPOSED = "ETag, Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, " \
          "X-Projection-Position, X-Trace-Id, traceparent"
SECURITY = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}
HSTS = "max-age=31536000; includeSubDomains"


class BodyTooLarge(Exception):
    pass


class Edge:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.origins = frozenset(settings.cors_origins)
        self.security = {**SECURITY, **({"Strict-Transport-Security": HSTS}
                                        if settings.env == "production" else {})}
        self.max_body, self.max_webhook_body = settings.max_body_bytes, settings.max_webhook_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        allowed = origin is not None and origin in self.origins
        if allowed and scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(origin or "", headers, send)
            return
        limit = self.max_webhook_body if scope["path"].startswith(WEBHOOKS) else self.max_body
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        started = False

        async def send_edged(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                out = MutableHeaders(scope=message)
                for name, value in self.security.items():
                    out.setdefault(name, value)
                verdict = scope.get("state", {}).get("rate_limit")
                if verdict is not None and message["status"] != 429:
                    for name, value in verdict.headers().items():
                        out.setdefault(name, value)
                if allowed:
                    out["Access-Control-Allow-Origin"] = origin or ""
                    out["Access-Control-Allow-Credentials"] = "true"
                    out["Access-Control-Expose-Headers"] = EXPOSED
                if origin is not None:
                    out.add_vary_header("Origin")
            elif head and message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        if _declared_length(headers) > limit:  # refused before a byte of it is read
            await self._too_large(scope, receive, send_edged, limit)
            return
        try:
            await self.app(scope, _counted(receive, limit), send_edged)
        except BodyTooLarge:
            if started:
                raise
            await self._too_large(scope, receive, send_edged, limit)

    async def _preflight(self, origin: str, headers: Headers, send: Send) -> None:
        answer = {
            "Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true",
            "Access-Control-Allow-Methods": METHODS,
            "Access-Control-Allow-Headers": headers.get("access-control-request-headers") or ALLOWED_HEADERS,
            "Access-Control-Max-Age": "600", "Vary": "Origin", **self.security,
        }
        await send({"type": "http.response.start", "status": 204,
                    "headers": [(k.lower().encode(), v.encode("latin-1")) for k, v in answer.items()]})
        await send({"type": "http.response.body", "body": b""})

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        refusal = problem(Request(scope), 413, "body-too-large", "Request body too large",
                          f"a request body may hold at most {limit} bytes here",
                          headers={"Connection": "close"})
        await refusal(scope, receive, send)


def _declared_length(headers: Headers) -> int:
    try:
        return int(headers.get("content-length") or 0)
    except ValueError:
        return 0


def _counted(receive: Receive, limit: int) -> Receive:
    """The body as the client streams it, refused (BodyTooLarge) once it passes the limit."""
    seen = 0

    async def counting() -> Any:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
        return message

    return counting
