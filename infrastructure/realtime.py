"""Realtime pushes to Socket.IO rooms, sent only after a projection commits.

A push that cannot be sent is logged and counted, never raised into the projector: the rows are
committed, and a client that missed a push reads them again with a query.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from typing import Any

import redis
import socketio
import structlog

from infrastructure.metrics import REALTIME_PUSHES
from infrastructure.settings import Settings
from projections.model import Change

CHANNEL = "gymgenius-socketio"
END_ACCESS = "gymgenius:end_access"  # our own pub/sub method: a staff member lost a client
CONNECT_TIMEOUT = {"socket_connect_timeout": 1.0}
log = structlog.get_logger("gymgenius.realtime")


def payload(change: Change, trace_id: str = "") -> dict[str, Any]:
    """A push: the row, its position, and the trace id of the command that wrote it ("" if unknown)."""
    return {"id": change.id, "position": change.position, "data": change.data, "trace_id": trace_id,
            **dict(change.fields)}


def _no_trace(position: int) -> str:
    return ""


class Traced:
    """Knows the trace id of the event at a position (bootstrap points it at the event source)."""

    traces: Callable[[int], str] = staticmethod(_no_trace)

    def traced(self, change: Change) -> dict[str, Any]:
        trace_id = self.traces(change.position)
        log.debug("realtime_push", push_event=change.event, id=change.id, position=change.position,
                  push_trace_id=trace_id)
        return payload(change, trace_id)


AccessEnded = Callable[[str, str], Awaitable[None]]


class AccessHook:
    """What this process does when a staff member's access to a client ends (the Socket.IO
    handlers install it: their sockets leave the client's live rooms). Never raises."""

    def __init__(self) -> None:
        self.handler: AccessEnded | None = None

    async def __call__(self, staff_id: str, client_id: str) -> None:
        if self.handler is None:
            return
        try:
            await self.handler(staff_id, client_id)
        except Exception as error:  # noqa: BLE001 - a failed leave must not stop the listener
            log.warning("realtime_leave_failed", staff_id=staff_id, error=repr(error))


def ended_access(message: Any) -> tuple[str, str] | None:
    """(staff, client) if a pub/sub message says that access ended, else None."""
    try:
        data = json.loads(message) if isinstance(message, (str, bytes)) else message
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("method") != END_ACCESS:
        return None
    staff, client = data.get("staff_id"), data.get("client_id")
    return (staff, client) if isinstance(staff, str) and isinstance(client, str) else None


class _ListeningRedisManager(socketio.AsyncRedisManager):
    """The server's Redis manager, which also hears that access ended, from any worker."""

    def __init__(self, *args: Any, hook: AccessHook, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hook = hook

    async def _listen(self) -> AsyncIterator[Any]:
        async for message in super()._listen():
            ended = ended_access(message)
            if ended is None:
                yield message
            else:
                await self.hook(*ended)


class PushFailed(Exception):
    """The message broker did not take a push."""


class _RedisEmitter(socketio.RedisManager):
    """The write-only Redis manager, made to say when it gave up on a publish (it only logs)."""

    def _publish(self, data: Any) -> Any:
        sent = super()._publish(data)
        if sent is None:
            raise PushFailed("Redis did not take the message")
        return sent


class RedisPusher(Traced):
    """Server profile: projection workers emit through Redis to every Socket.IO process."""

    def __init__(self, redis_url: str) -> None:
        self.manager = _RedisEmitter(redis_url, channel=CHANNEL, write_only=True,
                                     redis_options={**CONNECT_TIMEOUT, "socket_timeout": 1.0})

    def attach(self, loop: asyncio.AbstractEventLoop | None) -> None:
        """Nothing to attach: emits go through Redis, from any thread."""

    def push(self, changes: Sequence[Change]) -> None:
        for change in changes:
            try:
                self.manager.emit(change.event, self.traced(change), namespace="/",
                                  room=list(change.rooms))
                if change.ends_access is not None:
                    staff, client = change.ends_access
                    self.manager._publish({"method": END_ACCESS, "staff_id": staff, "client_id": client})
                REALTIME_PUSHES.labels("sent").inc()
            except (PushFailed, redis.RedisError, OSError) as error:
                _failed(change, error)


class LoopPusher(Traced):
    """Embedded profile: emits on the in-memory server's event loop, from worker threads."""

    def __init__(self, server: socketio.AsyncServer, hook: AccessHook) -> None:
        self.server, self.hook = server, hook
        self.loop: asyncio.AbstractEventLoop | None = None

    def attach(self, loop: asyncio.AbstractEventLoop | None) -> None:
        self.loop = loop

    def push(self, changes: Sequence[Change]) -> None:
        loop = self.loop
        if loop is None or not loop.is_running():
            return  # no server is serving, so no socket can be connected
        for change in changes:
            emit = self._emit(change)
            try:
                done = asyncio.run_coroutine_threadsafe(emit, loop)
            except RuntimeError as error:  # the loop closed in between
                emit.close()
                _failed(change, error)
                continue
            done.add_done_callback(partial(_settled, change))


    async def _emit(self, change: Change) -> None:
        await self.server.emit(change.event, self.traced(change), to=list(change.rooms))
        if change.ends_access is not None:
            await self.hook(*change.ends_access)


def _settled(change: Change, future: Future[Any]) -> None:
    error = None if future.cancelled() else future.exception()
    if future.cancelled() or error is not None:
        _failed(change, error)
    else:
        REALTIME_PUSHES.labels("sent").inc()


def _failed(change: Change, error: BaseException | None) -> None:
    REALTIME_PUSHES.labels("failed").inc()
    log.warning("realtime_push_failed", push_event=change.event, id=change.id,
                position=change.position, error=repr(error))


@dataclass
class Realtime:
    """This process's Socket.IO server and the pusher that projections emit through."""

    server: socketio.AsyncServer
    pusher: RedisPusher | LoopPusher
    access_ended: AccessHook

    async def start(self) -> None:
        """At app start: bind pushes to this loop and subscribe to Redis before clients arrive."""
        self.pusher.attach(asyncio.get_running_loop())
        if not self.server.manager_initialized:
            self.server.manager_initialized = True
            self.server.manager.initialize()

    async def stop(self) -> None:
        self.pusher.attach(None)
        listener = getattr(self.server.manager, "thread", None)
        if isinstance(listener, asyncio.Task):
            listener.cancel()
        self.server.manager_initialized = False
        await self.server.shutdown()


def accepted_origins(origins: Sequence[str]) -> Callable[[str, dict[str, Any]], bool] | list[str]:
    """Socket.IO's origin check: the configured CORS origins, and the server's own origin (the
    admin page served at /admin connects from it). The scheme is the ASGI scope's, which uvicorn's
    proxy_headers set from a trusted proxy's X-Forwarded-Proto. No origins: no check at all."""
    if not origins:
        return []
    listed = frozenset(origins)

    def accepted(origin: str, environ: dict[str, Any]) -> bool:
        if origin in listed:
            return True
        scheme = "https" if environ.get("asgi.scope", {}).get("scheme") in ("https", "wss") else "http"
        return bool(environ.get("HTTP_HOST")) and origin == f"{scheme}://{environ['HTTP_HOST']}"

    return accepted


def build_realtime(settings: Settings) -> Realtime:
    hook = AccessHook()
    origins = accepted_origins(settings.cors_origins)
    if settings.profile == "embedded":
        server = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins=origins)
        return Realtime(server, LoopPusher(server, hook), hook)
    manager = _ListeningRedisManager(settings.redis_url, channel=CHANNEL,
                                     redis_options=dict(CONNECT_TIMEOUT), hook=hook)
    server = socketio.AsyncServer(async_mode="asgi", client_manager=manager,
                                  cors_allowed_origins=origins)
    return Realtime(server, RedisPusher(settings.redis_url), hook)
