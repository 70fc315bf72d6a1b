"""The Plan aggregate's rules, with no IO."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import InvalidValue, RuleViolation
from domain.plan import Plan, PlanKind, PlanSource, PlanStatus
from domain.plan_content import Exercise, Meal
from domain.values import Actor, Role

T0 = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
TRAINER = Actor("tom", Role.TRAINER)
WORKOUT = {"days": [{"name": "Legs", "exercises": [
    {"name": "back squat", "sets": 5, "reps": 5, "rest_s": 180},
    {"name": "lunge", "sets": 3, "reps": 12},
]}]}
MEALS = {"days": [{"name": "Monday", "meals": [
    {"name": "oats", "calories": 400, "protein_g": 20, "carbs_g": 60, "fat_g": 8},
]}]}


def _workout(**overrides) -> Plan:
    args = {"kind": PlanKind.WORKOUT, "title": "Strength 101", "content": WORKOUT,
            "price_paise": None, "author": TRAINER, "at": T0} | overrides
    return Plan.draft(**args)


def _published() -> Plan:
    plan = _workout()
    plan.publish(T0)
    return plan


def test_a_new_plan_is_a_first_revision_draft_with_validated_content():
    plan = _workout(price_paise=29_900)
    assert (plan.status, plan.revision, plan.author_id, plan.price_paise) == (
        PlanStatus.DRAFT, 1, "tom", 29_900)
    assert plan.content.days[0].exercises == (
        Exercise("back squat", 5, 5, 180), Exercise("lunge", 3, 12, None))
    assert plan.source is PlanSource.TRAINER


def test_a_meal_plan_holds_meals_with_calories_and_macros():
    plan = Plan.draft(PlanKind.MEAL, "Cut", MEALS, None, Actor("nia", Role.NUTRITIONIST), T0)
    assert plan.content.days[0].meals == (Meal("oats", 400, 20, 60, 8),)
    assert plan.source is PlanSource.NUTRITIONIST
    assert plan.content.as_json() == MEALS


def test_an_admin_authored_plan_takes_its_source_from_its_kind_unless_given():
    admin = Actor("ada", Role.ADMIN)
    assert _workout(author=admin).source is PlanSource.TRAINER
    assert _workout(author=admin, source=PlanSource.AI).source is PlanSource.AI


@pytest.mark.parametrize(("kind", "content", "field"), [
    (PlanKind.WORKOUT, {"days": []}, "content.days"),
    (PlanKind.WORKOUT, {"weeks": []}, "content.days"),
    (PlanKind.WORKOUT, [], "content"),
    (PlanKind.WORKOUT, {"days": [{"name": "A", "exercises": [{"name": "x", "sets": 0, "reps": 5}]}]},
     "content.days[0].exercises[0].sets"),
    (PlanKind.WORKOUT, {"days": [{"name": "A", "exercises": [{"name": "x", "sets": 3, "reps": 5.5}]}]},
     "content.days[0].exercises[0].reps"),
    (PlanKind.WORKOUT, {"days": [{"name": "A", "exercises": [{"name": "x", "sets": True, "reps": 5}]}]},
     "content.days[0].exercises[0].sets"),
    (PlanKind.WORKOUT, {"days": [{"name": "A", "exercises": [
        {"name": "x", "sets": 3, "reps": 5, "rest_s": -1}]}]}, "content.days[0].exercises[0].rest_s"),
    (PlanKind.WORKOUT, {"days": [{"name": "A", "exercises": [
        {"name": "x", "sets": 3, "reps": 5, "weight": 9}]}]}, "content.days[0].exercises[0].weight"),
    (PlanKind.WORKOUT, {"days": [{"name": " ", "exercises": [{"name": "x", "sets": 3, "reps": 5}]}]},
     "content.days[0].name"),
    (PlanKind.WORKOUT, {"days": [{"name": "A", "meals": []}]}, "content.days[0].exercises"),
    (PlanKind.MEAL, WORKOUT, "content.days[0].meals"),
    (PlanKind.MEAL, {"days": [{"name": "A", "meals": [
        {"name": "m", "calories": 100, "protein_g": -1, "carbs_g": 0, "fat_g": 0}]}]},
     "content.days[0].meals[0].protein_g"),
    (PlanKind.MEAL, {"days": [{"name": "A", "meals": [
        {"name": "m", "calories": 100, "protein_g": 50, "carbs_g": 50, "fat_g": 50}]}]},
     "content.days[0].meals[0].calories"),
])
def test_content_that_does_not_fit_its_kind_is_invalid_with_the_field_path(kind, content, field):
    with pytest.raises(InvalidValue) as error:
        Plan.draft(kind, "A plan", content, None, TRAINER, T0)
    assert error.value.field == field


def test_two_days_with_the_same_name_are_invalid():
    day = WORKOUT["days"][0]
    with pytest.raises(InvalidValue) as error:
        _workout(content={"days": [day, {**day, "name": "legs"}]})
    assert error.value.field == "content.days[1].name"


@pytest.mark.parametrize("price", [-1, 1.5, True, "100", 10**9])
def test_a_price_must_be_whole_non_negative_paise_within_bounds(price):
    with pytest.raises(InvalidValue) as error:
        _workout(price_paise=price)
    assert error.value.field == "price_paise"


def test_an_unknown_kind_or_a_blank_title_is_invalid():
    with pytest.raises(InvalidValue):
        _workout(kind="yoga")
    with pytest.raises(InvalidValue):
        _workout(title="   ")


def test_revising_bumps_the_revision_and_keeps_what_was_not_given():
    plan = _workout()
    plan.revise("Strength 102", None, T0 + timedelta(hours=1))
    assert (plan.revision, plan.title, plan.content.days[0].name) == (2, "Strength 102", "Legs")
    plan.revise(None, {"days": [{"name": "Push", "exercises": [{"name": "press", "sets": 3,
                                                               "reps": 8}]}]}, T0)
    assert (plan.revision, plan.title, plan.content.days[0].name) == (3, "Strength 102", "Push")


def test_a_revision_needs_something_to_change_and_valid_content():
    plan = _workout()
    with pytest.raises(InvalidValue):
        plan.revise(None, None, T0)
    with pytest.raises(InvalidValue):
        plan.revise(None, {"days": []}, T0)
    assert plan.revision == 1 and not plan.collect_events()[1:]


def test_a_published_plan_can_still_be_revised():
    plan = _published()
    plan.revise("Updated", None, T0)
    assert (plan.status, plan.revision) == (PlanStatus.PUBLISHED, 2)


def test_publishing_twice_records_one_publication():
    plan = _published()
    plan.publish(T0)
    assert [type(e).__name__ for e in plan.collect_events()] == ["Created", "Published"]


def test_only_a_published_plan_can_be_assigned():
    with pytest.raises(RuleViolation):
        _workout().assign("alice", T0)


def test_assigning_the_same_client_twice_changes_nothing():
    plan = _published()
    plan.assign("alice", T0)
    plan.assign("alice", T0)
    plan.assign("bob", T0)
    assert plan.client_ids == ["alice", "bob"]
    assert len(plan.collect_events()) == 4


def test_an_archived_plan_refuses_every_change():
    plan = _published()
    plan.archive(T0)
    before = copy.deepcopy({k: v for k, v in vars(plan).items() if k != "_pending_events"})
    for change in (lambda: plan.revise("x", None, T0), lambda: plan.publish(T0),
                   lambda: plan.assign("alice", T0), lambda: plan.archive(T0)):
        with pytest.raises(RuleViolation):
            change()
    assert {k: v for k, v in vars(plan).items() if k != "_pending_events"} == before


def test_a_draft_can_be_archived_without_being_published():
    plan = _workout()
    plan.archive(T0)
    assert plan.status is PlanStatus.ARCHIVED


def test_only_the_author_or_an_admin_may_change_a_plan():
    plan = _workout()
    assert plan.may_be_changed_by(TRAINER)
    assert plan.may_be_changed_by(Actor("ada", Role.ADMIN))
    assert not plan.may_be_changed_by(Actor("tim", Role.TRAINER))
