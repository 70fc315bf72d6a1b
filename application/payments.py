"""Commands on payments. Gateway calls follow the recorded events, in workers, never in a command."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol
from uuid import UUID

from application.context import CommandContext, CommandResult
from application.errors import Forbidden
from application.event_log import EventLog
from domain.payment import Payment
from domain.values import Role


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

    def __init__(self, log: EventLog) -> None:
        self.log = log

    def initiate(self, ctx: CommandContext, cmd: InitiatePayment) -> CommandResult:
        if ctx.actor.role is not Role.CLIENT:
            raise Forbidden("only a client pays, for themselves")
        return self.log.execute(
            ctx,
            lambda: Payment.initiate(
                ctx.actor.uid, cmd.purpose, cmd.reference_id, cmd.amount_paise,
                cmd.method, cmd.upi_app, ctx.at,
            ),
            created=True,
        )

    def record_order(self, ctx: CommandContext, cmd: RecordGatewayOrder) -> CommandResult:
        return self._change(ctx, cmd.payment_id, cmd.expected_version,
                            lambda p: p.record_gateway_order(cmd.gateway_order_id, ctx.at))

    def authorize(self, ctx: CommandContext, cmd: AuthorizePayment) -> CommandResult:
        return self._change(ctx, cmd.payment_id, cmd.expected_version,
                            lambda p: p.authorize(cmd.gateway_payment_id, ctx.at))

    def capture(self, ctx: CommandContext, cmd: CapturePayment) -> CommandResult:
        return self._change(ctx, cmd.payment_id, cmd.expected_version,
                            lambda p: p.capture(cmd.gateway_payment_id, cmd.amount_paise, ctx.at))

    def fail(self, ctx: CommandContext, cmd: FailPayment) -> CommandResult:
        return self._change(ctx, cmd.payment_id, cmd.expected_version,
                            lambda p: p.fail(cmd.reason, cmd.gateway_payment_id, ctx.at))

    def retry(self, ctx: CommandContext, cmd: RetryPayment) -> CommandResult:
        return self._change(ctx, cmd.payment_id, cmd.expected_version, lambda p: p.retry(ctx.at))

    def refund(self, ctx: CommandContext, cmd: RefundPayment) -> CommandResult:
        if not ctx.actor.is_admin:
            raise Forbidden("only an admin or superadmin may refund a payment")
        return self._change(ctx, cmd.payment_id, cmd.expected_version,
                            lambda p: p.refund(cmd.amount_paise, cmd.reason, ctx.at))

    def _change(
        self, ctx: CommandContext, payment_id: UUID, version: int | None,
        act: Callable[[Payment], None],
    ) -> CommandResult:
        def decide() -> Payment:
            payment = self.log.load(Payment, payment_id, version)
            owner = ctx.actor.role is Role.CLIENT and payment.client_id == ctx.actor.uid
            if not (owner or ctx.actor.is_admin):
                raise Forbidden("a client may act only on their own payments")
            act(payment)
            return payment

        return self.log.execute(ctx, decide)
