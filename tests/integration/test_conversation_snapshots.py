"""A long conversation is loaded from its snapshot and the events after it, never replayed from
its first message."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from application.context import CommandContext
from application.conversations import OpenConversation, SendMessage
from domain.conversation import Conversation
from domain.values import Actor, Role
from infrastructure.bootstrap import System

NOW = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def ctx(uid: str, role: Role) -> CommandContext:
    return CommandContext(Actor(uid, role), NOW, uuid4().hex)


def test_a_long_conversation_loads_from_its_snapshot(embedded_system: System) -> None:
    system = embedded_system
    system.roles.role_of("alice", Role.CLIENT)  # seen once, as on her first request
    opened = system.conversations.open(ctx("root", Role.ADMIN), OpenConversation("alice"))
    for n in range(105):
        system.conversations.send(ctx("alice", Role.CLIENT), SendMessage(opened.id, f"m {n}", f"m{n}"))
    assert system.log.snapshots is not None
    [snapshot] = system.log.snapshots.get(opened.id)
    assert snapshot.originator_version == 100
    system.log.cache._kept.clear()
    read: list[object] = []
    events = system.log.events.get
    system.log.events.get = lambda *a, **k: read.extend(found := list(events(*a, **k))) or found  # type: ignore[method-assign]
    loaded = system.aggregates.load(Conversation, opened.id)
    assert loaded.seq == 105 and len(read) <= 6
