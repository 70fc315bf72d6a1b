"""Socket.IO handlers: who may connect, who may watch a workout session live, and chat (its
rooms follow the same rule: a staff member whose relationship ends leaves the client's rooms)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any, Protocol

import socketio
import structlog
from socketio.exceptions import ConnectionRefusedError as Refused
from sqlalchemy.exc import SQLAlchemyError

from application.access_rules import RULES, Scope
from application.identity import IdentityUnavailable, InvalidToken, Verified, actor_of
from domain.values import Actor, Role
from infrastructure.bootstrap import System
from infrastructure.metrics import REALTIME_CONNECTIONS
from infrastructure.rate_limits import RateLimited
from infrastructure.readstore import ReadStoreBusy
from projections.watching import watchable_client

SESSION_ROOM = "workout-session:"
CHAT_ROOM = "chat:"
TOKEN_REQUIRED = "a token is required"  # noqa: S105 (a message, not a secret)
WATCHERS = frozenset({Role.TRAINER, Role.NUTRITIONIST})
CONNECT, JOIN = "socket:connect", "socket:joinWorkoutSession"  # their rules in access_rules
log = structlog.get_logger("gymgenius.realtime")


Handler = Callable[..., Awaitable[dict[str, Any]]]


class ChatRooms(Protocol):
    """Chat's handlers (interfaces.http.chat_socket: they send through the HTTP route's command)."""

    async def join(self, sid: str, conversation: str) -> dict[str, bool]: ...

    async def send(self, sid: str, data: Any = None) -> dict[str, Any]: ...

    async def typing(self, sid: str, data: Any = None) -> dict[str, bool]: ...


def register(system: System, chat: ChatRooms | None = None) -> socketio.AsyncServer:
    """Installs the connect, disconnect, join and leave handlers on the system's server, and
    chat's when given."""
    sio = system.realtime.server
    expiry = Expiry(system, sio)

    async def connect(sid: str, environ: dict[str, Any], auth: Any) -> None:
        try:
            async with _gate(system, environ, auth):
                verified, actor = await _identify(system, auth)
        except RateLimited:
            raise Refused("too many failed connections from this address; retry later") from None
        except (InvalidToken, IdentityUnavailable) as error:
            raise Refused(_refusal(error)) from None
        if not RULES[CONNECT].admits(actor.role):
            raise Refused("this role may not connect")
        await sio.save_session(sid, {"uid": actor.uid, "role": actor.role.value})
        await sio.enter_room(sid, f"user:{actor.uid}")
        if actor.role.is_staff:
            await sio.enter_room(sid, f"role:{actor.role.value}")
        expiry.until(sid, verified)
        REALTIME_CONNECTIONS.inc()

    async def disconnect(sid: str, reason: Any = None) -> None:
        expiry.forget(sid)
        REALTIME_CONNECTIONS.dec()

    async def reauth(sid: str, data: Any = None) -> dict[str, bool]:
        """A fresh token for the same uid keeps the socket past its old token's expiry."""
        try:
            verified, actor = await _identify(system, data)
        except (InvalidToken, IdentityUnavailable):
            return {"ok": False}
        session = await sio.get_session(sid)
        if actor.uid != session["uid"]:
            return {"ok": False}
        await _take_role(sio, sid, Role(session["role"]), actor.role)
        await sio.save_session(sid, {"uid": actor.uid, "role": actor.role.value})
        expiry.until(sid, verified)
        return {"ok": True}

    async def join(sid: str, data: Any = None) -> dict[str, bool]:
        if chat is not None and (conversation := chat_in(data)) is not None:
            return await chat.join(sid, conversation)
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
        if (conversation := chat_in(data)) is not None:
            await sio.leave_room(sid, CHAT_ROOM + conversation)
            return {"ok": True}
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
    handlers: dict[str, Handler] = {"join": join, "leave": leave, "reauth": reauth}
    if chat is not None:
        handlers |= {"send": chat.send, "typing": chat.typing}
    for name, handler in {"connect": connect, "disconnect": disconnect, **handlers}.items():
        sio.on(name, handler)
    return sio


class Expiry:
    """Disconnects each socket when the token it last presented stops being accepted: one timer
    per socket on the server's event loop, replaced by a successful reauth."""

    def __init__(self, system: System, sio: socketio.AsyncServer) -> None:
        self.system, self.sio = system, sio
        self.timers: dict[str, asyncio.TimerHandle] = {}

    def until(self, sid: str, verified: Verified) -> None:
        self.forget(sid)
        delay = max((verified.expires_at - self.system.clock()).total_seconds(), 0.0)
        self.timers[sid] = asyncio.get_running_loop().call_later(delay, self._expire, sid)

    def forget(self, sid: str) -> None:
        timer = self.timers.pop(sid, None)
        if timer is not None:
            timer.cancel()

    def _expire(self, sid: str) -> None:
        self.timers.pop(sid, None)
        log.info("realtime_token_expired")
        task = asyncio.ensure_future(self.sio.disconnect(sid))
        task.add_done_callback(lambda done: done.exception())  # never an unretrieved exception


def _gate(system: System, environ: dict[str, Any], auth: Any) -> AbstractAsyncContextManager[None]:
    """As for HTTP: a token not already known good is counted against the caller's address, and
    refused before any verification when that address's failures fill its window."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if isinstance(token, str) and system.tokens.remembered(token) is not None:
        return nullcontext()
    client = environ.get("asgi.scope", {}).get("client") or ("unknown", 0)
    return system.rate_limits.anonymous(str(client[0]))


async def _identify(system: System, auth: Any) -> tuple[Verified, Actor]:
    """A socket's token verified like a request's: a Firebase uid's role from our record."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if not isinstance(token, str) or not 0 < len(token) <= 8192:
        raise InvalidToken(TOKEN_REQUIRED)
    verified = await asyncio.to_thread(system.tokens.verify, token)
    return verified, await asyncio.to_thread(actor_of, verified, system.roles)


def _refusal(error: Exception) -> str:
    """What a refused client is told: never why its token failed, only that it did."""
    if isinstance(error, IdentityUnavailable):
        return "identity provider unavailable"
    return TOKEN_REQUIRED if str(error) == TOKEN_REQUIRED else "invalid token"


async def _take_role(sio: socketio.AsyncServer, sid: str, old: Role, new: Role) -> None:
    if old is new:
        return
    if old.is_staff:
        await sio.leave_room(sid, f"role:{old.value}")
    if new.is_staff:
        await sio.enter_room(sid, f"role:{new.value}")


async def _actor(sio: socketio.AsyncServer, sid: str) -> Actor:
    session = await sio.get_session(sid)
    return Actor(uid=session["uid"], role=Role(session["role"]))


def chat_in(data: Any) -> str | None:
    """The conversation id named by a `{"room": "chat:<id>"}` payload, if any."""
    return _room_id(data, CHAT_ROOM)


def session_in(data: Any) -> str | None:
    """The workout-session id named by a `{"room": "workout-session:<id>"}` payload, if any."""
    return _room_id(data, SESSION_ROOM)


def _room_id(data: Any, prefix: str) -> str | None:
    room = data.get("room") if isinstance(data, dict) else None
    if not isinstance(room, str) or not room.startswith(prefix) or len(room) > 100:
        return None
    try:
        return str(uuid.UUID(room.removeprefix(prefix)))
    except ValueError:
        return None


async def may_watch(system: System, actor: Actor, session_id: str) -> str | None:
    """The session's client, if the actor may watch, as the access rule says: the client who owns
    it, the trainers and nutritionists actively related to them, and admins (any session; "" when
    unchecked)."""
    scope = RULES[JOIN].scope(actor.role)
    if scope is None:
        return None
    if scope is Scope.ALL:
        return ""
    try:
        async with system.reads.connect() as conn:
            return await watchable_client(conn, actor, session_id)
    except (SQLAlchemyError, OSError, ReadStoreBusy) as error:
        log.warning("realtime_join_unchecked", error=str(error))
        return None
