"""Commands on payments. Gateway calls follow the recorded events, never inside a command's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from application.errors import Forbidden
from domain.payment import Payment
from domain.values import Actor, Role


@dataclass(frozen=True)
class InitiatePayment:
    """A client starts paying for their subscription or a plan; the amount is ours to price."""

    purpose: Literal["subscription", "plan"]
    reference_id: str
    method: Literal["upi", "card", "netbanking"]
    upi_app: Literal["phonepe", "gpay"] | None = None


@dataclass(frozen=True)
class OpenOrder:
    """The gateway order of the payment's current attempt: created at the gateway if missing."""

    payment_id: UUID


@dataclass(frozen=True)
class ConfirmPayment:
    """Checkout's callback: its signature, then the payment as the gateway reports it."""

    payment_id: UUID
    razorpay_order_id: str
    razorpay_payment_id: str
    razorpay_signature: str


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
    """An admin refunds part (amount given) or all of what is left of a captured payment, through
    the gateway (an Idempotency-Key makes a retry resume the same refund)."""

    payment_id: UUID
    reason: str
    amount_paise: int | None = None
    expected_version: int | None = None


def owned(payment: Payment, actor: Actor) -> Payment:
    """The payment, if the actor may act on it: its own client, an admin, or the system."""
    owner = actor.role is Role.CLIENT and payment.client_id == actor.uid
    if not (owner or actor.is_admin or actor.role is Role.SYSTEM):
        raise Forbidden("a client may act only on their own payments")
    return payment
