"""A client's membership on a tier: paid for a period, renewed, dunned, cancelled or expired."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue, RuleViolation
from domain.values import MAX_ID, require_text

DUNNING_ATTEMPTS = 3  # reminders after the period ends unpaid
DUNNING_BASE = timedelta(days=1)
GRACE = timedelta(days=7)
MAX_TIER_CODE = 64


@dataclass(frozen=True)
class Tier:
    """A catalogue entry: what a period costs, in paise, and how many days it lasts."""

    code: str
    name: str
    amount_paise: int
    period_days: int

    @property
    def period(self) -> timedelta:
        return timedelta(days=self.period_days)


DEFAULT_TIERS = (
    Tier("basic_monthly", "Basic, monthly", 49_900, 30),
    Tier("pro_monthly", "Pro, monthly", 99_900, 30),
    Tier("elite_quarterly", "Elite, quarterly", 249_900, 90),
    Tier("elite_annual", "Elite, annual", 799_900, 365),
)


class TierCatalogue:
    """The tiers a client may subscribe to, looked up by code."""

    def __init__(self, tiers: Iterable[Tier] = DEFAULT_TIERS) -> None:
        self._tiers = {tier.code: tier for tier in tiers}
        if any(t.amount_paise < 0 or t.period_days < 1 for t in self._tiers.values()):
            raise InvalidValue("tiers", "amounts must be non-negative and periods at least a day")
        if any(not 0 < len(code) <= MAX_TIER_CODE for code in self._tiers):
            raise InvalidValue("tiers", f"codes must be 1 to {MAX_TIER_CODE} characters")

    def __iter__(self) -> Iterator[Tier]:
        return iter(self._tiers.values())

    def get(self, code: str) -> Tier:
        try:
            return self._tiers[code]
        except KeyError:
            raise InvalidValue("tier", f"unknown tier {code!r}") from None


class RenewalMode(Enum):
    """How the next period is paid: the client pays an order each time, or a UPI AutoPay mandate."""

    MANUAL = "manual"
    AUTOPAY = "autopay"


class SubscriptionStatus(Enum):
    PENDING_PAYMENT = "pending_payment"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


PENDING, ACTIVE, PAST_DUE = (
    SubscriptionStatus.PENDING_PAYMENT, SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE
)
CANCELLED, EXPIRED = SubscriptionStatus.CANCELLED, SubscriptionStatus.EXPIRED


class Subscription(Aggregate):
    """A client's tier membership; payments activate and renew it, and it ends cancelled or expired."""

    class Requested(Aggregate.Created):
        class_version = 2
        client_id: str
        tier: Tier
        at: datetime
        renewal: RenewalMode

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["renewal"] = RenewalMode.MANUAL

    class Activated(Aggregate.Event):
        class_version = 2
        period_start: datetime
        period_end: datetime
        at: datetime
        payment_id: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["payment_id"] = None

    class Renewed(Aggregate.Event):
        class_version = 2
        period_start: datetime
        period_end: datetime
        at: datetime
        payment_id: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["payment_id"] = None

    class RenewalFailed(Aggregate.Event):
        class_version = 2
        attempt: int
        next_retry_at: datetime | None
        at: datetime
        grace_until: datetime | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["grace_until"] = None

    class MandateCreated(Aggregate.Event):
        gateway_subscription_id: str
        at: datetime

    class MandateAuthenticated(Aggregate.Event):
        at: datetime

    class RenewalOrdered(Aggregate.Event):
        payment_id: str
        period_start: datetime
        at: datetime

    class CancellationScheduled(Aggregate.Event):
        at: datetime

    class Cancelled(Aggregate.Event):
        at: datetime

    class Expired(Aggregate.Event):
        at: datetime

    @event(Requested)
    def __init__(self, client_id: str, tier: Tier, at: datetime, renewal: RenewalMode):
        self.client_id = client_id
        self.tier = tier
        self.renewal = renewal
        self.gateway_subscription_id: str | None = None
        self.mandate_authenticated = False
        self.current_payment_id: str | None = None
        self.renewal_due = False
        self.renewal_payment_id: str | None = None
        self.grace_until: datetime | None = None
        self.status = PENDING
        self.requested_at = at
        self.current_period_start: datetime | None = None
        self.current_period_end: datetime | None = None
        self.cancel_at_period_end = False
        self.dunning_attempts = 0
        self.next_retry_at: datetime | None = None
        self.ended_at: datetime | None = None

    @classmethod
    def request(
        cls, client_id: str, tier: Tier, at: datetime, renewal: RenewalMode | str = RenewalMode.MANUAL
    ) -> Subscription:
        try:
            mode = RenewalMode(renewal)
        except ValueError:
            raise InvalidValue("renewal", "must be manual or autopay") from None
        return cls(client_id=require_text("client_id", client_id, MAX_ID), tier=tier, at=at, renewal=mode)

    @property
    def is_over(self) -> bool:
        return self.status in (CANCELLED, EXPIRED)

    def activate(self, period_start: datetime, at: datetime, payment_id: str | None = None) -> None:
        """The first payment captured: the first period starts. A repeat changes nothing."""
        if self.status is ACTIVE and self.current_period_start == period_start:
            return
        if payment_id is not None and payment_id == self.current_payment_id:
            return
        self._require({PENDING}, "activate")
        self._activated(period_start=period_start, period_end=period_start + self.tier.period, at=at,
                        payment_id=payment_id)

    @event(Activated)
    def _activated(
        self, period_start: datetime, period_end: datetime, at: datetime, payment_id: str | None
    ) -> None:
        self.status = ACTIVE
        self.current_period_start = period_start
        self.current_period_end = period_end
        self.current_payment_id = payment_id

    def renew(
        self, at: datetime, period_start: datetime | None = None, payment_id: str | None = None
    ) -> None:
        """A renewal captured: the next period follows the current end. A repeat (the same period
        start, or the same payment) changes nothing."""
        if self.status is ACTIVE and period_start is not None and period_start == self.current_period_start:
            return
        if payment_id is not None and payment_id == self.current_payment_id:
            return
        self._require({ACTIVE, PAST_DUE}, "renew")
        self._require_renewing("renew")
        assert self.current_period_end is not None
        if period_start is not None and period_start != self.current_period_end:
            raise RuleViolation(f"the next period starts at {self.current_period_end.isoformat()}")
        start = self.current_period_end
        self._renewed(period_start=start, period_end=start + self.tier.period, at=at, payment_id=payment_id)

    @event(Renewed)
    def _renewed(
        self, period_start: datetime, period_end: datetime, at: datetime, payment_id: str | None
    ) -> None:
        self.status = ACTIVE
        self.current_period_start = period_start
        self.current_period_end = period_end
        self.current_payment_id = payment_id
        self.dunning_attempts = 0
        self.next_retry_at = self.grace_until = None
        self.renewal_due, self.renewal_payment_id = False, None

    def mark_past_due(self, at: datetime, retry_base: timedelta = DUNNING_BASE) -> None:
        """The period ended unpaid (attempt 1), then each reminder: DUNNING_ATTEMPTS reminders in
        all, at base, 2 x base and 4 x base after the period's end, inside the grace."""
        self._require({ACTIVE, PAST_DUE}, "mark past due")
        self._require_renewing("mark past due")
        if self.dunning_attempts > DUNNING_ATTEMPTS:
            raise RuleViolation("every reminder was sent; the subscription can only expire")
        attempt = self.dunning_attempts + 1
        since = self.current_period_end or at
        retry = since + retry_base * 2 ** (attempt - 1) if attempt <= DUNNING_ATTEMPTS else None
        grace = self.grace_until or (self.current_period_end or at) + GRACE
        self._renewal_failed(attempt=attempt, next_retry_at=retry, at=at, grace_until=grace)

    @event(RenewalFailed)
    def _renewal_failed(
        self, attempt: int, next_retry_at: datetime | None, at: datetime, grace_until: datetime | None
    ) -> None:
        self.status = PAST_DUE
        self.dunning_attempts = attempt
        self.next_retry_at = next_retry_at
        self.grace_until = grace_until

    def order_renewal(self, payment_id: str, period_start: datetime, at: datetime) -> None:
        """The next period's payment exists (before the current one ends): renewal is due until
        it is paid. Ordering again, with the same payment: nothing."""
        if self.renewal_due and self.renewal_payment_id == payment_id:
            return
        self._require({ACTIVE, PAST_DUE}, "order a renewal of")
        self._require_renewing("order a renewal of")
        if period_start != self.current_period_end:
            raise RuleViolation("a renewal's period follows the current one")
        self._renewal_ordered(payment_id=require_text("payment_id", payment_id, MAX_ID),
                              period_start=period_start, at=at)

    @event(RenewalOrdered)
    def _renewal_ordered(self, payment_id: str, period_start: datetime, at: datetime) -> None:
        self.renewal_due, self.renewal_payment_id = True, payment_id

    def create_mandate(self, gateway_subscription_id: str, at: datetime) -> None:
        """An autopay mandate was created at the gateway (a retried create may replace one that was
        never authenticated). The same mandate again: nothing."""
        if self.gateway_subscription_id == gateway_subscription_id:
            return
        if self.is_over or self.mandate_authenticated:
            raise RuleViolation("this subscription cannot take a new mandate")
        if self.renewal is not RenewalMode.AUTOPAY:
            raise RuleViolation("only an autopay subscription has a mandate")
        self._mandate_created(gateway_subscription_id=require_text(
            "gateway_subscription_id", gateway_subscription_id, MAX_ID), at=at)

    @event(MandateCreated)
    def _mandate_created(self, gateway_subscription_id: str, at: datetime) -> None:
        self.gateway_subscription_id = gateway_subscription_id

    def authenticate_mandate(self, at: datetime) -> None:
        """The client approved the mandate in their UPI app. Again: nothing."""
        if self.mandate_authenticated:
            return
        if self.gateway_subscription_id is None or self.is_over:
            raise RuleViolation("the subscription has no running mandate to authenticate")
        self._mandate_authenticated(at=at)

    @event(MandateAuthenticated)
    def _mandate_authenticated(self, at: datetime) -> None:
        self.mandate_authenticated = True

    def end_period(self, at: datetime) -> None:
        """A cancellation at period end takes effect once the period is over. Again, or once the
        subscription has ended otherwise (it expired first): nothing."""
        if self.status in (CANCELLED, EXPIRED):
            return
        if not self.cancel_at_period_end:
            raise RuleViolation("the subscription is not set to end with its period")
        end = self.current_period_end
        if end is not None and at < end:
            raise RuleViolation(f"the current period runs until {end.isoformat()}")
        self._cancelled(at=at)

    def cancel(self, at_period_end: bool, at: datetime) -> None:
        """Ends now, or at the end of a running period. Cancelling again changes nothing."""
        if self.status is EXPIRED:
            raise RuleViolation("cannot cancel an expired subscription")
        if self.status is CANCELLED or (at_period_end and self.cancel_at_period_end):
            return
        if at_period_end and self.status is ACTIVE:
            self._cancellation_scheduled(at=at)
        else:
            self._cancelled(at=at)

    @event(CancellationScheduled)
    def _cancellation_scheduled(self, at: datetime) -> None:
        self.cancel_at_period_end = True

    @event(Cancelled)
    def _cancelled(self, at: datetime) -> None:
        self.status = CANCELLED
        self.next_retry_at = None
        self.renewal_due = False
        self.ended_at = at

    def expire(self, at: datetime) -> None:
        """A period ran out unpaid or was set to end, or a request lapsed unpaid. Again: nothing."""
        if self.status is EXPIRED:
            return
        self._require({PENDING, ACTIVE, PAST_DUE}, "expire")
        end = self.current_period_end
        if end is not None and at < end:
            raise RuleViolation(f"the current period runs until {end.isoformat()}")
        self._expired(at=at)

    def halt(self, at: datetime) -> None:
        """The gateway gave up charging the mandate (`subscription.halted`): expired at once."""
        if self.status is EXPIRED:
            return
        self._require({PENDING, ACTIVE, PAST_DUE}, "halt")
        self._expired(at=at)

    @event(Expired)
    def _expired(self, at: datetime) -> None:
        self.status = EXPIRED
        self.next_retry_at = None
        self.renewal_due = False
        self.ended_at = at

    def _require(self, allowed: set[SubscriptionStatus], action: str) -> None:
        if self.status not in allowed:
            raise RuleViolation(f"cannot {action} a subscription that is {self.status.value}")

    def _require_renewing(self, action: str) -> None:
        if self.cancel_at_period_end:
            raise RuleViolation(f"cannot {action} a subscription set to end with its period")


VALUE_TYPES: list[type] = [Tier, SubscriptionStatus, RenewalMode]
