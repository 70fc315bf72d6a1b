"""Socket.IO handlers: who may connect, and who may watch a workout session live."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import socketio
import structlog
from socketio.exceptions import ConnectionRefusedError as Refused
from sqlalchemy.exc import SQLAlchemyError

from application.access_rules import RULES, Scope
from application.identity import InvalidToken
from domain.values import Actor, Role
from infrastructure.bootstrap import System
from infrastructure.metrics import REALTIME_CONNECTIONS
from infrastructure.readstore import ReadStoreBusy
from projections.watching import may_watch_session

SESSION_ROOM = "workout-session:"
CONNECT, JOIN = "socket:connect", "socket:joinWorkoutSession"  # their rules in access_rules
log = structlog.get_logger("gymgenius.realtime")


def register(system: System) -> socketio.AsyncServer:
    """Installs the connect, disconnect, join and leave handlers on the system's server."""
    sio = system.realtime.server

    async def connect(sid: str, environ: dict[str, Any], auth: Any) -> None:
        actor = await _verify(system, auth)
        if not RULES[CONNECT].admits(actor.role):
            raise Refused("this role may not connect")
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
        allowed = await may_watch(system, await _actor(sio, sid), session_id)
        if allowed:
            await sio.enter_room(sid, SESSION_ROOM + session_id)
        return {"ok": allowed}

    async def leave(sid: str, data: Any = None) -> dict[str, bool]:
        session_id = session_in(data)
        if session_id is None:
            return {"ok": False}
        await sio.leave_room(sid, SESSION_ROOM + session_id)
        return {"ok": True}

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


async def may_watch(system: System, actor: Actor, session_id: str) -> bool:
    """As the access rule says: the client who owns the session, their assigned trainers and
    nutritionists, and admins."""
    scope = RULES[JOIN].scope(actor.role)
    if scope is None or scope is Scope.ALL:
        return scope is Scope.ALL
    try:
        async with system.reads.connect() as conn:
            return await may_watch_session(conn, actor, session_id)
    except (SQLAlchemyError, OSError, ReadStoreBusy) as error:
        log.warning("realtime_join_unchecked", error=str(error))
        return False
