"""Upgrade: plans assigned before consent existed (events written the old way, no relationship)
keep relating their authors to their clients; the init step is idempotent, in both profiles."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from application.context import CommandContext
from application.relationships import InviteClient
from domain.plan import Plan, PlanKind
from domain.relationship import Relationship
from domain.values import Actor, Role
from infrastructure.bootstrap import init_storage
from infrastructure.carry_over import carry_over_assignments

T0 = datetime(2026, 10, 1, 6, 0, tzinfo=UTC)
META = {"actor_id": "old", "role": "trainer", "trace_id": "t"}
WORKOUT = {"days": [{"name": "Legs", "exercises": [{"name": "back squat", "sets": 5, "reps": 5}]}]}


def _assigned_the_old_way(system, author: Actor, *clients: str, archived: bool = False) -> Plan:
    plan = Plan.draft(PlanKind.WORKOUT, "Old plan", WORKOUT, None, author, T0)
    plan.publish(T0)
    for client in clients:
        plan.assign(client, T0)
    if archived:
        plan.archive(T0)
    system.log.commit(plan, META, [])
    return plan


def _pairs(api, auth, position: int) -> set[tuple[str, str, str]]:
    answer = api.get("/v1/queries/relationships", params={"min_position": position, "limit": 100},
                     headers=auth("root", "admin"))
    assert answer.status_code == 200, answer.text
    return {(r["client_id"], r["staff_id"], r["origin"]) for r in answer.json()["items"]
            if r["status"] == "active"}


def test_pairs_of_plans_assigned_before_the_upgrade_are_carried_over_once(api, auth, system):
    tom, nina = Actor("tom", Role.TRAINER), Actor("nina", Role.NUTRITIONIST)
    _assigned_the_old_way(system, tom, "alice", "bob")
    _assigned_the_old_way(system, tom, "alice")
    _assigned_the_old_way(system, nina, "carol", archived=True)  # archived: it gave no access
    _assigned_the_old_way(system, Actor("root", Role.ADMIN), "dave")  # admins see all anyway
    init_storage(system.settings)
    head = system.log.recorder.max_notification_id()
    assert _pairs(api, auth, head) == {("alice", "tom", "carried_over"), ("bob", "tom", "carried_over")}
    assert carry_over_assignments(system.log, lambda: T0) == 0
    head = system.log.recorder.max_notification_id()  # the admin's first request recorded her User
    init_storage(system.settings)
    assert system.log.recorder.max_notification_id() == head
    sessions = api.get("/v1/queries/workout-sessions", params={"min_position": head},
                       headers=auth("tom", "trainer"))
    assert sessions.status_code == 200


def test_a_carried_over_relationship_can_be_ended_and_is_not_carried_over_again(api, auth, system):
    _assigned_the_old_way(system, Actor("tom", Role.TRAINER), "alice")
    assert carry_over_assignments(system.log, lambda: T0) == 1
    head = system.log.recorder.max_notification_id()
    [row] = api.get("/v1/queries/relationships", params={"min_position": head},
                    headers=auth("alice")).json()["items"]
    ended = api.post(f"/v1/commands/relationships/{row['id']}/end", json={}, headers=auth("alice"))
    assert ended.status_code == 200, ended.text
    assert carry_over_assignments(system.log, lambda: T0) == 0
    assert _pairs(api, auth, ended.json()["position"]) == set()


def test_concurrent_invitations_of_one_pair_record_one_invitation(system):
    staff = Actor(f"tom-{uuid.uuid4().hex[:6]}", Role.TRAINER)

    def invite(_: int) -> str:
        ctx = CommandContext(staff, datetime.now(UTC), uuid.uuid4().hex)
        return str(system.relationships.invite(ctx, InviteClient("alice")).id)

    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(invite, range(16)))
    assert len(ids) == 1
    rel = system.log.latest(uuid.UUID(ids.pop()))
    assert isinstance(rel, Relationship) and rel.version == 1
    assert system.relationships.current("alice", staff.uid)[0] == 1
