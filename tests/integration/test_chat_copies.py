"""A chat message is decided on this process's copies of its conversation and relationship:
a copy another process has moved past makes the write conflict and the message is decided again
on the store's latest; a relationship ended elsewhere stops messages here within
RELATIONSHIP_LAG_S, and one ended here at once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from application.aggregates import Aggregates
from application.context import CommandContext
from application.conversations import RELATIONSHIP_LAG_S, Conversations, OpenConversation, SendMessage
from application.errors import Forbidden
from application.relationships import EndRelationship, Relationships, StartRelationship
from domain.conversation import Conversation
from domain.values import Actor, Role
from infrastructure.bootstrap import System
from infrastructure.eventstore import event_store_env
from infrastructure.eventstore.log import EventLog

NOW = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
ADMIN = Actor("root", Role.ADMIN)


def ctx(actor: Actor) -> CommandContext:
    return CommandContext(actor, NOW, uuid4().hex)


class Elsewhere:
    """The same commands through an event store of their own, as another API process has."""

    def __init__(self, system: System) -> None:
        self.log = EventLog(env=event_store_env(system.settings))
        aggregates = Aggregates(self.log)
        self.relationships = Relationships(aggregates, role_of=lambda uid: Role.TRAINER)
        self.conversations = Conversations(aggregates, self.relationships, lambda uid: Role.TRAINER)


@pytest.fixture
def elsewhere(system: System) -> Iterator[Elsewhere]:
    other = Elsewhere(system)
    yield other
    other.log.close()


def related(system: System) -> tuple[Actor, Actor, UUID, UUID]:
    client, trainer = Actor(f"c-{uuid4().hex[:8]}", Role.CLIENT), Actor(f"t-{uuid4().hex[:8]}", Role.TRAINER)
    system.roles.role_of(trainer.uid, Role.TRAINER)
    started = system.relationships.start(ctx(ADMIN), StartRelationship(client.uid, trainer.uid, Role.TRAINER))
    opened = system.conversations.open(ctx(client), OpenConversation(trainer.uid))
    return client, trainer, started.id, opened.id


def test_a_message_decided_on_a_copy_another_process_moved_past_is_decided_again(
        system: System, elsewhere: Elsewhere) -> None:
    client, trainer, _, conversation = related(system)
    system.conversations.send(ctx(client), SendMessage(conversation, "first", "m1"))  # kept here
    elsewhere.conversations.send(ctx(trainer), SendMessage(conversation, "second", "m2"))
    third = system.conversations.send(ctx(client), SendMessage(conversation, "third", "m3"))
    assert third.extra["seq"] == 3
    stored = [e.text for e in system.log.events.get(conversation) if hasattr(e, "text")]
    assert stored == ["first", "second", "third"]
    again = system.conversations.send(ctx(client), SendMessage(conversation, "third", "m3"))
    assert again.extra == third.extra  # the repeat still gets the first answer
    assert system.aggregates.load(Conversation, conversation).seq == 3


def test_a_relationship_ended_here_stops_messages_at_once(system: System) -> None:
    client, _, relationship, conversation = related(system)
    system.conversations.send(ctx(client), SendMessage(conversation, "hello", "m1"))
    system.relationships.end(ctx(ADMIN), EndRelationship(relationship))
    with pytest.raises(Forbidden):
        system.conversations.send(ctx(client), SendMessage(conversation, "still there?", "m2"))


def test_a_relationship_ended_elsewhere_stops_messages_here_within_the_lag(
        system: System, elsewhere: Elsewhere) -> None:
    now = [1_000.0]
    system.log.cache.clock = lambda: now[0]
    client, _, relationship, conversation = related(system)
    system.conversations.send(ctx(client), SendMessage(conversation, "hello", "m1"))
    elsewhere.relationships.end(ctx(ADMIN), EndRelationship(relationship))
    now[0] += RELATIONSHIP_LAG_S + 0.01
    with pytest.raises(Forbidden):
        system.conversations.send(ctx(client), SendMessage(conversation, "still there?", "m2"))
    assert system.aggregates.load(Conversation, conversation).seq == 1
