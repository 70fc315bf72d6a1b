"""The workout sessions read model folds a WorkoutSession's events into the aggregate's state."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.workout_session import WorkoutSession
from projections.model import Row
from projections.workout_sessions import WorkoutSessionsModel

T0 = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)
MODEL = WorkoutSessionsModel()


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def a_session() -> WorkoutSession:
    return WorkoutSession.start("alice", None, "Legs", T0)


def folded(session: WorkoutSession, row: Row | None = None) -> Row:
    """Folds the events not yet collected, onto the row folded so far."""
    first = 10 if row is None else row["position"] + 1
    for position, event in enumerate(session.collect_events(), start=first):
        row = MODEL.fold(row, event, position)
    assert row is not None
    return row


def assert_matches(row: Row, session: WorkoutSession) -> None:
    fields = ("exercise", "set_number", "reps", "weight_kg", "rpe")
    sets = [(s.exercise, s.set_number, s.reps, float(s.weight_kg), None if s.rpe is None else float(s.rpe))
            for s in session.sets]
    assert [tuple(logged[f] for f in fields) for logged in row["sets"]] == sets
    assert row == row | {
        "id": str(session.id), "client_id": session.client_id, "day": session.day,
        "status": session.status.value, "total_volume_kg": session.total_volume_kg,
        "duration_s": session.summary.duration_s if session.summary else None,
        "started_at": session.started_at, "ended_at": session.ended_at, "version": session.version,
    }


def test_a_started_session_is_an_active_row_with_no_sets() -> None:
    plan_id = uuid4()
    session = WorkoutSession.start("alice", plan_id, "Legs", T0)
    row = folded(session)
    assert_matches(row, session)
    assert (row["plan_id"], row["seq"], row["position"], row["sets"]) == (str(plan_id), 10, 10, [])


def test_logged_sets_pauses_and_completion_fold_to_the_sessions_state() -> None:
    session = a_session()
    session.log_set("squat", 5, Decimal("100"), Decimal("8.5"), minutes(1))
    session.pause(minutes(2))
    paused = folded(session)
    assert_matches(paused, session)
    assert paused["status"] == "paused"
    session.resume(minutes(12))
    session.log_set("squat", 5, Decimal("102.5"), None, minutes(13))
    session.complete(minutes(20))
    done = folded(session, paused)
    assert_matches(done, session)
    assert (done["status"], done["duration_s"]) == ("completed", 600)
    assert done["total_volume_kg"] == Decimal("1012.5")


def test_an_abandoned_session_ends_with_no_duration() -> None:
    session = a_session()
    session.abandon(minutes(5))
    row = folded(session)
    assert_matches(row, session)
    assert (row["status"], row["ended_at"], row["duration_s"]) == ("abandoned", minutes(5), None)


def test_a_row_shows_every_field_the_api_promises_and_goes_to_its_client_and_its_room() -> None:
    session = a_session()
    session.log_set("squat", 5, Decimal("100"), None, minutes(1))
    row = folded(session)
    shown = MODEL.out(row)
    assert set(shown) == {"id", "client_id", "plan_id", "day", "status", "sets", "total_volume_kg",
                          "duration_s", "started_at", "ended_at", "version"}
    assert (shown["total_volume_kg"], shown["started_at"]) == (500.0, T0.isoformat())
    assert MODEL.rooms(row) == ("user:alice", f"workout-session:{session.id}")
    assert MODEL.push_event == "workout_session.updated"


def test_an_event_for_a_session_never_started_is_refused() -> None:
    session = a_session()
    session.pause(minutes(1))
    with pytest.raises(LookupError):
        MODEL.fold(None, session.collect_events()[1], 11)


COMMANDS: list[Callable[[WorkoutSession, datetime], None]] = [
    lambda s, at: s.log_set("squat", 5, Decimal("100"), None, at),
    lambda s, at: s.log_set("bench", 8, Decimal("62.5"), Decimal("9"), at),
    lambda s, at: s.pause(at),
    lambda s, at: s.resume(at),
    lambda s, at: s.complete(at),
    lambda s, at: s.abandon(at),
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(COMMANDS), max_size=15))
def test_any_command_sequence_folds_to_the_aggregates_state(commands: list[Callable[..., None]]) -> None:
    session = a_session()
    for tick, command in enumerate(commands, start=1):
        with contextlib.suppress(DomainError):
            command(session, minutes(tick))
    assert_matches(folded(session), session)
