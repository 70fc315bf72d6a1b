"""A client's membership on a tier: paid for a period, renewed, dunned, cancelled or expired."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue, RuleViolation
from domain.values import MAX_ID, require_text

DUNNING_ATTEMPTS = 3
DUNNING_BASE = timedelta(days=1)
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
        client_id: str
        tier: Tier
        at: datetime

    class Activated(Aggregate.Event):
        period_start: datetime
        period_end: datetime
        at: datetime

    class Renewed(Aggregate.Event):
        period_start: datetime
        period_end: datetime
        at: datetime

    class RenewalFailed(Aggregate.Event):
        attempt: int
        next_retry_at: datetime | None
        at: datetime

    class CancellationScheduled(Aggregate.Event):
        at: datetime

    class Cancelled(Aggregate.Event):
        at: datetime

    class Expired(Aggregate.Event):
        at: datetime

    @event(Requested)
    def __init__(self, client_id: str, tier: Tier, at: datetime):
        self.client_id = client_id
        self.tier = tier
        self.status = PENDING
        self.requested_at = at
        self.current_period_start: datetime | None = None
        self.current_period_end: datetime | None = None
        self.cancel_at_period_end = False
        self.dunning_attempts = 0
        self.next_retry_at: datetime | None = None
        self.ended_at: datetime | None = None

    @classmethod
    def request(cls, client_id: str, tier: Tier, at: datetime) -> Subscription:
        return cls(client_id=require_text("client_id", client_id, MAX_ID), tier=tier, at=at)

    @property
    def is_over(self) -> bool:
        return self.status in (CANCELLED, EXPIRED)

    def activate(self, period_start: datetime, at: datetime) -> None:
        """The first payment captured: the first period starts. A repeat changes nothing."""
        if self.status is ACTIVE and self.current_period_start == period_start:
            return
        self._require({PENDING}, "activate")
        self._activated(period_start=period_start, period_end=period_start + self.tier.period, at=at)

    @event(Activated)
    def _activated(self, period_start: datetime, period_end: datetime, at: datetime) -> None:
        self.status = ACTIVE
        self.current_period_start = period_start
        self.current_period_end = period_end

    def renew(self, at: datetime, period_start: datetime | None = None) -> None:
        """A renewal captured: the next period follows the current end. A repeat changes nothing."""
        if self.status is ACTIVE and period_start is not None and period_start == self.current_period_start:
            return
        self._require({ACTIVE, PAST_DUE}, "renew")
        self._require_renewing("renew")
        assert self.current_period_end is not None
        if period_start is not None and period_start != self.current_period_end:
            raise RuleViolation(f"the next period starts at {self.current_period_end.isoformat()}")
        start = self.current_period_end
        self._renewed(period_start=start, period_end=start + self.tier.period, at=at)

    @event(Renewed)
    def _renewed(self, period_start: datetime, period_end: datetime, at: datetime) -> None:
        self.status = ACTIVE
        self.current_period_start = period_start
        self.current_period_end = period_end
        self.dunning_attempts = 0
        self.next_retry_at = None

    def mark_past_due(self, at: datetime, retry_base: timedelta = DUNNING_BASE) -> None:
        """A renewal payment failed: retry after base, 2 x base, until 3 attempts have failed."""
        self._require({ACTIVE, PAST_DUE}, "mark past due")
        self._require_renewing("mark past due")
        if self.dunning_attempts >= DUNNING_ATTEMPTS:
            raise RuleViolation("all renewal attempts have failed; the subscription can only expire")
        attempt = self.dunning_attempts + 1
        retry = at + retry_base * 2 ** (attempt - 1) if attempt < DUNNING_ATTEMPTS else None
        self._renewal_failed(attempt=attempt, next_retry_at=retry, at=at)

    @event(RenewalFailed)
    def _renewal_failed(self, attempt: int, next_retry_at: datetime | None, at: datetime) -> None:
        self.status = PAST_DUE
        self.dunning_attempts = attempt
        self.next_retry_at = next_retry_at

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

    @event(Expired)
    def _expired(self, at: datetime) -> None:
        self.status = EXPIRED
        self.next_retry_at = None
        self.ended_at = at

    def _require(self, allowed: set[SubscriptionStatus], action: str) -> None:
        if self.status not in allowed:
            raise RuleViolation(f"cannot {action} a subscription that is {self.status.value}")

    def _require_renewing(self, action: str) -> None:
        if self.cancel_at_period_end:
            raise RuleViolation(f"cannot {action} a subscription set to end with its period")


VALUE_TYPES: list[type] = [Tier, SubscriptionStatus]
