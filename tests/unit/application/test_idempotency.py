"""An Idempotency-Key replays the first answer; the same key with another body is refused."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import pytest

from application.conversations import Conversations, OpenConversation, SendMessage
from application.errors import Forbidden, IdempotencyKeyReused
from application.relationships import EndRelationship, Relationships, StartRelationship
from application.workout_sessions import PauseSession, StartWorkoutSession
from domain.values import Role
from domain.workout_session import WorkoutSession
from tests.unit.application.given import Handlers, a_set, ctx

START = StartWorkoutSession(day="Legs")


def test_a_repeated_creating_command_gets_the_first_answer_and_records_nothing(handlers: Handlers) -> None:
    first = handlers.sessions.start(ctx(key="k1", body={"day": "Legs"}), START)
    again = handlers.sessions.start(ctx(key="k1", body={"day": "Legs"}), START)
    assert again == first and first.created and first.position == 1
    assert handlers.recorded() == 1


def test_a_repeated_change_gets_the_first_answer_even_after_later_changes(handlers: Handlers) -> None:
    session_id = handlers.sessions.start(ctx(), START).id
    first = handlers.sessions.log_set(ctx(key="set-1", body="squat"), a_set(session_id))
    handlers.sessions.log_set(ctx(), a_set(session_id, "bench"))
    again = handlers.sessions.log_set(ctx(key="set-1", body="squat"), a_set(session_id))
    assert (again.version, again.position) == (first.version, first.position) == (2, 2)
    assert len(handlers.aggregates.load(WorkoutSession, session_id).sets) == 2


def test_the_same_key_with_another_body_is_refused_and_records_nothing(handlers: Handlers) -> None:
    session_id = handlers.sessions.start(ctx(key="k1", body={"day": "Legs"}), START).id
    with pytest.raises(IdempotencyKeyReused):
        handlers.sessions.start(ctx(key="k1", body={"day": "Push"}), StartWorkoutSession(day="Push"))
    with pytest.raises(IdempotencyKeyReused):
        handlers.sessions.pause(ctx(key="k1", body={}), PauseSession(session_id))
    assert handlers.recorded() == 1


def test_a_key_belongs_to_its_caller_so_another_callers_same_key_is_a_new_command(handlers: Handlers) -> None:
    alices = handlers.sessions.start(ctx("alice", key="k1", body={"day": "Legs"}), START)
    bobs = handlers.sessions.start(ctx("bob", key="k1", body={"day": "Legs"}), START)
    assert alices.id != bobs.id and handlers.recorded() == 2


def test_a_refused_command_leaves_its_key_free_for_the_corrected_retry(handlers: Handlers) -> None:
    session_id = handlers.sessions.start(ctx("alice"), START).id
    with pytest.raises(Forbidden):
        handlers.sessions.pause(ctx("bob", key="p1", body={}), PauseSession(session_id))
    own: UUID = handlers.sessions.start(ctx("bob"), START).id
    assert handlers.sessions.pause(ctx("bob", key="p1", body={}), PauseSession(own)).version == 2


def test_the_same_command_racing_itself_gets_the_winners_answer_not_a_conflict(handlers: Handlers) -> None:
    session_id = handlers.sessions.start(ctx(), START).id
    key = ctx(key="set-1", body="squat")
    answers = []

    def decide_while_the_same_command_commits() -> WorkoutSession:
        session = handlers.aggregates.load(WorkoutSession, session_id)
        answers.append(handlers.sessions.log_set(key, a_set(session_id)))
        session.log_set("squat", 5, Decimal(100), None, session.started_at)
        return session

    assert handlers.aggregates.execute(key, decide_while_the_same_command_commits) == answers[0]
    assert handlers.recorded() == 2


def test_a_repeated_chat_message_gets_the_first_answer_without_the_answers_being_read_first(
        handlers: Handlers) -> None:
    """A message's key is read back only when sending conflicts or fails: the repeat's claim
    conflicts with the first's, so it gets the first answer, also once the pair is no longer related."""
    relationships = Relationships(handlers.aggregates)
    chats = Conversations(handlers.aggregates, relationships, lambda uid: None)
    started = relationships.start(ctx("root", Role.ADMIN), StartRelationship("alice", "tom", Role.TRAINER))
    conversation = chats.open(ctx("alice"), OpenConversation("tom")).id
    asked: list[str] = []
    find = handlers.log.find_answer
    handlers.log.find_answer = lambda actor, key: asked.append(key) or find(actor, key)  # type: ignore[method-assign]
    first = chats.send(ctx("alice"), SendMessage(conversation, "3x8 done", "m-1"))
    assert asked == [] and first.extra["seq"] == 1
    again = chats.send(ctx("alice"), SendMessage(conversation, "3x8 done (sent twice)", "m-1"))
    assert again == first and len(asked) == 1
    relationships.end(ctx("tom", Role.TRAINER), EndRelationship(started.id))
    assert chats.send(ctx("alice"), SendMessage(conversation, "again", "m-1")) == first
    with pytest.raises(Forbidden):
        chats.send(ctx("alice"), SendMessage(conversation, "a new one", "m-2"))
    assert handlers.recorded() == 4  # started, opened, one message, ended
