"""A subscription's renewal mode, mandate, renewal orders, grace and end of period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import InvalidValue, RuleViolation
from domain.subscription import GRACE, RenewalMode, Subscription, SubscriptionStatus, TierCatalogue

T0 = datetime(2026, 11, 1, tzinfo=UTC)
DAY = timedelta(days=1)
BASIC = TierCatalogue().get("basic_monthly")


def active(renewal: str = "manual") -> Subscription:
    sub = Subscription.request("alice", BASIC, T0, renewal)
    sub.activate(T0, T0, "pay-1")
    return sub


def test_a_subscription_renews_manually_unless_autopay_is_asked() -> None:
    assert Subscription.request("alice", BASIC, T0).renewal is RenewalMode.MANUAL
    assert Subscription.request("alice", BASIC, T0, "autopay").renewal is RenewalMode.AUTOPAY
    with pytest.raises(InvalidValue):
        Subscription.request("alice", BASIC, T0, "weekly")


def test_activation_and_renewal_remember_their_payment_and_a_repeat_changes_nothing() -> None:
    sub = active()
    sub.activate(T0 + DAY, T0 + DAY, "pay-1")
    sub.renew(T0 + DAY, None, "pay-2")
    sub.renew(T0 + 2 * DAY, None, "pay-2")
    assert sub.current_payment_id == "pay-2" and sub.current_period_start == T0 + BASIC.period


def test_a_renewal_order_makes_renewal_due_until_the_next_period_is_renewed() -> None:
    sub = active()
    end = sub.current_period_end
    assert end is not None
    with pytest.raises(RuleViolation):
        sub.order_renewal("pay-2", end + DAY, end - 3 * DAY)
    sub.order_renewal("pay-2", end, end - 3 * DAY)
    sub.order_renewal("pay-2", end, end - 2 * DAY)
    assert (sub.renewal_due, sub.renewal_payment_id) == (True, "pay-2")
    sub.renew(end, end, "pay-2")
    assert (sub.renewal_due, sub.renewal_payment_id) == (False, None)


def test_past_due_gives_seven_days_of_grace_from_the_period_end() -> None:
    sub = active()
    end = sub.current_period_end
    assert end is not None
    sub.mark_past_due(end)
    sub.mark_past_due(end + DAY)
    assert sub.status is SubscriptionStatus.PAST_DUE and sub.grace_until == end + GRACE
    sub.renew(end + 2 * DAY)
    assert sub.grace_until is None


def test_a_mandate_is_created_once_for_an_autopay_subscription_and_authenticated_once() -> None:
    with pytest.raises(RuleViolation):
        active("manual").create_mandate("sub_G1", T0)
    sub = active("autopay")
    sub.create_mandate("sub_G1", T0)
    sub.create_mandate("sub_G1", T0)
    sub.authenticate_mandate(T0)
    sub.authenticate_mandate(T0)
    with pytest.raises(RuleViolation):
        sub.create_mandate("sub_G2", T0)
    assert [type(e).__name__ for e in sub.collect_events()][-2:] == ["MandateCreated", "MandateAuthenticated"]


def test_a_cancellation_at_period_end_takes_effect_at_the_end_only() -> None:
    sub = active()
    end = sub.current_period_end
    assert end is not None
    sub.cancel(True, T0 + DAY)
    with pytest.raises(RuleViolation):
        sub.end_period(end - DAY)
    sub.end_period(end)
    sub.end_period(end + DAY)
    assert sub.status is SubscriptionStatus.CANCELLED and sub.ended_at == end


def test_a_halted_mandate_expires_the_subscription_at_once() -> None:
    sub = active("autopay")
    sub.halt(T0 + DAY)
    assert sub.status is SubscriptionStatus.EXPIRED
