"""The relationships read model folds a Relationship's events, and says when access ends; the
plans model pushes each client a row with only their own id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.plan import Plan, PlanKind
from domain.relationship import PURCHASE, Relationship
from domain.values import Actor, Role
from projections.model import Row
from projections.plans import PlansModel
from projections.relationships import RelationshipsModel

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
TOM, ALICE = Actor("tom", Role.TRAINER), Actor("alice", Role.CLIENT)
MODEL = RelationshipsModel()
WORKOUT = {"days": [{"name": "Legs", "exercises": [{"name": "back squat", "sets": 5, "reps": 5}]}]}


def folded(rel: Relationship, row: Row | None = None, position: int = 10) -> Row:
    for event in rel.collect_events():
        row = MODEL.fold(row, event, position)
        position += 1
    assert row is not None
    return row


def test_an_invitation_then_its_acceptance_and_end_are_one_row_and_only_the_end_ends_access() -> None:
    rel = Relationship.invite(TOM, "alice", 0, T0)
    row = folded(rel)
    assert (row["status"], row["origin"], row["version"], row["seq"]) == ("invited", None, 1, 10)
    assert MODEL.changes(row)[0].ends_access is None
    rel.accept(ALICE, T0 + timedelta(minutes=1))
    row = folded(rel, row, 11)
    assert (row["status"], row["origin"], row["since"], row["seq"]) == (
        "active", "invitation", T0 + timedelta(minutes=1), 10)
    assert MODEL.changes(row)[0].ends_access is None
    rel.end(TOM, T0 + timedelta(days=1))
    row = folded(rel, row, 12)
    [change] = MODEL.changes(row)
    assert (row["status"], row["ended_by"], row["version"]) == ("ended", "tom", 3)
    assert change.ends_access == ("tom", "alice")
    assert {"user:alice", "user:tom", "role:admin"} <= set(change.rooms)
    assert change.data["since"] == (T0 + timedelta(days=1)).isoformat()


def test_a_relationship_started_at_once_is_active_with_its_origin() -> None:
    row = folded(Relationship.start("alice", "nina", Role.NUTRITIONIST, 1, PURCHASE, "system", T0))
    assert (row["status"], row["origin"], row["staff_role"]) == ("active", PURCHASE, "nutritionist")


def test_a_plans_pushes_give_the_author_every_client_and_each_client_only_themselves() -> None:
    plan = Plan.draft(PlanKind.WORKOUT, "Legs", WORKOUT, None, TOM, T0)
    plan.publish(T0)
    for client in ("alice", "bob"):
        plan.assign(client, T0)
    row = None
    for position, event in enumerate(plan.collect_events(), start=1):
        row = PlansModel().fold(row, event, position)
    assert row is not None
    pushed = {change.rooms: change.data["client_ids"] for change in PlansModel().changes(row)}
    assert pushed == {("user:tom",): ["alice", "bob"], ("user:alice",): ["alice"],
                      ("user:bob",): ["bob"]}
