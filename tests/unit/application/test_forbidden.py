"""Who may act on what: a refused command records nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from application.errors import Forbidden
from application.gateway import GatewayUnavailable
from application.payments import CapturePayment, RecordGatewayOrder, RefundPayment, RetryPayment
from application.plans import ArchivePlan, AssignPlan, PublishPlan, RevisePlan
from application.subscriptions import CancelSubscription, RequestSubscription
from application.workout_sessions import (
    AbandonSession,
    CompleteSession,
    PauseSession,
    ResumeSession,
    StartWorkoutSession,
)
from domain.payment import Payment
from domain.values import Role
from tests.unit.application.given import A_PLAN, PLAN_PRICE, Handlers, a_set, ctx

TOM, TINA, ADMIN = ("tom", Role.TRAINER), ("tina", Role.TRAINER), ("root", Role.ADMIN)


def refused(handlers: Handlers, command: Callable[[], Any]) -> None:
    before = handlers.recorded()
    with pytest.raises(Forbidden):
        command()
    assert handlers.recorded() == before


@pytest.mark.parametrize("change", [
    lambda h, sid: h.sessions.log_set(ctx("bob"), a_set(sid)),
    lambda h, sid: h.sessions.pause(ctx("bob"), PauseSession(sid)),
    lambda h, sid: h.sessions.resume(ctx("bob"), ResumeSession(sid)),
    lambda h, sid: h.sessions.complete(ctx("bob"), CompleteSession(sid)),
    lambda h, sid: h.sessions.abandon(ctx("root", Role.ADMIN), AbandonSession(sid)),
])
def test_only_the_client_who_started_a_session_changes_it(handlers: Handlers, change: Any) -> None:
    session_id = handlers.sessions.start(ctx("alice"), StartWorkoutSession()).id
    refused(handlers, lambda: change(handlers, session_id))


@pytest.mark.parametrize("change", [
    lambda h, pid: h.plans.revise(ctx(*TINA), RevisePlan(pid, title="Mine now")),
    lambda h, pid: h.plans.publish(ctx(*TINA), PublishPlan(pid)),
    lambda h, pid: h.plans.assign(ctx(*TINA), AssignPlan(pid, "alice")),
    lambda h, pid: h.plans.archive(ctx(*TINA), ArchivePlan(pid)),
])
def test_only_a_plans_author_or_an_admin_changes_it(handlers: Handlers, change: Any) -> None:
    plan_id = handlers.plans.create(ctx(*TOM), A_PLAN).id
    refused(handlers, lambda: change(handlers, plan_id))
    assert handlers.plans.publish(ctx(*ADMIN), PublishPlan(plan_id)).version == 2


def test_a_client_cancels_only_their_own_subscription_and_an_admin_any(handlers: Handlers) -> None:
    sub_id = handlers.subscriptions.request(ctx("alice"), RequestSubscription("basic_monthly")).id
    refused(handlers, lambda: handlers.subscriptions.cancel(ctx("bob"), CancelSubscription(sub_id)))
    assert handlers.subscriptions.cancel(ctx(*ADMIN), CancelSubscription(sub_id)).version == 2


def test_only_a_client_pays_and_only_for_their_own_payment(handlers: Handlers) -> None:
    a_payment = handlers.a_payment()
    refused(handlers, lambda: handlers.payments.initiate(ctx(*TOM), a_payment))
    pid = handlers.payments.initiate(ctx("alice"), a_payment).id
    refused(handlers, lambda: handlers.payments.record_order(ctx("bob"), RecordGatewayOrder(pid, "o1")))
    refused(handlers, lambda: handlers.payments.record_order(ctx(*TOM), RecordGatewayOrder(pid, "o1")))
    assert handlers.payments.record_order(ctx(*ADMIN), RecordGatewayOrder(pid, "o1")).version == 2
    refused(handlers, lambda: handlers.payments.retry(ctx("bob"), RetryPayment(pid)))


def test_only_an_admin_refunds_even_the_paying_client_may_not(handlers: Handlers) -> None:
    pid = handlers.payments.initiate(ctx("alice"), handlers.a_payment()).id
    handlers.payments.record_order(ctx(*ADMIN), RecordGatewayOrder(pid, "o1"))
    handlers.payments.capture(ctx(*ADMIN), CapturePayment(pid, "pay1", PLAN_PRICE))
    refused(handlers, lambda: handlers.payments.refund(ctx("alice"), RefundPayment(pid, "changed mind")))
    with pytest.raises(GatewayUnavailable):  # the admin's request is recorded; the gateway is out of reach
        handlers.payments.refund(ctx(*ADMIN), RefundPayment(pid, "goodwill"))
    assert handlers.aggregates.load(Payment, pid).version == 4
