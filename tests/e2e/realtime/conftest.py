"""A real server for realtime tests: uvicorn serving the app with Socket.IO on a free port."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn

from domain.values import Role
from infrastructure.bootstrap import System
from interfaces.http.app import create_asgi
from tests.support import running_worker, wait_until

SESSIONS = "/v1/commands/workout-sessions"


class Uvicorn:
    """uvicorn in a thread, on a socket bound to a free loopback port."""

    def __init__(self, app: Any) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]},
                                       name="uvicorn", daemon=True)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"

    def __enter__(self) -> Uvicorn:
        self.thread.start()
        wait_until(lambda: self.server.started or not self.thread.is_alive(), 10, "uvicorn start")
        assert self.server.started, "uvicorn did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


@dataclass
class Live:
    """The running server, its system, and an HTTP client for commands and queries."""

    system: System
    url: str
    http: httpx.Client

    def token(self, uid: str, role: str = "client") -> str:
        assert self.system.dev_tokens is not None
        return self.system.dev_tokens.issue(uid, Role(role))

    def headers(self, uid: str, role: str = "client") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(uid, role)}"}

    def command(self, path: str, uid: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = self.http.post(path, json=body or {}, headers=self.headers(uid))
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    def start_session(self, uid: str) -> dict[str, Any]:
        return self.command(SESSIONS, uid)

    def read_session(self, session_id: str, uid: str, position: int) -> dict[str, Any]:
        answer = self.http.get(f"/v1/queries/workout-sessions/{session_id}",
                               params={"min_position": position}, headers=self.headers(uid))
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture
def live(system: System) -> Iterator[Live]:
    """The combined app with Socket.IO, served for real; in the server profile a worker runs too."""
    worker = running_worker(system) if system.settings.profile == "server" else None
    try:
        with Uvicorn(create_asgi(system)) as server, httpx.Client(base_url=server.url,
                                                                  timeout=10) as http:
            yield Live(system, server.url, http)
    finally:
        if worker is not None:
            worker.stop()
