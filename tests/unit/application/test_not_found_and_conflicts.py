"""A command on an aggregate that is not there, or that moved on, is refused and records nothing."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest

from application.errors import NotFound, VersionConflict
from application.payments import RetryPayment
from application.plans import PublishPlan, RevisePlan
from application.subscriptions import ExpireSubscription
from application.workout_sessions import PauseSession, StartWorkoutSession
from domain.values import Role
from domain.workout_session import WorkoutSession
from tests.unit.application.given import A_PLAN, Handlers, a_set, ctx

TOM = ("tom", Role.TRAINER)


def test_an_id_nothing_was_recorded_for_is_not_found_for_every_kind(handlers: Handlers) -> None:
    unknown = uuid4()
    for command in (lambda: handlers.sessions.pause(ctx(), PauseSession(unknown)),
                    lambda: handlers.plans.publish(ctx(*TOM), PublishPlan(unknown)),
                    lambda: handlers.subscriptions.expire(ctx(), ExpireSubscription(unknown)),
                    lambda: handlers.payments.retry(ctx(), RetryPayment(unknown))):
        with pytest.raises(NotFound):
            command()
    assert handlers.recorded() == 0


def test_the_id_of_another_kind_of_aggregate_is_not_found(handlers: Handlers) -> None:
    session_id = handlers.sessions.start(ctx(), StartWorkoutSession()).id
    with pytest.raises(NotFound, match="no Plan"):
        handlers.plans.publish(ctx(*TOM), PublishPlan(session_id))
    assert handlers.recorded() == 1


def test_a_stale_expected_version_is_a_conflict_and_records_nothing(handlers: Handlers) -> None:
    session_id = handlers.sessions.start(ctx(), StartWorkoutSession()).id
    assert handlers.sessions.log_set(ctx(), a_set(session_id, version=1)).version == 2
    with pytest.raises(VersionConflict, match="expected version 1, is 2"):
        handlers.sessions.log_set(ctx(), a_set(session_id, "bench", version=1))
    plan_id = handlers.plans.create(ctx(*TOM), A_PLAN).id
    with pytest.raises(VersionConflict):
        handlers.plans.revise(ctx(*TOM), RevisePlan(plan_id, "x", None, expected_version=7))
    assert handlers.recorded() == 3


def test_a_command_overtaken_between_its_load_and_its_write_is_a_conflict(handlers: Handlers) -> None:
    session_id = handlers.sessions.start(ctx(), StartWorkoutSession()).id

    def decide_while_another_command_commits() -> WorkoutSession:
        stale = handlers.aggregates.load(WorkoutSession, session_id)
        handlers.sessions.log_set(ctx(), a_set(session_id, "first"))
        stale.log_set("stale", 5, Decimal(100), None, stale.started_at)
        return stale

    with pytest.raises(VersionConflict):
        handlers.aggregates.execute(ctx(), decide_while_another_command_commits)
    sets = handlers.aggregates.load(WorkoutSession, session_id).sets
    assert [s.exercise for s in sets] == ["first"]


def test_a_command_that_changes_nothing_answers_where_the_aggregate_stands(handlers: Handlers) -> None:
    plan_id = handlers.plans.create(ctx(*TOM), A_PLAN).id
    published = handlers.plans.publish(ctx(*TOM), PublishPlan(plan_id))
    again = handlers.plans.publish(ctx(*TOM), PublishPlan(plan_id))
    assert (again.id, again.version, again.position) == (plan_id, 2, published.position) == (plan_id, 2, 2)
    assert handlers.recorded() == 2
