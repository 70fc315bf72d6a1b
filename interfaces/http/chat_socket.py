"""Socket.IO chat (installed by the app beside the other handlers): joining a conversation's
room, sending through the same command as HTTP,
and typing indicators relayed to the room (never stored)."""

from __future__ import annotations

import uuid
from typing import Any

import socketio
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from application.access_rules import RULES
from application.context import CommandContext
from application.conversations import SendMessage
from domain.values import Actor, Role
from infrastructure.bootstrap import System
from infrastructure.eventstore.storable import unstorable
from infrastructure.rate_limits import RateLimited
from interfaces.http.commands.conversations import SendMessageRequest
from interfaces.http.problems import TABLE, TYPES
from interfaces.realtime import CHAT_ROOM, chat_in

CHAT = "socket:chat"  # its rule in access_rules
WATCHERS = frozenset({Role.TRAINER, Role.NUTRITIONIST})


def _uuid(text: Any) -> str | None:
    try:
        return str(uuid.UUID(text)) if isinstance(text, str) and len(text) <= 64 else None
    except ValueError:
        return None


def problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"type": TYPES + slug, "title": title, "status": status, "detail": detail, **extra}


def refusal(error: Exception) -> dict[str, Any]:
    """A command's error as the problem HTTP would answer."""
    for kind in type(error).__mro__:
        if kind in TABLE:
            status, slug, title = TABLE[kind]
            return problem(status, slug, title, str(error))
    return problem(500, "internal", "Internal error", "the message could not be sent")


class ChatSockets:
    """The chat handlers of one Socket.IO server."""

    def __init__(self, system: System, sio: socketio.AsyncServer) -> None:
        self.system, self.sio = system, sio

    async def actor(self, sid: str) -> Actor:
        session = await self.sio.get_session(sid)
        return Actor(uid=session["uid"], role=Role(session["role"]))

    async def join(self, sid: str, conversation: str) -> dict[str, bool]:
        actor = await self.actor(sid)
        client = await self._may_join(actor, conversation) if RULES[CHAT].admits(actor.role) else None
        if client is None:
            return {"ok": False}
        room = CHAT_ROOM + conversation
        await self.sio.enter_room(sid, room)
        if actor.role in WATCHERS and client:  # remembered, so that ending the relationship takes them out
            async with self.sio.session(sid) as session:
                session.setdefault("watching", {})[room] = client
            if await self._may_join(actor, conversation) is None:  # it ended in between
                await self.sio.leave_room(sid, room)
                return {"ok": False}
        return {"ok": True}

    async def _may_join(self, actor: Actor, conversation: str) -> str | None:
        return await run_in_threadpool(self.system.conversations.may_join, actor.uid, uuid.UUID(conversation))

    async def send(self, sid: str, data: Any = None) -> dict[str, Any]:
        """The HTTP route's command: acknowledged with the message's id, seq and position."""
        actor = await self.actor(sid)
        if not RULES[CHAT].admits(actor.role):
            return {"ok": False, "error": problem(403, "forbidden", "Not allowed", "this role may not chat")}
        try:
            cmd = _command(data)
            await self.system.rate_limits.raise_if_over("chat", actor.uid)
            ctx = CommandContext(actor, self.system.clock(), uuid.uuid4().hex)
            result = await run_in_threadpool(self.system.conversations.send, ctx, cmd)  # as HTTP's
        except RateLimited as error:
            return {"ok": False, "error": problem(429, "rate-limited", "Too many requests", str(error),
                                                  retry_after=error.verdict.reset_s)}
        except Invalid as error:
            return {"ok": False, "error": problem(422, "validation", "Invalid request", str(error),
                                                  errors=error.errors)}
        except tuple(TABLE) as error:  # every error HTTP answers as a problem
            return {"ok": False, "error": refusal(error)}
        return {"ok": True, "id": result.extra["message_id"], "seq": result.extra["seq"],
                "position": result.position}

    async def typing(self, sid: str, data: Any = None) -> dict[str, bool]:
        """Relayed to the others in the room; only a socket in the room may type in it."""
        conversation = chat_in(data)
        room = CHAT_ROOM + str(conversation)
        if conversation is None or room not in self.sio.rooms(sid):
            return {"ok": False}
        actor = await self.actor(sid)
        await self.sio.emit("chat.typing", {"conversation_id": conversation, "uid": actor.uid},
                            room=room, skip_sid=sid)
        return {"ok": True}


class Invalid(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("the message does not match its schema")
        self.errors = errors


def _command(data: Any) -> SendMessage:
    if not isinstance(data, dict):
        raise Invalid([{"loc": [], "msg": "an object is required"}])
    conversation = _uuid(data.get("conversation_id"))
    found = [{"loc": list(loc), "msg": msg} for loc, msg in unstorable(data)]
    if conversation is None:
        found.append({"loc": ["conversation_id"], "msg": "a conversation id is required"})
    if found:
        raise Invalid(found)
    try:
        body = SendMessageRequest.model_validate({k: v for k, v in data.items() if k != "conversation_id"})
    except ValidationError as error:
        raise Invalid([{"loc": list(e["loc"]), "msg": e["msg"]} for e in error.errors()]) from None
    return SendMessage(uuid.UUID(conversation), body.text, body.client_message_id)
