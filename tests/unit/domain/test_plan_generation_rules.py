"""The rules a generated plan keeps, the offline generator that always keeps them, and the
generated plan's life: generating, then a client's own published and assigned, a staff draft."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import RuleViolation
from domain.plan import Generation, Plan, PlanKind, PlanSource, PlanStatus
from domain.plan_fallback import DIETS, DISHES, MOVES, fallback_plan
from domain.plan_rules import ClientProfile, check_generated, names_allergen
from domain.values import Actor, Role

AT = datetime(2026, 11, 30, 8, tzinfo=UTC)
NOBODY = ClientProfile()
SQUAT = {"name": "Goblet squat", "sets": 4, "reps": 8, "rest_s": 90}
OATS = {"name": "Oats", "calories": 400, "protein_g": 20, "carbs_g": 60, "fat_g": 8}  # macros: 392
GENERATION = Generation(PlanSource.AI, "gemini-test", "0" * 64, "1", "STOP", 10, 20)


def workout(*exercises: dict, days: int = 1) -> dict:
    return {"days": [{"name": f"Day {i}", "exercises": list(exercises)} for i in range(days)]}


def meals(*items: dict) -> dict:
    return {"days": [{"name": "Monday", "meals": list(items)}]}


def errors(kind: PlanKind, content: dict, profile: ClientProfile = NOBODY, days: int = 1) -> list[str]:
    return check_generated(kind, content, profile, days).errors


def test_a_plan_keeping_every_rule_passes():
    assert errors(PlanKind.WORKOUT, workout(SQUAT)) == [] and errors(PlanKind.MEAL, meals(OATS)) == []


@pytest.mark.parametrize(("change", "broken"), [
    ({"sets": 11}, "sets"), ({"reps": 60}, "reps"), ({"rest_s": 5}, "rest_s"), ({"rest_s": None}, "rest_s"),
    ({"name": "Squat\u0000"}, "printable"),
])
def test_training_loads_out_of_range_are_errors(change, broken):
    exercise = {k: v for k, v in {**SQUAT, **change}.items() if v is not None}
    assert broken in " ".join(errors(PlanKind.WORKOUT, workout(exercise)))


def test_calories_must_be_within_ten_percent_of_the_macros():
    assert errors(PlanKind.MEAL, meals({**OATS, "calories": 431})) == []
    assert "within 10%" in errors(PlanKind.MEAL, meals({**OATS, "calories": 440}))[0]
    assert "within 10%" in errors(PlanKind.MEAL, meals({**OATS, "calories": 350}))[0]


def test_the_day_count_the_shape_and_the_allergens_are_checked():
    assert errors(PlanKind.WORKOUT, workout(SQUAT), days=3) == ["content.days: give exactly 3 days"]
    assert errors(PlanKind.WORKOUT, {"days": "many"})[0].startswith("content.days:")
    allergic = ClientProfile(allergies=("peanuts",))
    assert "allergic" in errors(PlanKind.MEAL, meals({**OATS, "name": "Peanut chikki"}), allergic)[0]


@pytest.mark.parametrize(("name", "allergen", "named"), [
    ("Peanut butter toast", "peanuts", True), ("Peanut butter toast", "peanut", True),
    ("Boiled eggs", "egg", True), ("Pineapple", "apple", False), ("Eggplant curry", "egg", False),
    ("Tree nut mix", "tree nuts", True), ("Anything", "!!", False),
])
def test_an_allergen_is_named_as_a_word_or_phrase(name, allergen, named):
    assert names_allergen(name, allergen) is named


words = st.text(st.characters(categories=("Ll",)), min_size=4, max_size=12)
profiles = st.builds(
    ClientProfile,
    goal=st.sampled_from(["strength", "hypertrophy", "fat_loss", "endurance", "general"]),
    level=st.sampled_from(["beginner", "intermediate", "advanced"]),
    diet=st.sampled_from(list(DIETS)),
    equipment=st.lists(st.sampled_from(["dumbbells", "barbell", "kettlebell", "resistance band",
                                        "pull-up bar", "bike"]) | words, max_size=4).map(tuple),
    allergies=st.lists(st.sampled_from(["peanuts", "milk", "dairy", "egg", "wheat", "gluten", "soy",
                                        "fish", "shellfish", "sesame", "tree nuts", "chickpeas"]) | words,
                       max_size=6).map(tuple),
    injuries=st.lists(st.sampled_from(["knee", "lower back", "shoulder", "wrist", "ankle"]) | words,
                      max_size=3).map(tuple),
    weight_kg=st.none() | st.floats(20, 400),
)


@settings(max_examples=100, deadline=None)
@given(kind=st.sampled_from(PlanKind), profile=profiles, days=st.integers(1, 7))
def test_any_profile_gives_a_valid_fallback_plan_the_same_every_time(kind, profile, days):
    title, content = fallback_plan(kind, profile, days)
    assert check_generated(kind, content, profile, days).errors == []
    assert fallback_plan(kind, profile, days) == (title, content) and title
    names = {item["name"] for day in content["days"] for item in day.get("exercises", day.get("meals", []))}
    strict = DIETS[profile.diet]
    assert not names & {d.name for d in DISHES if DIETS[d.diet] > strict}
    hurt = " ".join(profile.injuries)
    assert not names & {m.name for m in MOVES if any(part in hurt for part in m.strains)}
    owned = " ".join(profile.equipment)
    assert not names & {m.name for m in MOVES if m.needs and m.needs not in owned}


def test_the_fallback_leaves_out_what_the_client_is_allergic_to():
    vegan_allergic = ClientProfile(diet="vegan", allergies=("peanuts", "soy", "legume", "wheat"))
    _, content = fallback_plan(PlanKind.MEAL, vegan_allergic, 7)
    eaten = {m["name"] for d in content["days"] for m in d["meals"]}
    unsafe = {"Poha with peanuts", "Tofu stir-fry with rice", "Dal khichdi", "Vegetable upma"}
    assert eaten and not eaten & unsafe


def requested(author: Actor, client_id: str) -> Plan:
    return Plan.request_generation(PlanKind.WORKOUT, client_id, 3, "short sessions", author, AT)


def test_a_clients_own_generated_plan_ends_published_and_assigned_to_them():
    plan = requested(Actor("asha", Role.CLIENT), "asha")
    assert plan.status is PlanStatus.GENERATING and plan.for_self
    with pytest.raises(RuleViolation):
        plan.publish(AT)
    plan.complete("Strength", workout(SQUAT, days=3), GENERATION, AT)
    assert (plan.status, plan.client_ids, plan.source, plan.generation) == (
        PlanStatus.PUBLISHED, ["asha"], PlanSource.AI, GENERATION)
    names = [type(e).__qualname__ for e in plan.collect_events()]
    assert names == ["Plan.GenerationRequested", "Plan.Generated", "Plan.Published", "Plan.Assigned"]


def test_a_staff_request_ends_as_a_draft_and_completes_once():
    plan = requested(Actor("tara", Role.TRAINER), "ravi")
    plan.complete("Strength", workout(SQUAT, days=3), GENERATION, AT)
    plan.complete("Again", workout(SQUAT, days=3), GENERATION, AT)  # a redelivery: nothing
    plan.fail("late", AT)
    assert (plan.status, plan.title, plan.client_ids, plan.version) == (PlanStatus.DRAFT, "Strength", [], 2)


def test_a_generation_that_fails_is_recorded_once():
    plan = requested(Actor("tara", Role.TRAINER), "ravi")
    plan.fail("no worker completed the generation", AT)
    plan.fail("again", AT)
    assert plan.status is PlanStatus.FAILED and plan.version == 2
