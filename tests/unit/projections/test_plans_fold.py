"""The plans read model folds a Plan's events into the aggregate's state, and its assignments."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.plan import Plan, PlanKind
from domain.values import Actor, Role
from projections.model import Row
from projections.plans import PlansModel

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
TOM = Actor("tom", Role.TRAINER)
WORKOUT = {"days": [{"name": "Legs", "exercises": [{"name": "back squat", "sets": 5, "reps": 5}]}]}
RESTED = {"days": [{"name": "Push", "exercises": [
    {"name": "bench press", "sets": 4, "reps": 8, "rest_s": 120}]}]}
MEALS = {"days": [{"name": "Monday", "meals": [
    {"name": "oats", "calories": 400, "protein_g": 20, "carbs_g": 60, "fat_g": 8}]}]}
MODEL = PlansModel()


def a_plan(kind: str = "workout", content: Any = WORKOUT) -> Plan:
    return Plan.draft(PlanKind(kind), "Strength 101", content, 29_900, TOM, T0)


def folded(plan: Plan, first_position: int = 10) -> Row:
    row = None
    for position, event in enumerate(plan.collect_events(), start=first_position):
        row = MODEL.fold(row, event, position)
    assert row is not None
    return row


def assert_matches(row: Row, plan: Plan) -> None:
    assert row == row | {
        "id": str(plan.id), "kind": plan.kind.value, "title": plan.title,
        "status": plan.status.value, "revision": plan.revision, "author_id": plan.author_id,
        "source": plan.source.value, "client_ids": plan.client_ids,
        "content": plan.content.as_json(), "price_paise": plan.price_paise,
        "created_at": plan.created_at, "updated_at": plan.updated_at, "version": plan.version,
    }


def assigned_to(plan: Plan, *clients: str) -> Plan:
    plan.publish(T0 + timedelta(minutes=1))
    for minute, client in enumerate(clients, start=2):
        plan.assign(client, T0 + timedelta(minutes=minute))
    return plan


def test_a_drafted_plan_is_a_row_at_its_first_position_with_no_assignments() -> None:
    plan = a_plan()
    row = folded(plan)
    assert_matches(row, plan)
    assert (row["seq"], row["position"], row["status"], row["source"]) == (10, 10, "draft", "trainer")
    assert MODEL.children(row) == []


def test_content_is_kept_as_the_api_accepted_it() -> None:
    assert folded(a_plan(content=RESTED))["content"] == RESTED
    assert folded(a_plan("meal", MEALS))["content"] == MEALS


def test_a_revision_replaces_title_and_content_and_counts_up() -> None:
    plan = a_plan()
    plan.revise("Strength 102", RESTED, T0 + timedelta(hours=1))
    row = folded(plan)
    assert_matches(row, plan)
    assert (row["revision"], row["title"], row["content"]) == (2, "Strength 102", RESTED)
    assert row["seq"] == 10 and row["position"] == 11


def test_each_assigned_client_is_one_assignment_to_the_author() -> None:
    plan = assigned_to(a_plan(), "alice", "bob")
    row = folded(plan)
    assert_matches(row, plan)
    assert MODEL.children(row) == [
        {"parent_id": str(plan.id), "staff_id": "tom", "client_id": "alice"},
        {"parent_id": str(plan.id), "staff_id": "tom", "client_id": "bob"},
    ]


def test_archiving_a_plan_ends_its_assignments_but_keeps_its_clients_on_record() -> None:
    plan = assigned_to(a_plan(), "alice")
    plan.archive(T0 + timedelta(days=1))
    row = folded(plan)
    assert_matches(row, plan)
    assert (row["status"], row["client_ids"]) == ("archived", ["alice"])
    assert MODEL.children(row) == []


def test_pushes_go_to_the_author_and_every_assigned_client() -> None:
    row = folded(assigned_to(a_plan(), "alice", "bob"))
    assert MODEL.rooms(row) == ("user:tom", "user:alice", "user:bob")
    assert MODEL.push_event == "plan.updated"


def test_a_row_shows_every_field_the_api_promises() -> None:
    shown = MODEL.out(folded(a_plan()))
    assert {"id", "kind", "title", "status", "revision", "author_id", "client_ids", "content",
            "price_paise", "version"} <= set(shown)
    assert shown["created_at"] == T0.isoformat()


def test_an_event_for_a_plan_never_created_is_refused() -> None:
    plan = a_plan()
    plan.publish(T0)
    with pytest.raises(LookupError):
        MODEL.fold(None, list(plan.collect_events())[1], 11)


COMMANDS: list[Callable[[Plan, datetime], None]] = [
    lambda p, at: p.revise("Renamed", None, at),
    lambda p, at: p.revise(None, RESTED, at),
    lambda p, at: p.publish(at),
    lambda p, at: p.assign("alice", at),
    lambda p, at: p.assign("bob", at),
    lambda p, at: p.archive(at),
]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(COMMANDS), max_size=12))
def test_any_command_sequence_folds_to_the_aggregates_state(commands: list[Callable[..., None]]) -> None:
    plan = a_plan()
    for tick, command in enumerate(commands, start=1):
        with contextlib.suppress(DomainError):
            command(plan, T0 + timedelta(minutes=tick))
    row = folded(plan)
    assert_matches(row, plan)
    live = [] if plan.status.value == "archived" else plan.client_ids
    assert [c["client_id"] for c in MODEL.children(row)] == live


def test_a_generated_plan_folds_from_generating_to_published_and_is_pushed_to_its_client() -> None:
    from domain.plan import Generation, PlanSource

    asha = Actor("asha", Role.CLIENT)
    plan = Plan.request_generation(PlanKind.WORKOUT, "asha", 1, None, asha, T0)
    generating = MODEL.fold(None, plan.collect_events()[0], 10)
    assert (generating["status"], MODEL.out(generating)["content"], MODEL.out(generating)["source"]) == (
        "generating", None, "ai")
    plan.complete("Legs", RESTED, Generation(PlanSource.FALLBACK, "offline", "0" * 64, "1", "NONE"), T0)
    row = generating
    for position, event in enumerate(plan.collect_events(), start=11):
        row = MODEL.fold(row, event, position)
    assert_matches(row, plan)
    assert (row["status"], row["client_ids"], MODEL.out(row)["source"]) == ("published", ["asha"], "fallback")
    pushed = MODEL.changes(row)
    assert [(c.event, c.rooms, c.data["status"]) for c in pushed] == [
        ("plan.updated", ("user:asha",), "published")]
