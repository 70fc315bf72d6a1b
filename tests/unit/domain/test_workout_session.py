"""A client's workout session: sets are logged while it is active, and it ends completed or abandoned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from domain.errors import InvalidValue, RuleViolation
from domain.workout_session import (
    IDLE_LIMIT,
    LoggedSet,
    SessionStatus,
    SessionSummary,
    WorkoutSession,
)

T0 = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def a_session() -> WorkoutSession:
    return WorkoutSession.start("alice", None, None, T0)


def with_sets(*exercises: str) -> WorkoutSession:
    session = a_session()
    for n, exercise in enumerate(exercises, start=1):
        session.log_set(exercise, 5, Decimal("100"), Decimal("8"), minutes(n))
    return session


def names(session: WorkoutSession) -> list[str]:
    return [type(e).__name__ for e in session.collect_events()]


def test_a_started_session_is_active_with_no_sets_and_its_day_trimmed() -> None:
    plan_id = uuid4()
    session = WorkoutSession.start("alice", plan_id, "  Legs ", T0)
    assert (session.status, session.sets, session.plan_id, session.day) == (
        SessionStatus.ACTIVE, [], plan_id, "Legs")
    assert names(session) == ["Started"]


def test_sets_are_numbered_per_exercise_and_their_volume_adds_up() -> None:
    session = with_sets("squat", "bench", "squat")
    assert [(s.exercise, s.set_number) for s in session.sets] == [("squat", 1), ("bench", 1), ("squat", 2)]
    assert session.total_volume_kg == Decimal(1500)
    assert session.sets[0] == LoggedSet("squat", 1, 5, Decimal(100), Decimal(8), minutes(1))


@pytest.mark.parametrize(("exercise", "reps", "weight", "rpe", "field"), [
    (" ", 5, "100", None, "exercise"), ("x" * 101, 5, "100", None, "exercise"),
    ("squat", 0, "100", None, "reps"), ("squat", 1001, "100", None, "reps"),
    ("squat", 5, "-0.5", None, "weight_kg"), ("squat", 5, "1000.5", None, "weight_kg"),
    ("squat", 5, "100", "0.5", "rpe"), ("squat", 5, "100", "10.5", "rpe"),
])
def test_a_set_outside_the_bounds_is_refused_and_records_nothing(
    exercise: str, reps: int, weight: str, rpe: str | None, field: str
) -> None:
    session = a_session()
    session.collect_events()
    with pytest.raises(InvalidValue) as refused:
        session.log_set(exercise, reps, Decimal(weight), None if rpe is None else Decimal(rpe), minutes(1))
    assert refused.value.field == field
    assert session.sets == [] and names(session) == []


def test_a_paused_session_takes_no_sets_until_it_is_resumed() -> None:
    session = with_sets("squat")
    session.pause(minutes(5))
    with pytest.raises(RuleViolation):
        session.log_set("squat", 5, Decimal(100), None, minutes(6))
    with pytest.raises(RuleViolation):
        session.pause(minutes(6))
    session.resume(minutes(15))
    session.log_set("squat", 5, Decimal(100), None, minutes(16))
    assert (session.status, len(session.sets), session.paused_s) == (SessionStatus.ACTIVE, 2, 600)


def test_only_a_paused_session_can_be_resumed() -> None:
    with pytest.raises(RuleViolation):
        a_session().resume(minutes(1))


def test_completing_records_the_summary_without_the_paused_time() -> None:
    session = with_sets("squat", "squat")
    session.pause(minutes(10))
    session.resume(minutes(20))
    session.pause(minutes(50))
    session.complete(minutes(60))  # the open pause counts too
    assert session.status is SessionStatus.COMPLETED and session.ended_at == minutes(60)
    assert session.summary == SessionSummary(2, Decimal(1000), 40 * 60)


def test_a_session_with_no_sets_cannot_be_completed_but_can_be_abandoned() -> None:
    session = a_session()
    with pytest.raises(RuleViolation):
        session.complete(minutes(5))
    session.abandon(minutes(5))
    assert (session.status, session.ended_at, session.summary) == (SessionStatus.ABANDONED, minutes(5), None)


@pytest.mark.parametrize("end", ["complete", "abandon"])
def test_an_ended_session_never_changes_again(end: str) -> None:
    session = with_sets("squat")
    getattr(session, end)(minutes(10))
    session.collect_events()
    for change in (lambda: session.complete(minutes(11)), lambda: session.abandon(minutes(11)),
                   lambda: session.pause(minutes(11)),
                   lambda: session.log_set("squat", 5, Decimal(1), None, minutes(11))):
        with pytest.raises(RuleViolation):
            change()
    assert names(session) == []


def test_a_session_is_idle_after_three_hours_without_activity_and_never_once_ended() -> None:
    session = with_sets("squat")
    assert not session.is_idle(minutes(1) + IDLE_LIMIT - timedelta(seconds=1))
    assert session.is_idle(minutes(1) + IDLE_LIMIT)
    session.abandon(minutes(1) + IDLE_LIMIT, reason="idle")
    assert not session.is_idle(minutes(1) + 2 * IDLE_LIMIT)


def test_replaying_a_sessions_events_gives_the_same_session() -> None:
    session = with_sets("squat", "bench")
    session.pause(minutes(5)), session.resume(minutes(7)), session.complete(minutes(9))
    replayed = None
    for event in session.collect_events():
        replayed = event.mutate(replayed)
    assert replayed is not None
    assert vars(replayed) | {"_pending_events": []} == vars(session) | {"_pending_events": []}
