"""Commands the policies and the scheduler issue as the system: what a payment or the clock settles.

They span aggregates (a captured payment decides about its subscription or its plan), so they live
here, in the application; every one is idempotent by its own rule, and the caller adds an
idempotency key derived from what caused it, so a repeat changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from application.aggregates import Aggregates
from application.context import CommandContext, CommandResult
from application.errors import NotFound
from application.gateway import GatewayError
from application.payment_commands import OpenOrder
from application.payments import Payments
from application.relationships import Relationships
from application.subscription_commands import EndPeriod, ExpireSubscription, HaltSubscription, MarkPastDue
from application.subscriptions import Subscriptions
from domain.payment import Payment, PaymentMethod, PaymentStatus, PurposeKind
from domain.plan import Plan
from domain.relationship import PURCHASE, STAFF_ROLES
from domain.subscription import PENDING, Subscription
from domain.values import Actor, Role
from domain.workout_session import WorkoutSession

log = logging.getLogger("gymgenius.lifecycle")



@dataclass(frozen=True)
class SettleCapturedPayment:
    """A captured payment pays for what it was for: its subscription's period, or its plan."""

    payment_id: UUID
    captured_at: datetime


@dataclass(frozen=True)
class CancelForFullRefund:
    """A payment refunded in whole that paid for the current period cancels its subscription now."""

    payment_id: UUID


@dataclass(frozen=True)
class RecordAutopayCharge:
    """The gateway charged an autopay mandate: the charge is recorded as a captured payment
    (which, being captured, then pays the subscription's next period)."""

    subscription_id: UUID
    gateway_payment_id: str | None
    gateway_order_id: str | None
    amount_paise: int | None
    charged_at: datetime


@dataclass(frozen=True)
class OrderRenewalPayment:
    """A manual period ends soon: order the next one (its payment), so the client can pay it."""

    subscription_id: UUID
    period_start: datetime


@dataclass(frozen=True)
class AbandonIdleSession:
    """A workout session with no activity for the idle limit is abandoned."""

    session_id: UUID


def system_actor(name: str) -> Actor:
    """The actor a policy or the scheduler acts as: a uid no token names, a role no token carries."""
    return Actor(name, Role.SYSTEM)


class Lifecycle:
    """Handles the system's commands; `dispatch` runs any command a policy or the scheduler issues."""

    def __init__(self, aggregates: Aggregates, subscriptions: Subscriptions, payments: Payments,
                 relationships: Relationships | None = None) -> None:
        self.aggregates, self.payments = aggregates, payments
        self.relationships = relationships or Relationships(aggregates)
        self.handlers: dict[type, Callable[..., CommandResult]] = {
            SettleCapturedPayment: self.settle, CancelForFullRefund: self.cancel_for_refund,
            AbandonIdleSession: self.abandon_idle, OrderRenewalPayment: self.order_renewal,
            RecordAutopayCharge: self.record_charge, MarkPastDue: subscriptions.mark_past_due,
            ExpireSubscription: subscriptions.expire, HaltSubscription: subscriptions.halt,
            EndPeriod: subscriptions.end_period,
        }

    def dispatch(self, ctx: CommandContext, command: Any) -> CommandResult:
        handler = self.handlers.get(type(command))
        if handler is None:
            raise TypeError(f"no handler for {type(command).__name__}")
        return handler(ctx, command)

    def settle(self, ctx: CommandContext, cmd: SettleCapturedPayment) -> CommandResult:
        payment = self.aggregates.load(Payment, cmd.payment_id)
        target = _reference(payment)
        if payment.purpose.kind is PurposeKind.PLAN:
            self._relate_to_author(ctx, payment.client_id, target)
            return self.aggregates.change(ctx, Plan, target, None,
                                          lambda plan: plan.assign(payment.client_id, ctx.at))
        return self.aggregates.change(ctx, Subscription, target, None,
                                      lambda sub: _pay_period(sub, payment, cmd.captured_at, ctx.at))

    def _relate_to_author(self, ctx: CommandContext, client_id: str, plan_id: UUID) -> None:
        """Buying a trainer's or nutritionist's plan is the client's consent to a relationship
        with its author: it starts before the plan is assigned (its own key, from the caller's)."""
        plan = self.aggregates.load(Plan, plan_id)
        role = Role(plan.author_role)
        if role in STAFF_ROLES and plan.author_id != client_id:
            self.relationships.begin(_step(ctx, "relationship"), client_id, plan.author_id, role, PURCHASE)

    def cancel_for_refund(self, ctx: CommandContext, cmd: CancelForFullRefund) -> CommandResult:
        payment = self.aggregates.load(Payment, cmd.payment_id)
        if payment.purpose.kind is PurposeKind.PLAN:
            return self.aggregates.execute(ctx, lambda: payment)  # a plan stays bought: nothing to do
        target = _reference(payment)

        def cancel(sub: Subscription) -> None:
            if payment.status is PaymentStatus.REFUNDED and paid_current_period(sub, payment):
                sub.cancel(False, ctx.at)

        return self.aggregates.change(ctx, Subscription, target, None, cancel)

    def record_charge(self, ctx: CommandContext, cmd: RecordAutopayCharge) -> CommandResult:
        sub = self.aggregates.load(Subscription, cmd.subscription_id)
        return self.aggregates.create(ctx, lambda: Payment.record_charge(
            sub.client_id, PurposeKind.SUBSCRIPTION.value, str(sub.id),
            sub.tier.amount_paise if cmd.amount_paise is None else cmd.amount_paise,
            PaymentMethod.UPI.value, cmd.gateway_order_id, cmd.gateway_payment_id or "", cmd.charged_at))

    def order_renewal(self, ctx: CommandContext, cmd: OrderRenewalPayment) -> CommandResult:
        """The next period's payment, for the client, priced by the tier; then the subscription
        says its renewal is due with that payment. Each step has its own key, derived from the
        caller's, so an interrupted order is finished, never made twice."""
        sub = self.aggregates.load(Subscription, cmd.subscription_id)
        if sub.renewal_due and sub.current_period_end == cmd.period_start:
            return self.aggregates.execute(ctx, lambda: sub)
        paid = self.aggregates.create(_step(ctx, "payment"), lambda: Payment.initiate(
            sub.client_id, PurposeKind.SUBSCRIPTION.value, str(sub.id), sub.tier.amount_paise,
            PaymentMethod.UPI.value, None, ctx.at))
        try:
            self.payments.open_order(ctx, OpenOrder(paid.id))
        except GatewayError as error:  # the client's Checkout opens it later; the renewal is due anyway
            log.warning("renewal order not opened at the gateway: %s", error)
        return self.aggregates.change(_step(ctx, "order"), Subscription, sub.id, None,
                                      lambda s: s.order_renewal(str(paid.id), cmd.period_start, ctx.at))

    def abandon_idle(self, ctx: CommandContext, cmd: AbandonIdleSession) -> CommandResult:
        def abandon(session: WorkoutSession) -> None:
            if session.is_idle(ctx.at):
                session.abandon(ctx.at, reason="idle")

        return self.aggregates.change(ctx, WorkoutSession, cmd.session_id, None, abandon)


def _step(ctx: CommandContext, step: str) -> CommandContext:
    key = f"{ctx.idempotency_key}:{step}" if ctx.idempotency_key else None
    return replace(ctx, idempotency_key=key)


def _reference(payment: Payment) -> UUID:
    try:
        return UUID(payment.purpose.reference_id)
    except ValueError:
        raise NotFound(payment.purpose.kind.value, payment.purpose.reference_id) from None


def _pay_period(sub: Subscription, payment: Payment, captured_at: datetime, at: datetime) -> None:
    """The first payment starts the first period at its capture; a later one adds the next period."""
    if paid_current_period(sub, payment):
        return
    if sub.status is PENDING:
        sub.activate(captured_at, at, payment_id=str(payment.id))
    else:
        sub.renew(at, payment_id=str(payment.id))


def paid_current_period(sub: Subscription, payment: Payment) -> bool:
    return sub.current_payment_id == str(payment.id)
