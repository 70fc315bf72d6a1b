"""Relationship commands over an in-memory store: consent before assignment, a purchase as consent
(once, however often the policy delivers it), and idempotent keys."""

from __future__ import annotations

import pytest

from application.errors import Forbidden
from application.lifecycle import Lifecycle, SettleCapturedPayment
from application.plans import AssignPlan, PublishPlan
from application.relationships import (
    AcceptInvitation,
    EndRelationship,
    InviteClient,
    Relationships,
    StartRelationship,
)
from domain.errors import InvalidValue
from domain.payment import Payment
from domain.relationship import ACTIVE, PURCHASE, Relationship
from domain.values import Role
from tests.unit.application.given import A_PLAN, PLAN_PRICE, T0, Handlers, ctx


def _published(handlers: Handlers) -> str:
    plan = handlers.plans.create(ctx("tom", Role.TRAINER), A_PLAN).id
    handlers.plans.publish(ctx("tom", Role.TRAINER), PublishPlan(plan))
    return str(plan)


def test_a_plan_is_assigned_to_a_client_only_after_they_accepted(handlers: Handlers) -> None:
    relationships = Relationships(handlers.aggregates)
    plan = handlers.plans.create(ctx("tom", Role.TRAINER), A_PLAN).id
    handlers.plans.publish(ctx("tom", Role.TRAINER), PublishPlan(plan))
    with pytest.raises(Forbidden):
        handlers.plans.assign(ctx("tom", Role.TRAINER), AssignPlan(plan, "alice"))
    invitation = relationships.invite(ctx("tom", Role.TRAINER), InviteClient("alice")).id
    with pytest.raises(Forbidden):
        handlers.plans.assign(ctx("tom", Role.TRAINER), AssignPlan(plan, "alice"))
    relationships.accept(ctx("alice"), AcceptInvitation(invitation))
    assert handlers.plans.assign(ctx("tom", Role.TRAINER), AssignPlan(plan, "alice")).version == 3
    relationships.end(ctx("alice"), EndRelationship(invitation))
    assert not relationships.is_active("alice", "tom")


def test_a_repeated_keyed_invitation_is_answered_again(handlers: Handlers) -> None:
    relationships = Relationships(handlers.aggregates)
    keyed = ctx("tom", Role.TRAINER, key="k1", body={"c": "alice"})
    first = relationships.invite(keyed, InviteClient("alice"))
    again = relationships.invite(keyed, InviteClient("alice"))
    assert (again.id, again.version, again.position) == (first.id, first.version, first.position)


def test_an_admin_start_needs_a_role_it_can_know(handlers: Handlers) -> None:
    relationships = Relationships(handlers.aggregates, role_of={"nina": Role.NUTRITIONIST}.get)
    with pytest.raises(InvalidValue):
        relationships.start(ctx("root", Role.ADMIN), StartRelationship("alice", "tom"))
    started = relationships.start(ctx("root", Role.ADMIN), StartRelationship("alice", "nina"))
    rel = handlers.log.latest(started.id)
    assert isinstance(rel, Relationship) and (rel.staff_role, rel.status) == ("nutritionist", ACTIVE)


def test_a_captured_plan_payment_relates_the_buyer_to_the_author_once(handlers: Handlers) -> None:
    plan = _published(handlers)
    payment = Payment.initiate("bob", "plan", plan, PLAN_PRICE, "upi", None, T0)
    payment.record_gateway_order("order_1", T0)
    payment.record_capture("pay_1", PLAN_PRICE, "INR", T0)
    handlers.log.commit(payment, {"actor_id": "razorpay", "role": "system", "trace_id": "t"}, [])
    lifecycle = Lifecycle(handlers.aggregates, handlers.subscriptions, handlers.payments)
    for _ in range(2):  # a redelivery of the same event changes nothing
        keyed = ctx("system", Role.SYSTEM, key="settlement:p:3")
        lifecycle.settle(keyed, SettleCapturedPayment(payment.id, T0))
    generation, rel = lifecycle.relationships.current("bob", "tom")
    assert generation == 1 and rel is not None and (rel.status, rel.origin) == (ACTIVE, PURCHASE)


def test_a_pair_related_again_and_again_is_found_by_every_process_with_one_load(handlers: Handlers) -> None:
    """Generations only grow and none follows a live one: a process that has seen the pair's
    newest generation loads that one only; another process walks and finds the same."""
    here, elsewhere = Relationships(handlers.aggregates), Relationships(handlers.aggregates)
    for generation in range(4):
        started = here.start(ctx("root", Role.ADMIN), StartRelationship("alice", "tom", Role.TRAINER))
        assert here.current("alice", "tom")[0] == generation + 1
        assert here.is_active("alice", "tom") and elsewhere.is_active("alice", "tom")
        here.end(ctx("alice"), EndRelationship(started.id))
        assert not here.is_active("alice", "tom") and not elsewhere.is_active("alice", "tom")
    invited = elsewhere.invite(ctx("tom", Role.TRAINER), InviteClient("alice"))  # generation 4
    assert here.current("alice", "tom") == (5, handlers.log.latest(invited.id))
    loads: list[object] = []
    latest = handlers.aggregates.store.latest
    handlers.aggregates.store.latest = (  # type: ignore[method-assign]
        lambda i, **kw: loads.append(i) or latest(i, **kw))
    elsewhere.accept(ctx("alice"), AcceptInvitation(invited.id))
    loads.clear()
    assert here.is_active("alice", "tom") and loads == [invited.id]
