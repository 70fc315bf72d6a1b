"""Socket.IO handlers: who may connect, and who may watch a workout session live."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import socketio
import structlog
from socketio.exceptions import ConnectionRefusedError as Refused
from sqlalchemy.exc import SQLAlchemyError

from application.identity import InvalidToken
from domain.values import ADMINS, Actor, Role
from infrastructure.bootstrap import System
from infrastructure.metrics import REALTIME_CONNECTIONS
from infrastructure.readstore import ReadStoreBusy
from projections.watching import watchable_client

SESSION_ROOM = "workout-session:"
WATCHERS = frozenset({Role.TRAINER, Role.NUTRITIONIST})
log = structlog.get_logger("gymgenius.realtime")


def register(system: System) -> socketio.AsyncServer:
    """Installs the connect, disconnect, join and leave handlers on the system's server."""
    sio = system.realtime.server

    async def connect(sid: str, environ: dict[str, Any], auth: Any) -> None:
        actor = await _verify(system, auth)
        await sio.save_session(sid, {"uid": actor.uid, "role": actor.role.value})
        await sio.enter_room(sid, f"user:{actor.uid}")
        if actor.role.is_staff:
            await sio.enter_room(sid, f"role:{actor.role.value}")
        REALTIME_CONNECTIONS.inc()

    async def disconnect(sid: str, reason: Any = None) -> None:
        REALTIME_CONNECTIONS.dec()

    async def join(sid: str, data: Any = None) -> dict[str, bool]:
        session_id = session_in(data)
        if session_id is None:
            return {"ok": False}
        actor = await _actor(sio, sid)
        client_id = await may_watch(system, actor, session_id)
        if client_id is None:
            return {"ok": False}
        room = SESSION_ROOM + session_id
        await sio.enter_room(sid, room)
        if actor.role in WATCHERS:  # remembered, so that ending their access takes them out
            async with sio.session(sid) as session:
                session.setdefault("watching", {})[room] = client_id
            if await may_watch(system, actor, session_id) is None:  # it ended in between
                await sio.leave_room(sid, room)
                return {"ok": False}
        return {"ok": True}

    async def leave(sid: str, data: Any = None) -> dict[str, bool]:
        session_id = session_in(data)
        if session_id is None:
            return {"ok": False}
        await sio.leave_room(sid, SESSION_ROOM + session_id)
        return {"ok": True}

    async def access_ended(staff_id: str, client_id: str) -> None:
        """This process's sockets of the staff member leave that client's session rooms."""
        left = 0
        for sid, _ in list(sio.manager.get_participants("/", f"user:{staff_id}")):
            async with sio.session(sid) as session:
                watching: dict[str, str] = session.get("watching", {})
                rooms = [room for room, client in watching.items() if client == client_id]
                for room in rooms:
                    del watching[room]
            for room in rooms:
                await sio.leave_room(sid, room)
            left += len(rooms)
        log.info("realtime_access_ended", staff_id=staff_id, rooms_left=left)

    system.realtime.access_ended.handler = access_ended
    for name, handler in {"connect": connect, "disconnect": disconnect, "join": join,
                          "leave": leave}.items():
        sio.on(name, handler)
    return sio


async def _verify(system: System, auth: Any) -> Actor:
    token = auth.get("token") if isinstance(auth, dict) else None
    if not isinstance(token, str) or not 0 < len(token) <= 8192:
        raise Refused("a token is required")
    try:
        return await asyncio.to_thread(system.tokens.verify, token)
    except InvalidToken:
        raise Refused("invalid token") from None


async def _actor(sio: socketio.AsyncServer, sid: str) -> Actor:
    session = await sio.get_session(sid)
    return Actor(uid=session["uid"], role=Role(session["role"]))


def session_in(data: Any) -> str | None:
    """The workout-session id named by a `{"room": "workout-session:<id>"}` payload, if any."""
    room = data.get("room") if isinstance(data, dict) else None
    if not isinstance(room, str) or not room.startswith(SESSION_ROOM) or len(room) > 100:
        return None
    try:
        return str(uuid.UUID(room.removeprefix(SESSION_ROOM)))
    except ValueError:
        return None


async def may_watch(system: System, actor: Actor, session_id: str) -> str | None:
    """The session's client, if the actor may watch: the client who owns it, the trainers and
    nutritionists actively related to them, and admins (any session; "" when unchecked)."""
    if actor.role in ADMINS:
        return ""
    try:
        async with system.reads.connect() as conn:
            return await watchable_client(conn, actor, session_id)
    except (SQLAlchemyError, OSError, ReadStoreBusy) as error:
        log.warning("realtime_join_unchecked", error=str(error))
        return None
