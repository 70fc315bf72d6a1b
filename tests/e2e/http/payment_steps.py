"""Drives payments through the application at any amount, with no gateway (the HTTP routes, priced
from the catalogue and paid through the sandbox, have their own tests)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from application.context import CommandContext, CommandResult
from application.payments import (
    AuthorizePayment,
    CapturePayment,
    FailPayment,
    RecordGatewayOrder,
    RetryPayment,
)
from domain.payment import Payment
from domain.values import Actor, Role
from infrastructure.bootstrap import System

GATEWAY = Actor("system:razorpay", Role.SUPERADMIN)
ADMIN = Actor("root", Role.ADMIN)


class Steps:
    """One system's payments, acted on as of a given time (now unless told otherwise)."""

    def __init__(self, system: System) -> None:
        self.payments, self.aggregates = system.payments, system.aggregates

    def ctx(self, actor: Actor, at: datetime | None) -> CommandContext:
        return CommandContext(actor=actor, at=at or datetime.now(UTC), trace_id="test")

    def initiate(self, client: str, amount: int = 49_900, at: datetime | None = None) -> CommandResult:
        ctx = self.ctx(Actor(client, Role.CLIENT), at)
        return self.aggregates.create(ctx, lambda: Payment.initiate(
            client, "subscription", f"sub-of-{client}", amount, "upi", "phonepe", ctx.at))

    def ordered(self, client: str, amount: int = 49_900, at: datetime | None = None) -> UUID:
        pid = self.initiate(client, amount, at).id
        self.payments.record_order(self.ctx(GATEWAY, at), RecordGatewayOrder(pid, f"order_{pid.hex[:8]}"))
        return pid

    def captured(self, client: str, amount: int = 49_900, at: datetime | None = None) -> CommandResult:
        pid = self.ordered(client, amount, at)
        self.payments.authorize(self.ctx(GATEWAY, at), AuthorizePayment(pid, f"pay_{pid.hex[:8]}"))
        return self.payments.capture(self.ctx(GATEWAY, at), CapturePayment(pid, f"pay_{pid.hex[:8]}", amount))

    def fail(self, pid: UUID, at: datetime | None = None) -> CommandResult:
        return self.payments.fail(self.ctx(GATEWAY, at), FailPayment(pid, "declined by the bank"))

    def retry(self, client: str, pid: UUID) -> CommandResult:
        return self.payments.retry(self.ctx(Actor(client, Role.CLIENT), None), RetryPayment(pid))

    def refund(self, pid: UUID, amount: int | None) -> CommandResult:
        return self.aggregates.change(self.ctx(ADMIN, None), Payment, pid, None,
                                      lambda p: p.refund(amount, "goodwill", datetime.now(UTC)))
