"""Fault injection on the sandbox's REST API: the next calls answer 500 or 429, or hang first."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ERRORS = {
    429: ("BAD_REQUEST_ERROR", "Too many requests"),
    500: ("SERVER_ERROR", "The server encountered an error. The incident has been reported to admins."),
    502: ("GATEWAY_ERROR", "Bad gateway"),
    503: ("SERVER_ERROR", "Service unavailable"),
}


@dataclass
class Fault:
    count: int
    status: int | None = None  # answer this status instead of the real answer
    hang_s: float = 0.0  # or wait this long, then answer for real (as a slow gateway does)
    lose_answer: bool = False  # do the work, then answer `status` (the answer was lost on the way)


class Faults:
    """Faults waiting for the next REST calls, in order; and every REST call seen, in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: list[Fault] = []
        self.calls: list[tuple[str, str]] = []

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        with self._lock:
            self._waiting.append(Fault(count, status=status))

    def lose_answer_next(self, count: int = 1, status: int = 502) -> None:
        """The next calls take effect but their answers are lost (a retry must not do them twice)."""
        with self._lock:
            self._waiting.append(Fault(count, status=status, lose_answer=True))

    def throttle_next(self, count: int = 1) -> None:
        self.fail_next(count, status=429)

    def hang_next(self, count: int = 1, seconds: float = 5.0) -> None:
        with self._lock:
            self._waiting.append(Fault(count, hang_s=seconds))

    def clear(self) -> None:
        with self._lock:
            self._waiting.clear()

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            self.calls.append((method, path))
            if not self._waiting:
                return None
            fault = self._waiting[0]
            fault.count -= 1
            if fault.count <= 0:
                self._waiting.pop(0)
            return fault


class FaultMiddleware:
    """Applies the waiting faults to `/v1` calls only; the simulator's routes are never faulted."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app, self.faults = app, faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")[len(scope.get("root_path", "")):] if scope["type"] == "http" else ""
        if not path.startswith("/v1/"):
            return await self.app(scope, receive, send)
        fault = self.faults.take(scope["method"], path)
        if fault is None or fault.status is None:
            await asyncio.sleep(fault.hang_s if fault else 0)
            return await self.app(scope, receive, send)
        if fault.lose_answer:
            await self.app(scope, receive, _discard)
        code, description = ERRORS.get(fault.status, ("SERVER_ERROR", "Injected fault"))
        body = {"error": {"code": code, "description": description, "source": "NA", "step": "NA",
                          "reason": "NA", "metadata": {}}}
        await JSONResponse(body, fault.status)(scope, receive, send)


async def _discard(message: Message) -> None:
    return None
