"""Commands on payments. Gateway calls follow the recorded events, in workers, never in a command."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol
from uuid import UUID

from application.aggregates import Aggregates
from application.context import CommandContext, CommandResult
from application.errors import Forbidden
from domain.payment import Payment
from domain.values import Actor, Role


class PaymentGateway(Protocol):
    """The port to the payment gateway (Razorpay), called by workers after events commit."""

    def create_order(self, amount_paise: int, currency: str, receipt: str) -> str: ...

    def refund(self, gateway_payment_id: str, amount_paise: int, receipt: str) -> str: ...


@dataclass(frozen=True)
class InitiatePayment:
    """A client starts paying for a subscription or a plan (the amount is priced by the caller)."""

    purpose: Literal["subscription", "plan"]
    reference_id: str
    amount_paise: int
    method: Literal["upi", "card", "netbanking"]
    upi_app: Literal["phonepe", "gpay"] | None = None


@dataclass(frozen=True)
class RecordGatewayOrder:
    """The gateway order for the payment's current attempt exists."""

    payment_id: UUID
    gateway_order_id: str
    expected_version: int | None = None


@dataclass(frozen=True)
class AuthorizePayment:
    """The gateway authorized the payment."""

    payment_id: UUID
    gateway_payment_id: str
    expected_version: int | None = None


@dataclass(frozen=True)
class CapturePayment:
    """The gateway captured the payment's amount."""

    payment_id: UUID
    gateway_payment_id: str
    amount_paise: int
    expected_version: int | None = None


@dataclass(frozen=True)
class FailPayment:
    """The gateway reported the payment failed (after a capture this is only recorded)."""

    payment_id: UUID
    reason: str
    gateway_payment_id: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class RetryPayment:
    """The client tries a failed payment again, with a new gateway order."""

    payment_id: UUID
    expected_version: int | None = None


@dataclass(frozen=True)
class RefundPayment:
    """An admin refunds part (amount given) or all of what is left of a captured payment."""

    payment_id: UUID
    reason: str
    amount_paise: int | None = None
    expected_version: int | None = None


class Payments:
    """Handles payment commands: clients act on their own payments; admins may act on any."""

    def __init__(self, aggregates: Aggregates) -> None:
        self.aggregates = aggregates

    def initiate(self, ctx: CommandContext, cmd: InitiatePayment) -> CommandResult:
        if ctx.actor.role is not Role.CLIENT:
            raise Forbidden("only a client pays, for themselves")
        return self.aggregates.create(ctx, lambda: Payment.initiate(
            ctx.actor.uid, cmd.purpose, cmd.reference_id, cmd.amount_paise, cmd.method,
            cmd.upi_app, ctx.at,
        ))

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

    def refund(self, ctx: CommandContext, cmd: RefundPayment) -> CommandResult:
        if not ctx.actor.is_admin:
            raise Forbidden("only an admin or superadmin may refund a payment")
        return self.aggregates.change(
            ctx, Payment, cmd.payment_id, cmd.expected_version,
            lambda p: p.refund(cmd.amount_paise, cmd.reason, ctx.at),
        )


def owned(payment: Payment, actor: Actor) -> Payment:
    """The payment, if the actor may act on it: its own client, or an admin."""
    owner = actor.role is Role.CLIENT and payment.client_id == actor.uid
    if not (owner or actor.is_admin):
        raise Forbidden("a client may act only on their own payments")
    return payment
