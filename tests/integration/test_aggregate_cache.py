"""Committed aggregates kept in memory: a command never sees more, or less, than the store holds."""

from __future__ import annotations

from copy import deepcopy
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from application.aggregates import Aggregates
from application.context import CommandContext
from application.errors import VersionConflict
from application.workout_sessions import LogSet, StartWorkoutSession, WorkoutSessions
from domain.errors import InvalidValue
from domain.values import Actor, Role
from domain.workout_session import WorkoutSession
from infrastructure.bootstrap import System
from infrastructure.eventstore import event_store_env
from infrastructure.eventstore.cache import CommittedAggregates
from infrastructure.eventstore.log import EventLog

NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


def context() -> CommandContext:
    return CommandContext(Actor("alice", Role.CLIENT), NOW, uuid4().hex)


def a_set(session_id: UUID, exercise: str = "squat", reps: int = 5) -> LogSet:
    return LogSet(session_id, exercise, reps, Decimal("100"), None)


def test_a_command_sees_the_events_another_process_wrote_after_its_copy_was_kept(system: System):
    session_id = system.workout_sessions.start(context(), StartWorkoutSession()).id
    system.workout_sessions.log_set(context(), a_set(session_id, "bench"))
    other = EventLog(env=event_store_env(system.settings))
    try:
        WorkoutSessions(Aggregates(other)).log_set(context(), a_set(session_id, "squat"))
    finally:
        other.close()
    after = system.workout_sessions.log_set(context(), a_set(session_id, "squat"))
    session = system.aggregates.load(WorkoutSession, session_id)
    assert after.version == 4
    assert [(s.exercise, s.set_number) for s in session.sets] == [
        ("bench", 1), ("squat", 1), ("squat", 2)]


def test_changes_a_command_made_but_never_committed_are_not_seen_by_the_next(system: System):
    sessions, log = system.workout_sessions, system.aggregates
    session_id = sessions.start(context(), StartWorkoutSession()).id
    sessions.log_set(context(), a_set(session_id))
    stale = log.load(WorkoutSession, session_id)
    sessions.log_set(context(), a_set(session_id, "bench"))
    stale.log_set("stale", 5, Decimal(100), None, NOW)
    with pytest.raises(VersionConflict):
        log.execute(context(), lambda: stale)
    with pytest.raises(InvalidValue):
        sessions.log_set(context(), a_set(session_id, reps=0))
    loaded = log.load(WorkoutSession, session_id)
    loaded.log_set("uncommitted", 5, Decimal(100), None, NOW)
    session = log.load(WorkoutSession, session_id)
    assert session.version == 3 and [s.exercise for s in session.sets] == ["squat", "bench"]


def test_the_cache_keeps_the_newest_version_of_the_most_recently_used_aggregates():
    cache = CommittedAggregates(size=2)
    first, second, third = (WorkoutSession.start("alice", None, None, NOW) for _ in range(3))
    older = deepcopy(first)
    first.log_set("squat", 5, Decimal(100), None, NOW)
    cache.keep(first)
    cache.keep(older)
    kept, _ = cache.copy_of(first.id)
    assert kept is not None and kept is not first and kept.version == 2
    assert kept.sets[0] is first.sets[0]  # immutable values are shared, not copied
    cache.keep(second)
    cache.copy_of(first.id)
    cache.keep(third)
    assert cache.copy_of(second.id) == (None, False)
    assert cache.copy_of(first.id)[0] is not None and cache.copy_of(third.id)[0] is not None


def test_a_kept_copy_is_fresh_for_as_long_as_the_caller_accepts_since_it_was_written_or_confirmed():
    now = [100.0]
    cache = CommittedAggregates(size=10, clock=lambda: now[0])
    session = WorkoutSession.start("alice", None, None, NOW)
    cache.keep(session)
    now[0] += 0.5
    assert cache.copy_of(session.id, checked_within=1.0)[1] is True
    assert cache.copy_of(session.id)[1] is False  # by default, every reader reads what is newer
    now[0] += 1.0
    assert cache.copy_of(session.id, checked_within=1.0)[1] is False
    cache.confirm(session.id, session.version + 1)  # confirmed at another version: not this copy
    assert cache.copy_of(session.id, checked_within=1.0)[1] is False
    cache.confirm(session.id, session.version)
    assert cache.copy_of(session.id, checked_within=1.0)[1] is True

