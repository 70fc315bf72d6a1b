"""Realtime pushes to Socket.IO rooms, sent only after a projection commits.

A push that cannot be sent is logged and counted, never raised into the projector: the rows are
committed, and a client that missed a push reads them again with a query.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
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
CONNECT_TIMEOUT = {"socket_connect_timeout": 1.0}
log = structlog.get_logger("gymgenius.realtime")


def payload(change: Change) -> dict[str, Any]:
    return {"id": change.id, "position": change.position, "data": change.data}


class PushFailed(Exception):
    """The message broker did not take a push."""


class _RedisEmitter(socketio.RedisManager):
    """The write-only Redis manager, made to say when it gave up on a publish (it only logs)."""

    def _publish(self, data: Any) -> Any:
        sent = super()._publish(data)
        if sent is None:
            raise PushFailed("Redis did not take the message")
        return sent


class RedisPusher:
    """Server profile: projection workers emit through Redis to every Socket.IO process."""

    def __init__(self, redis_url: str) -> None:
        self.manager = _RedisEmitter(redis_url, channel=CHANNEL, write_only=True,
                                     redis_options={**CONNECT_TIMEOUT, "socket_timeout": 1.0})

    def attach(self, loop: asyncio.AbstractEventLoop | None) -> None:
        """Nothing to attach: emits go through Redis, from any thread."""

    def push(self, changes: Sequence[Change]) -> None:
        for change in changes:
            try:
                self.manager.emit(change.event, payload(change), namespace="/",
                                  room=list(change.rooms))
                REALTIME_PUSHES.labels("sent").inc()
            except (PushFailed, redis.RedisError, OSError) as error:
                _failed(change, error)


class LoopPusher:
    """Embedded profile: emits on the in-memory server's event loop, from worker threads."""

    def __init__(self, server: socketio.AsyncServer) -> None:
        self.server = server
        self.loop: asyncio.AbstractEventLoop | None = None

    def attach(self, loop: asyncio.AbstractEventLoop | None) -> None:
        self.loop = loop

    def push(self, changes: Sequence[Change]) -> None:
        loop = self.loop
        if loop is None or not loop.is_running():
            return  # no server is serving, so no socket can be connected
        for change in changes:
            emit = self.server.emit(change.event, payload(change), to=list(change.rooms))
            try:
                done = asyncio.run_coroutine_threadsafe(emit, loop)
            except RuntimeError as error:  # the loop closed in between
                emit.close()
                _failed(change, error)
                continue
            done.add_done_callback(partial(_settled, change))


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


def build_realtime(settings: Settings) -> Realtime:
    if settings.profile == "embedded":
        server = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins=settings.cors_origins)
        return Realtime(server, LoopPusher(server))
    manager = socketio.AsyncRedisManager(settings.redis_url, channel=CHANNEL,
                                         redis_options=dict(CONNECT_TIMEOUT))
    server = socketio.AsyncServer(async_mode="asgi", client_manager=manager,
                                  cors_allowed_origins=settings.cors_origins)
    return Realtime(server, RedisPusher(settings.redis_url))
