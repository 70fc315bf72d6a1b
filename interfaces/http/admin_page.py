"""The admin page: static files (interfaces/admin_page) served at /admin by the apps that serve
queries, with a strict Content-Security-Policy. It is public content that holds no data: it signs
in with a pasted token and reads the API like any other client. A Starlette mount, so it is no
route of the API, has no access rule, and is not in /openapi.json."""

from __future__ import annotations

from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

FILES = Path(__file__).resolve().parents[1] / "admin_page"
POLICY = "; ".join((
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'",
    "connect-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
))


class AdminPage:
    """index.html, app.js, style.css and the vendored Socket.IO client, each with the policy."""

    path = "/admin"

    def __init__(self) -> None:
        self.files = StaticFiles(directory=FILES, html=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = POLICY  # the edge keeps it (it only sets defaults)
                headers["Cache-Control"] = "no-cache"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
            await send(message)

        await self.files(scope, receive, with_policy)
