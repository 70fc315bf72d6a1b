"""Razorpay's webhooks as commands: signed over the raw body, once per event id, in any order.

A delivery's changes and its GatewayNotice are committed in one transaction: a second delivery
of the same event id meets the notice and is a duplicate that writes nothing. A delivery that
loses a race with another one about the same payment decides again on the news (bounded).
"""

from __future__ import annotations

import json
import uuid
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Literal

from eventsourcing.domain import Aggregate

from application.context import CommandContext
from application.errors import BadSignature, MalformedNotice, VersionConflict
from application.gateway import Entity, GatewayRejected, PaymentGateway
from application.ports import EventStore, StaleWrite
from application.reported import apply_reported
from domain.errors import DomainError
from domain.gateway_notice import GatewayNotice, notice_id
from domain.payment import Payment
from domain.subscription import Subscription

Answer = Literal["processed", "duplicate", "ignored"]
Decided = tuple[list[Aggregate], GatewayNotice]  # what changed, and the notice to save with it
RACES = 5
PAYMENT_EVENTS = frozenset({
    "payment.authorized", "payment.captured", "payment.failed", "order.paid", "refund.processed",
    "refund.failed", "payment.dispute.created", "payment.dispute.won", "payment.dispute.lost",
})
SUBSCRIPTION_EVENTS = frozenset({
    "subscription.authenticated", "subscription.activated", "subscription.charged", "subscription.pending",
    "subscription.halted", "subscription.cancelled", "subscription.completed",
})


@dataclass(frozen=True)
class HandleGatewayEvent:
    """One webhook delivery: the raw body as received, its signature and its event id."""

    event_id: str | None
    raw_body: bytes
    signature: str | None


@dataclass(frozen=True)
class Delivery:
    """A signed, readable delivery: its event type and entities."""

    event_id: str
    event_type: str
    entities: dict[str, Entity]

    def entity(self, name: str) -> Entity:
        return self.entities.get(name) or {}


class GatewayEvents:
    """Handles the gateway's webhooks, acting as the `razorpay` system actor."""

    def __init__(self, store: EventStore, gateway: PaymentGateway) -> None:
        self.store, self.gateway = store, gateway

    def handle(self, ctx: CommandContext, cmd: HandleGatewayEvent) -> Answer:
        if not self.gateway.verify_webhook(cmd.raw_body, cmd.signature):
            raise BadSignature("the webhook signature does not verify with the current or previous secret")
        delivery = read_delivery(cmd.event_id, cmd.raw_body)
        for _ in range(RACES):
            if self.store.latest(notice_id(delivery.event_id)) is not None:
                return "duplicate"
            changed, notice = self._decide(delivery, ctx)
            try:
                self.store.commit_all([*changed, notice], ctx.metadata(), [])
            except StaleWrite:
                continue  # the same event id (seen above, next time round) or the same payment
            return "ignored" if notice.outcome == "ignored" else "processed"
        raise VersionConflict("the payment kept changing under this delivery; deliver it again")

    def _decide(self, delivery: Delivery, ctx: CommandContext) -> Decided:
        if delivery.event_type in PAYMENT_EVENTS:
            return self._on_payment(delivery, ctx)
        if delivery.event_type in SUBSCRIPTION_EVENTS:
            return self._on_subscription(delivery, ctx)
        return [], self._notice(delivery, "ignored", ctx)

    def _on_payment(self, delivery: Delivery, ctx: CommandContext) -> Decided:
        payment = self._load(Payment, self._payment_ref(delivery))
        if payment is None:
            return [], self._notice(delivery, "unmatched", ctx)
        with suppress(DomainError):  # a report that fits no rule changes nothing; the notice keeps it
            _apply(payment, delivery, ctx)
        return [payment], self._notice(delivery, "processed", ctx, payment_id=str(payment.id))

    def _on_subscription(self, delivery: Delivery, ctx: CommandContext) -> Decided:
        """Mandate approvals are ours; charges, past due and halts are the policies' (from the notice)."""
        mandate = delivery.entity("subscription")
        sub = self._load(Subscription, _notes(mandate).get("subscription_id"))
        if sub is None:
            return [], self._notice(delivery, "unmatched", ctx)
        if delivery.event_type in ("subscription.authenticated", "subscription.activated"):
            with suppress(DomainError):
                sub.create_mandate(str(mandate.get("id")), ctx.at)
                sub.authenticate_mandate(ctx.at)
        return [sub], self._notice(delivery, "processed", ctx, subscription_id=str(sub.id))

    def _payment_ref(self, delivery: Delivery) -> str | None:
        """Our payment id: the notes we gave the order (and refunds), the order's receipt, or
        when the event carries neither, the same read from the gateway's payment and order."""
        pay, order, refund = delivery.entity("payment"), delivery.entity("order"), delivery.entity("refund")
        found = (_notes(pay).get("payment_id") or _notes(order).get("payment_id") or order.get("receipt")
                 or _notes(refund).get("payment_id"))
        named = refund.get("payment_id") or delivery.entity("dispute").get("payment_id")
        if not found and not pay and isinstance(named, str) and named:
            with suppress(GatewayRejected):  # a payment the gateway does not know either: unmatched
                pay = delivery.entities["payment"] = self.gateway.fetch_payment(named)
                found = _notes(pay).get("payment_id")
        order_id = pay.get("order_id")
        if not found and isinstance(order_id, str) and order_id:
            with suppress(GatewayRejected):
                found = self.gateway.fetch_order(order_id).get("receipt")
        return str(found) if found else None

    def _load(self, kind: type[Any], ref: Any) -> Any:
        try:
            aggregate = self.store.latest(uuid.UUID(str(ref)))
        except ValueError:
            return None
        return aggregate if isinstance(aggregate, kind) else None

    @staticmethod
    def _notice(delivery: Delivery, outcome: str, ctx: CommandContext, **ours: str) -> GatewayNotice:
        pay, order = delivery.entity("payment"), delivery.entity("order")
        amount = pay.get("amount", order.get("amount"))
        return GatewayNotice.receive(
            delivery.event_id, delivery.event_type, outcome, ctx.at, payment_id=ours.get("payment_id"),
            subscription_id=ours.get("subscription_id"), gateway_payment_id=_text(pay.get("id")),
            gateway_order_id=_text(pay.get("order_id") or order.get("id")),
            amount_paise=amount if isinstance(amount, int) and not isinstance(amount, bool) else None,
            currency=_text(pay.get("currency") or order.get("currency")),
            gateway_subscription_id=_text(delivery.entity("subscription").get("id")),
        )


def _apply(payment: Payment, delivery: Delivery, ctx: CommandContext) -> None:
    kind, at = delivery.event_type, ctx.at
    pay, refund = delivery.entity("payment"), delivery.entity("refund")
    dispute = delivery.entity("dispute")
    if kind.startswith("payment.dispute."):
        amount = _paise(dispute.get("amount"))
        if kind == "payment.dispute.created":
            payment.open_dispute(str(dispute.get("id")), amount, at)
        else:
            payment.close_dispute(str(dispute.get("id")), kind.rsplit(".", 1)[1], at)
    elif kind == "refund.processed":
        refund_id = _notes(refund).get("refund_id")
        payment.record_refund(str(refund.get("id")), _paise(refund.get("amount")), refund_id,
                              "refunded by the gateway", at)
    elif kind == "refund.failed":
        refund_id = str(_notes(refund).get("refund_id"))
        payment.fail_refund(refund_id, _text(refund.get("id")), "refund failed", at)
    elif kind == "order.paid" and not pay:
        return  # no payment entity: the capture itself will tell us which payment and amount
    else:
        reported = dict(pay, status={"payment.authorized": "authorized", "payment.failed": "failed"}.get(
            kind, "captured"))
        apply_reported(payment, reported, at)


def read_delivery(event_id: str | None, raw_body: bytes) -> Delivery:
    """The delivery's type and entities, or MalformedNotice when it is not a gateway event."""
    if not event_id:
        raise MalformedNotice("the X-Razorpay-Event-Id header is required")
    try:
        body = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedNotice("the body is not JSON") from None
    if not isinstance(body, dict) or not isinstance(body.get("event"), str) \
            or not isinstance(body.get("payload", {}), dict):
        raise MalformedNotice("the body is not a gateway event (event, payload)")
    entities: dict[str, Entity] = {
        str(name): wrapped["entity"] for name, wrapped in body.get("payload", {}).items()
        if isinstance(wrapped, dict) and isinstance(wrapped.get("entity"), dict)}
    return Delivery(event_id, body["event"], entities)


def _notes(entity: Entity) -> dict[str, Any]:
    notes = entity.get("notes")
    return notes if isinstance(notes, dict) else {}


def _paise(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
