"""The Relationship aggregate's rules, with no IO."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import InvalidValue, RuleViolation
from domain.relationship import (
    ACTIVE,
    ADMIN,
    CARRIED_OVER,
    DECLINED,
    ENDED,
    INVITATION,
    INVITED,
    PURCHASE,
    Relationship,
    relationship_id,
)
from domain.values import Actor, Role

T0 = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
TOM, ALICE = Actor("tom", Role.TRAINER), Actor("alice", Role.CLIENT)
BOB, ROOT = Actor("bob", Role.CLIENT), Actor("root", Role.ADMIN)


def _invited() -> Relationship:
    return Relationship.invite(TOM, "alice", 0, T0)


def _active() -> Relationship:
    rel = _invited()
    rel.accept(ALICE, T0 + timedelta(minutes=1))
    return rel


def test_an_invitation_names_the_pair_and_its_id_derives_from_the_pair_and_generation():
    rel = _invited()
    assert (rel.client_id, rel.staff_id, rel.staff_role, rel.status, rel.origin) == (
        "alice", "tom", "trainer", INVITED, None)
    assert rel.id == relationship_id("alice", "tom", 0) != relationship_id("alice", "tom", 1)
    assert Relationship.invite(TOM, "alice", 0, T0 + timedelta(hours=1)).id == rel.id


def test_only_trainers_and_nutritionists_invite_and_never_themselves():
    with pytest.raises(InvalidValue):
        Relationship.invite(Actor("root", Role.ADMIN), "alice", 0, T0)
    with pytest.raises(InvalidValue):
        Relationship.invite(TOM, "tom", 0, T0)
    with pytest.raises(InvalidValue):
        Relationship.invite(TOM, "  ", 0, T0)
    assert Relationship.invite(Actor("nina", Role.NUTRITIONIST), "alice", 0, T0).staff_role == "nutritionist"


def test_the_invited_client_accepts_once_and_accepting_again_changes_nothing():
    rel = _active()
    assert (rel.status, rel.origin, rel.since) == (ACTIVE, INVITATION, T0 + timedelta(minutes=1))
    rel.collect_events()
    rel.accept(ALICE, T0 + timedelta(hours=1))
    assert rel.collect_events() == [] and rel.since == T0 + timedelta(minutes=1)


def test_only_the_invited_client_answers_and_only_while_invited():
    with pytest.raises(RuleViolation):
        _invited().accept(BOB, T0)
    declined = _invited()
    declined.decline(ALICE, T0)
    assert declined.status == DECLINED
    with pytest.raises(RuleViolation):
        declined.accept(ALICE, T0)
    with pytest.raises(RuleViolation):
        _active().decline(ALICE, T0)


def test_either_side_or_an_admin_ends_an_active_one_and_who_ended_it_is_kept():
    for actor in (ALICE, TOM, ROOT):
        rel = _active()
        rel.end(actor, T0 + timedelta(days=1))
        assert (rel.status, rel.ended_by, rel.ended_by_role) == (ENDED, actor.uid, actor.role.value)
    with pytest.raises(RuleViolation):
        _active().end(BOB, T0)
    with pytest.raises(RuleViolation):
        _invited().end(TOM, T0)


def test_ending_twice_changes_nothing():
    rel = _active()
    rel.end(ALICE, T0)
    rel.collect_events()
    rel.end(TOM, T0)
    assert rel.collect_events() == [] and rel.ended_by == "alice"


def test_a_relationship_started_at_once_says_how_and_a_pending_invitation_can_be_consented():
    for origin in (PURCHASE, ADMIN, CARRIED_OVER):
        rel = Relationship.start("alice", "tom", Role.TRAINER, 2, origin, "root", T0)
        assert (rel.status, rel.origin, rel.id) == (ACTIVE, origin, relationship_id("alice", "tom", 2))
    with pytest.raises(InvalidValue):
        Relationship.start("alice", "tom", Role.TRAINER, 0, INVITATION, "root", T0)
    with pytest.raises(InvalidValue):
        Relationship.start("alice", "tom", Role.CLIENT, 0, ADMIN, "root", T0)
    rel = _invited()
    rel.consent(PURCHASE, T0)
    assert (rel.status, rel.origin) == (ACTIVE, PURCHASE)
