"""Commands on subscriptions: clients request, cancel and set up autopay; policies do the rest.

Lifecycle commands (activate, renew, order a renewal, past due, expire, end of period) come from
the payment and time policies; each is idempotent by its own rule and by the caller's key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain.subscription import DUNNING_BASE


@dataclass(frozen=True)
class RequestSubscription:
    """Ask for a subscription on a tier, renewed manually or by autopay; it waits for its first payment."""

    tier: str
    renewal: str = "manual"


@dataclass(frozen=True)
class StartAutopay:
    """Create the UPI AutoPay mandate (a gateway subscription) for an autopay subscription."""

    subscription_id: UUID


@dataclass(frozen=True)
class ConfirmAutopay:
    """Checkout's callback of the mandate: its signature, then the mandate is authenticated."""

    subscription_id: UUID
    razorpay_payment_id: str
    razorpay_subscription_id: str
    razorpay_signature: str


@dataclass(frozen=True)
class CancelSubscription:
    """End a subscription now, or when its current period ends."""

    subscription_id: UUID
    at_period_end: bool = False
    expected_version: int | None = None


@dataclass(frozen=True)
class ActivateSubscription:
    """The first payment was captured: start the first period (at the capture)."""

    subscription_id: UUID
    payment_id: str | None
    period_start: datetime


@dataclass(frozen=True)
class RenewSubscription:
    """A renewal payment was captured: add the period that starts at the current end."""

    subscription_id: UUID
    payment_id: str | None = None
    period_start: datetime | None = None


@dataclass(frozen=True)
class OrderRenewal:
    """The next period's payment exists: renewal is due until it is paid."""

    subscription_id: UUID
    payment_id: str
    period_start: datetime


@dataclass(frozen=True)
class MarkPastDue:
    """Unpaid at the period's end (or a reminder during grace): past due, with backoff."""

    subscription_id: UUID
    at: datetime | None = None
    retry_base: timedelta = DUNNING_BASE


MarkSubscriptionPastDue = MarkPastDue  # the name before the money lifecycle


@dataclass(frozen=True)
class ExpireSubscription:
    """The period and its grace ran out (or the request lapsed unpaid): end the subscription."""

    subscription_id: UUID


@dataclass(frozen=True)
class HaltSubscription:
    """The gateway gave up charging the mandate (`subscription.halted`): expired at once."""

    subscription_id: UUID


@dataclass(frozen=True)
class EndPeriod:
    """A cancellation at period end takes effect, the period being over."""

    subscription_id: UUID


