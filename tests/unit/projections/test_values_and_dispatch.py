"""Every read model folds only its own events, and shows times the same way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.plan import Plan, PlanKind
from domain.values import Actor, Role
from domain.workout_session import WorkoutSession
from projections.model import ReadModel
from projections.registry import read_models
from projections.values import iso, utc

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def a_foreign_event(model: ReadModel) -> object:
    """An event of another aggregate than the model's (sessions get a plan's, the rest a session's)."""
    session = WorkoutSession.start("alice", None, None, T0)
    session.pause(T0)
    if model.created_by is not WorkoutSession.Started:
        return session.collect_events()[-1]
    plan = Plan.draft(PlanKind.WORKOUT, "P", {"days": [{"name": "A", "exercises": [
        {"name": "squat", "sets": 1, "reps": 1}]}]}, None, Actor("tom", Role.TRAINER), T0)
    plan.publish(T0)
    return plan.collect_events()[-1]


@pytest.mark.parametrize("model", read_models(), ids=lambda m: m.name)
def test_a_read_model_refuses_an_event_it_does_not_fold_and_names_it(model: ReadModel) -> None:
    event = a_foreign_event(model)
    with pytest.raises(TypeError, match=type(event).__name__):
        model.change({"client_ids": [], "late_failures": 0}, event)


def test_times_are_stored_in_utc_and_shown_with_their_zone_even_when_read_back_naive() -> None:
    india = T0.astimezone(timezone(timedelta(hours=5, minutes=30)))
    assert utc(india) == T0 and utc(india).tzinfo is UTC
    assert iso(T0.replace(tzinfo=None)) == iso(T0) == "2026-11-01T09:30:00+00:00"
    assert iso(None) is None
