"""The Payments handler: priced from our catalogue, paid through the gateway, refunded by admins.

A command records its events first; the gateway call (order, refund) follows once they are
committed, never inside the transaction, and its answer is recorded by a second, idempotent step.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace
from typing import Any

from application.aggregates import Aggregates
from application.context import CommandContext, CommandResult
from application.errors import BadSignature, Forbidden, VersionConflict
from application.gateway import GatewayRejected, PaymentGateway
from application.payment_commands import (
    AuthorizePayment,
    CapturePayment,
    ConfirmPayment,
    FailPayment,
    InitiatePayment,
    OpenOrder,
    RecordGatewayOrder,
    RefundPayment,
    RetryPayment,
    owned,
)
from application.reported import apply_reported
from domain.errors import InvalidValue, RuleViolation
from domain.payment import Payment, PaymentStatus
from domain.plan import Plan, PlanStatus
from domain.subscription import Subscription, SubscriptionStatus
from domain.values import Role

__all__ = [
    "AuthorizePayment", "CapturePayment", "ConfirmPayment", "FailPayment", "InitiatePayment", "OpenOrder",
    "Payments", "RecordGatewayOrder", "RefundPayment", "RetryPayment", "owned",
]
RACES = 3  # a command racing a webhook on the same payment is tried again, this many times in all


class Payments:
    """Handles payment commands: clients act on their own payments; admins may act on any."""

    def __init__(self, aggregates: Aggregates, gateway: PaymentGateway) -> None:
        self.aggregates, self.gateway = aggregates, gateway

    def initiate(self, ctx: CommandContext, cmd: InitiatePayment) -> CommandResult:
        """Records the payment, priced by its subscription's tier or its plan's price."""
        if ctx.actor.role is not Role.CLIENT:
            raise Forbidden("only a client pays, for themselves")

        def decide() -> Payment:
            amount = self._price(ctx, cmd.purpose, cmd.reference_id)
            return Payment.initiate(ctx.actor.uid, cmd.purpose, cmd.reference_id, amount, cmd.method,
                                    cmd.upi_app, ctx.at)

        return self.aggregates.create(ctx, decide)

    def open_order(self, ctx: CommandContext, cmd: OpenOrder, created: bool = False) -> CommandResult:
        """The current attempt's gateway order (our payment id as its receipt, so a retry finds the
        same one), created now if missing; the answer adds `order` for Checkout."""
        payment = owned(self.aggregates.load(Payment, cmd.payment_id), ctx.actor)
        if not payment.has_order and payment.status is PaymentStatus.CREATED:
            notes = {"payment_id": str(payment.id), "purpose": payment.purpose.kind.value,
                     "reference_id": payment.purpose.reference_id}
            order = self.gateway.create_order(str(payment.id), payment.amount.paise,
                                              payment.amount.currency, notes)
            self.aggregates.change(_plain(ctx), Payment, payment.id, None,
                                   lambda p: p.record_gateway_order(str(order["id"]), ctx.at))
            payment = self.aggregates.load(Payment, cmd.payment_id)
        position = self.aggregates.store.position_of(payment.id, payment.version) or 0
        details = {"order": {"gateway_order_id": payment.gateway_order_id, "key_id": self.gateway.key_id,
                             "amount_paise": payment.amount.paise, "currency": payment.amount.currency}}
        return CommandResult(payment.id, payment.version, position, created, details)

    def confirm(self, ctx: CommandContext, cmd: ConfirmPayment) -> CommandResult:
        """Checks Checkout's signature with the order id WE stored, then records the payment as
        the gateway reports it (authorized, captured, failed; forward-only)."""
        payment = owned(self.aggregates.load(Payment, cmd.payment_id), ctx.actor)
        ours = payment.gateway_order_id
        if ours is None or cmd.razorpay_order_id != ours or not self.gateway.verify_payment_signature(
                ours, cmd.razorpay_payment_id, cmd.razorpay_signature):
            raise BadSignature("the checkout signature does not verify for this payment's order")
        reported = self.gateway.fetch_payment(cmd.razorpay_payment_id)
        if reported.get("order_id") != ours:
            raise BadSignature("the gateway's payment belongs to another order")
        return self._raced(lambda: self.aggregates.change(
            ctx, Payment, payment.id, None, lambda p: apply_reported(p, reported, ctx.at)))

    def refund(self, ctx: CommandContext, cmd: RefundPayment) -> CommandResult:
        """Asks for the refund (held against the capture), then has the gateway make it with our
        refund id as `X-Refund-Idempotency`; its answer settles or fails the request."""
        if not ctx.actor.is_admin:
            raise Forbidden("only an admin or superadmin may refund a payment")
        refund_id = _refund_id(ctx)
        asked = self.aggregates.change(
            ctx, Payment, cmd.payment_id, cmd.expected_version,
            lambda p: p.request_refund(refund_id, cmd.amount_paise, cmd.reason, ctx.at))
        payment = self.aggregates.load(Payment, cmd.payment_id)
        pending = payment.refunds_pending.get(refund_id)
        if pending is None or payment.gateway_payment_id is None:
            return asked
        notes = {"payment_id": str(payment.id), "refund_id": refund_id}
        try:
            made = self.gateway.refund(payment.gateway_payment_id, pending.paise, refund_id, notes)
        except GatewayRejected as refusal:
            reason = refusal.description
            self._settle(ctx, payment.id, lambda p: p.fail_refund(refund_id, None, reason, ctx.at))
            raise RuleViolation(f"the gateway refused the refund: {reason}") from refusal
        if made.get("status") == "failed":
            return self._settle(ctx, payment.id, lambda p: p.fail_refund(
                refund_id, str(made.get("id")), "the gateway failed the refund", ctx.at))
        if made.get("status") != "processed":
            return asked  # pending at the gateway: refund.processed settles it
        return self._settle(ctx, payment.id, lambda p: p.record_refund(
            str(made["id"]), int(made["amount"]), refund_id, cmd.reason, ctx.at))

    def record_order(self, ctx: CommandContext, cmd: RecordGatewayOrder) -> CommandResult:
        return self.aggregates.change(
            ctx, Payment, cmd.payment_id, cmd.expected_version,
            lambda p: owned(p, ctx.actor).record_gateway_order(cmd.gateway_order_id, ctx.at),
        )

    def authorize(self, ctx: CommandContext, cmd: AuthorizePayment) -> CommandResult:
        return self.aggregates.change(
            ctx, Payment, cmd.payment_id, cmd.expected_version,
            lambda p: owned(p, ctx.actor).authorize(cmd.gateway_payment_id, ctx.at),
        )

    def capture(self, ctx: CommandContext, cmd: CapturePayment) -> CommandResult:
        return self.aggregates.change(
            ctx, Payment, cmd.payment_id, cmd.expected_version,
            lambda p: owned(p, ctx.actor).capture(cmd.gateway_payment_id, cmd.amount_paise, ctx.at),
        )

    def fail(self, ctx: CommandContext, cmd: FailPayment) -> CommandResult:
        return self.aggregates.change(
            ctx, Payment, cmd.payment_id, cmd.expected_version,
            lambda p: owned(p, ctx.actor).fail(cmd.reason, cmd.gateway_payment_id, ctx.at),
        )

    def retry(self, ctx: CommandContext, cmd: RetryPayment) -> CommandResult:
        return self.aggregates.change(ctx, Payment, cmd.payment_id, cmd.expected_version,
                                      lambda p: owned(p, ctx.actor).retry(ctx.at))

    def _price(self, ctx: CommandContext, purpose: str, reference_id: str) -> int:
        """A subscription of the caller's waiting for its first payment, or with its renewal due,
        costs its tier's price; a published plan, its own price."""
        try:
            ref = uuid.UUID(reference_id)
        except ValueError:
            raise InvalidValue("reference_id", f"must be the id of a {purpose}") from None
        if purpose == "subscription":
            sub = self.aggregates.load(Subscription, ref)
            if sub.client_id != ctx.actor.uid:
                raise Forbidden("a client pays only for their own subscription")
            if sub.status is not SubscriptionStatus.PENDING_PAYMENT and not sub.renewal_due:
                raise RuleViolation(f"the subscription is {sub.status.value}, with no renewal due")
            return sub.tier.amount_paise
        if purpose == "plan":
            plan = self.aggregates.load(Plan, ref)
            if plan.status is not PlanStatus.PUBLISHED or not plan.price_paise:
                raise RuleViolation("only a published plan with a price is for sale")
            return int(plan.price_paise)
        return 0  # an unknown purpose: Payment.initiate names the choices

    def _settle(self, ctx: CommandContext, payment_id: uuid.UUID, act: Any) -> CommandResult:
        return self._raced(lambda: self.aggregates.change(_plain(ctx), Payment, payment_id, None, act))

    @staticmethod
    def _raced(write: Any) -> CommandResult:
        """A webhook about the same payment may have written first: decide again on the news."""
        for _ in range(RACES - 1):
            try:
                return write()
            except VersionConflict:
                continue
        return write()


def _plain(ctx: CommandContext) -> CommandContext:
    """The context of a follow-up step: the same caller and trace, without the first step's key."""
    return replace(ctx, idempotency_key=None, fingerprint="")


def _refund_id(ctx: CommandContext) -> str:
    """Our refund id: from the caller's Idempotency-Key (a retry resumes that refund), else new."""
    if ctx.idempotency_key:
        digest = hashlib.sha256(f"{ctx.actor.uid}\x1f{ctx.idempotency_key}".encode()).hexdigest()
        return f"rf_{digest[:32]}"
    return f"rf_{uuid.uuid4().hex}"

