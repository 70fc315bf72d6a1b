"""The subscriptions read model folds a Subscription's events into the aggregate's state."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.subscription import Subscription, TierCatalogue
from projections.model import Row
from projections.subscriptions import SubscriptionsModel

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
TIER = TierCatalogue().get("basic_monthly")
MODEL = SubscriptionsModel()


def a_subscription(at: datetime = T0) -> Subscription:
    return Subscription.request("alice", TIER, at)


def folded(subscription: Subscription, row: Row | None = None) -> Row:
    """Folds the events not yet collected, onto the row folded so far."""
    first = 10 if row is None else row["position"] + 1
    for position, event in enumerate(subscription.collect_events(), start=first):
        row = MODEL.fold(row, event, position)
    assert row is not None
    return row


def assert_matches(row: Row, sub: Subscription) -> None:
    assert row == row | {
        "id": str(sub.id), "client_id": sub.client_id, "tier": sub.tier.code,
        "status": sub.status.value, "current_period_start": sub.current_period_start,
        "current_period_end": sub.current_period_end,
        "cancel_at_period_end": sub.cancel_at_period_end, "dunning_attempts": sub.dunning_attempts,
        "next_retry_at": sub.next_retry_at, "ended_at": sub.ended_at,
        "created_at": sub.requested_at, "version": sub.version,
    }


def active() -> Subscription:
    sub = a_subscription()
    sub.activate(T0, T0)
    return sub


def test_a_requested_subscription_waits_for_payment() -> None:
    sub = a_subscription()
    row = folded(sub)
    assert_matches(row, sub)
    assert (row["status"], row["seq"], row["position"], row["current_period_end"]) == (
        "pending_payment", 10, 10, None)


def test_activation_and_renewal_move_the_period_forward() -> None:
    sub = active()
    sub.renew(T0 + TIER.period)
    row = folded(sub)
    assert_matches(row, sub)
    assert row["current_period_end"] == T0 + 2 * TIER.period and row["status"] == "active"


def test_failed_renewals_are_dunned_then_a_renewal_clears_them() -> None:
    sub = active()
    sub.mark_past_due(T0 + TIER.period)
    sub.mark_past_due(T0 + TIER.period + timedelta(days=1))
    row = folded(sub)
    assert_matches(row, sub)
    assert (row["status"], row["dunning_attempts"]) == ("past_due", 2)
    assert row["next_retry_at"] == T0 + TIER.period + timedelta(days=2)  # waits double from the end
    sub.renew(T0 + TIER.period + timedelta(days=3))
    assert_matches(folded(sub, row), sub)


def test_cancelling_at_period_end_only_flags_it_and_cancelling_now_ends_it() -> None:
    sub = active()
    sub.cancel(True, T0 + timedelta(days=2))
    flagged = folded(sub)
    assert_matches(flagged, sub)
    assert (flagged["status"], flagged["cancel_at_period_end"]) == ("active", True)
    sub.cancel(False, T0 + timedelta(days=3))
    ended = folded(sub, flagged)
    assert_matches(ended, sub)
    assert (ended["status"], ended["ended_at"]) == ("cancelled", T0 + timedelta(days=3))


def test_a_lapsed_request_expires() -> None:
    sub = a_subscription()
    sub.expire(T0 + timedelta(days=3))
    row = folded(sub)
    assert_matches(row, sub)
    assert row["status"] == "expired"


def test_times_are_kept_in_utc_whatever_zone_the_command_came_in() -> None:
    ist = timezone(timedelta(hours=5, minutes=30))
    assert folded(a_subscription(T0.astimezone(ist)))["created_at"].utcoffset() == timedelta(0)


def test_a_row_shows_every_field_the_api_promises_and_goes_to_its_client_and_admins() -> None:
    row = folded(active())
    shown = MODEL.out(row)
    assert {"id", "client_id", "tier", "status", "current_period_end", "version"} <= set(shown)
    assert shown["current_period_end"] == (T0 + TIER.period).isoformat()
    assert MODEL.rooms(row)[:2] == ("user:alice", "role:admin")
    assert MODEL.push_event == "subscription.updated"


def test_an_event_for_a_subscription_never_requested_is_refused() -> None:
    with pytest.raises(LookupError):
        MODEL.fold(None, list(active().collect_events())[1], 11)


COMMANDS: list[Callable[[Subscription, datetime], None]] = [
    lambda s, at: s.activate(T0, at),
    lambda s, at: s.renew(at),
    lambda s, at: s.mark_past_due(at),
    lambda s, at: s.cancel(True, at),
    lambda s, at: s.cancel(False, at),
    lambda s, at: s.expire(at + timedelta(days=400)),
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(COMMANDS), max_size=15))
def test_any_command_sequence_folds_to_the_aggregates_state(commands: list[Callable[..., None]]) -> None:
    sub = a_subscription()
    for tick, command in enumerate(commands, start=1):
        with contextlib.suppress(DomainError):
            command(sub, T0 + timedelta(days=tick))
    assert_matches(folded(sub), sub)
