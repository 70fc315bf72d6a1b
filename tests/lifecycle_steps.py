"""Money and lifecycle steps for tests: subscribe, pay, capture, refund, as clients and admins do,
through the application's handlers; and the events the store holds, counted by type."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from uuid import UUID

from application.context import CommandContext
from application.payments import CapturePayment, InitiatePayment, RecordGatewayOrder
from application.plans import CreatePlan, PublishPlan
from application.subscriptions import CancelSubscription, RequestSubscription
from domain.payment import Payment
from domain.plan import PlanKind
from domain.values import Actor, Role
from infrastructure.bootstrap import System

PRICE = 49_900  # basic_monthly
WORKOUT = {"days": [{"name": "Legs", "exercises": [{"name": "back squat", "sets": 5, "reps": 5}]}]}


def ctx(uid: str, role: Role = Role.CLIENT, at: datetime | None = None) -> CommandContext:
    return CommandContext(Actor(uid, role), at or datetime.now(UTC), uuid.uuid4().hex)


class Money:
    """A client's money steps against one system."""

    def __init__(self, system: System) -> None:
        self.system = system

    def subscribe(self, client: str, at: datetime | None = None, tier: str = "basic_monthly") -> UUID:
        return self.system.subscriptions.request(ctx(client, at=at), RequestSubscription(tier)).id

    def pay(self, client: str, purpose: str, reference: UUID, at: datetime | None = None,
            *, unasked: bool = False) -> UUID:
        """Initiates a UPI payment (priced by the catalogue) and captures it as the gateway would.
        `unasked`: a payment of the tier's price the client could not start now (the subscription
        is running with no renewal due), as a second Checkout of the same order would make it."""
        payments = self.system.payments
        if unasked:
            pid = self.system.aggregates.create(ctx(client, at=at), lambda: Payment.initiate(
                client, purpose, str(reference), PRICE, "upi", "phonepe", at or datetime.now(UTC))).id
        else:
            pid = payments.initiate(ctx(client, at=at), InitiatePayment(
                purpose, str(reference), "upi", "phonepe")).id  # type: ignore[arg-type]
        payments.record_order(ctx(client, at=at), RecordGatewayOrder(pid, f"order_{pid.hex[:10]}"))
        amount = self.system.log.latest(pid).amount.paise  # type: ignore[union-attr]
        payments.capture(ctx(client, at=at), CapturePayment(pid, f"pay_{pid.hex[:10]}", amount))
        return pid

    def refund(self, pid: UUID, amount: int | None = None) -> None:
        """The gateway refunded (part of) a payment, as `refund.processed` records it."""
        def refunded(payment: Payment) -> None:
            left = payment.amount.paise - payment.refunded_paise
            payment.record_refund(f"rfnd_{uuid.uuid4().hex[:10]}", amount or left, None, "goodwill",
                                  datetime.now(UTC))

        self.system.aggregates.change(ctx("razorpay", Role.SYSTEM), Payment, pid, None, refunded)

    def cancel_at_period_end(self, client: str, sub: UUID) -> None:
        self.system.subscriptions.cancel(ctx(client), CancelSubscription(sub, at_period_end=True))

    def priced_plan(self, author: str = "trainer-1", price: int = 29_900) -> UUID:
        plans, author_ctx = self.system.plans, ctx(author, Role.TRAINER)
        pid = plans.create(author_ctx, CreatePlan(PlanKind.WORKOUT, "Strength", WORKOUT, price)).id
        plans.publish(author_ctx, PublishPlan(pid))
        return pid


def events_of(system: System, aggregate_id: UUID) -> list[str]:
    """The names of an aggregate's stored events, oldest first."""
    return [type(e).__name__ for e in system.log.events.get(aggregate_id)]


def count_topics(system: System, suffix: str) -> int:
    """How many stored events (of any aggregate) have a topic ending in `suffix`."""
    recorder = system.log.recorder
    return sum(1 for n in recorder.select_notifications(1, 1_000_000) if n.topic.endswith(suffix))
