"""The Subscription aggregate's rules and the tier catalogue, with no IO."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import InvalidValue, RuleViolation
from domain.subscription import (
    DUNNING_BASE,
    Subscription,
    SubscriptionStatus,
    Tier,
    TierCatalogue,
)

T0 = datetime(2026, 11, 1, tzinfo=UTC)
DAY = timedelta(days=1)
TIERS = TierCatalogue()
BASIC = TIERS.get("basic_monthly")


def _pending() -> Subscription:
    return Subscription.request("alice", BASIC, T0)


def _active() -> Subscription:
    sub = _pending()
    sub.activate(T0 + DAY, T0 + DAY)
    return sub


def _events(sub: Subscription) -> list[str]:
    return [type(e).__name__ for e in sub.collect_events()]


def test_the_default_catalogue_offers_basic_monthly_at_499_rupees_for_30_days():
    assert Tier("basic_monthly", "Basic, monthly", 49_900, 30) == BASIC
    assert [t.code for t in TIERS] == ["basic_monthly", "pro_monthly", "elite_quarterly", "elite_annual"]


def test_an_unknown_tier_is_an_invalid_value():
    with pytest.raises(InvalidValue) as error:
        TIERS.get("platinum")
    assert error.value.field == "tier"


def test_a_catalogue_refuses_negative_prices_and_empty_periods():
    with pytest.raises(InvalidValue):
        TierCatalogue([Tier("free", "Free", 0, 0)])


def test_a_requested_subscription_waits_for_payment():
    sub = _pending()
    assert (sub.status, sub.client_id, sub.tier, sub.current_period_end) == (
        SubscriptionStatus.PENDING_PAYMENT, "alice", BASIC, None)


def test_activation_starts_a_period_of_the_tier_length():
    sub = _active()
    assert sub.status is SubscriptionStatus.ACTIVE
    assert (sub.current_period_start, sub.current_period_end) == (T0 + DAY, T0 + 31 * DAY)


def test_activating_again_for_the_same_period_changes_nothing_but_another_period_is_refused():
    sub = _active()
    sub.activate(T0 + DAY, T0 + 2 * DAY)
    assert _events(sub) == ["Requested", "Activated"]
    with pytest.raises(RuleViolation):
        sub.activate(T0 + 5 * DAY, T0 + 5 * DAY)


def test_renewal_adds_the_next_period_after_the_current_end():
    sub = _active()
    sub.renew(T0 + 30 * DAY)
    assert (sub.current_period_start, sub.current_period_end) == (T0 + 31 * DAY, T0 + 61 * DAY)


def test_a_renewal_named_by_its_period_start_is_applied_once():
    sub = _active()
    sub.renew(T0, period_start=T0 + 31 * DAY)
    sub.renew(T0, period_start=T0 + 31 * DAY)
    assert sub.current_period_end == T0 + 61 * DAY
    with pytest.raises(RuleViolation):
        sub.renew(T0, period_start=T0 + 99 * DAY)


def test_a_pending_subscription_cannot_be_renewed_or_marked_past_due():
    with pytest.raises(RuleViolation):
        _pending().renew(T0)
    with pytest.raises(RuleViolation):
        _pending().mark_past_due(T0)


def test_an_unpaid_period_is_past_due_then_reminded_three_times_with_doubling_waits():
    sub = _active()
    end = T0 + 31 * DAY  # the period's end
    sub.mark_past_due(end)
    assert (sub.status, sub.dunning_attempts, sub.next_retry_at, sub.grace_until) == (
        SubscriptionStatus.PAST_DUE, 1, end + DUNNING_BASE, end + 7 * DAY)
    sub.mark_past_due(end + DAY)
    assert (sub.dunning_attempts, sub.next_retry_at) == (2, end + 2 * DUNNING_BASE)
    sub.mark_past_due(end + 2 * DAY)
    assert (sub.dunning_attempts, sub.next_retry_at) == (3, end + 4 * DUNNING_BASE)
    sub.mark_past_due(end + 4 * DAY)
    assert (sub.dunning_attempts, sub.next_retry_at) == (4, None)
    with pytest.raises(RuleViolation):
        sub.mark_past_due(end + 5 * DAY)


def test_the_backoff_base_can_be_given():
    sub = _active()
    sub.mark_past_due(T0, retry_base=timedelta(hours=6))
    sub.mark_past_due(T0, retry_base=timedelta(hours=6))
    assert sub.next_retry_at == sub.current_period_end + timedelta(hours=12)


def test_a_renewal_during_dunning_makes_the_subscription_active_again():
    sub = _active()
    sub.mark_past_due(T0 + 31 * DAY)
    sub.renew(T0 + 32 * DAY)
    assert (sub.status, sub.dunning_attempts, sub.next_retry_at) == (SubscriptionStatus.ACTIVE, 0, None)
    assert sub.current_period_end == T0 + 61 * DAY


def test_cancelling_now_ends_the_subscription_and_again_changes_nothing():
    sub = _active()
    sub.cancel(False, T0 + 2 * DAY)
    sub.cancel(False, T0 + 3 * DAY)
    sub.cancel(True, T0 + 3 * DAY)
    assert (sub.status, sub.ended_at) == (SubscriptionStatus.CANCELLED, T0 + 2 * DAY)
    assert _events(sub) == ["Requested", "Activated", "Cancelled"]


def test_cancelling_at_period_end_keeps_it_active_until_it_expires_at_the_end():
    sub = _active()
    sub.cancel(True, T0 + 2 * DAY)
    sub.cancel(True, T0 + 3 * DAY)
    assert (sub.status, sub.cancel_at_period_end) == (SubscriptionStatus.ACTIVE, True)
    with pytest.raises(RuleViolation):
        sub.expire(T0 + 30 * DAY)
    sub.expire(T0 + 31 * DAY)
    assert (sub.status, sub.ended_at) == (SubscriptionStatus.EXPIRED, T0 + 31 * DAY)


def test_a_subscription_set_to_end_is_neither_renewed_nor_dunned():
    sub = _active()
    sub.cancel(True, T0)
    with pytest.raises(RuleViolation):
        sub.renew(T0)
    with pytest.raises(RuleViolation):
        sub.mark_past_due(T0)


def test_a_scheduled_cancellation_can_be_brought_forward_to_now():
    sub = _active()
    sub.cancel(True, T0)
    sub.cancel(False, T0 + DAY)
    assert sub.status is SubscriptionStatus.CANCELLED


def test_a_pending_or_past_due_subscription_cancels_at_once_even_at_period_end():
    pending = _pending()
    pending.cancel(True, T0)
    past_due = _active()
    past_due.mark_past_due(T0 + 31 * DAY)
    past_due.cancel(True, T0 + 31 * DAY)
    assert pending.status is past_due.status is SubscriptionStatus.CANCELLED
    assert past_due.next_retry_at is None


def test_an_expired_subscription_cannot_be_cancelled_and_expiring_again_changes_nothing():
    sub = _pending()
    sub.expire(T0 + 7 * DAY)
    sub.expire(T0 + 8 * DAY)
    assert sub.ended_at == T0 + 7 * DAY
    with pytest.raises(RuleViolation):
        sub.cancel(False, T0)


def test_a_cancelled_subscription_cannot_expire_activate_or_renew():
    sub = _pending()
    sub.cancel(False, T0)
    for change in (lambda: sub.expire(T0), lambda: sub.activate(T0, T0), lambda: sub.renew(T0)):
        with pytest.raises(RuleViolation):
            change()


def test_an_unpaid_period_expires_after_its_end():
    sub = _active()
    sub.mark_past_due(T0 + 31 * DAY)
    sub.expire(T0 + 35 * DAY)
    assert (sub.status, sub.next_retry_at) == (SubscriptionStatus.EXPIRED, None)


def test_a_subscription_that_expired_first_is_not_cancelled_after_by_its_period_end():
    sub = _active()
    sub.cancel(True, T0)
    end = sub.current_period_end
    assert end is not None
    sub.expire(end)
    sub.end_period(end)  # the cancellation at period end comes too late: it stays expired
    assert sub.status is SubscriptionStatus.EXPIRED and _events(sub)[-1] == "Expired"
