"""The payments read model folds a Payment's events into the same state the aggregate holds."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.payment import Payment
from projections.model import Row
from projections.payments import PaymentsModel

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
PRICE = 49_900
MODEL = PaymentsModel()


def a_payment() -> Payment:
    return Payment.initiate("client-1", "subscription", "sub-1", PRICE, "upi", "gpay", T0)


def replay(events: list[Any], first_position: int = 10) -> Row | None:
    row = None
    for position, event in enumerate(events, start=first_position):
        row = MODEL.fold(row, event, position)
    return row


def folded(payment: Payment) -> Row:
    row = replay(list(payment.collect_events()))
    assert row is not None
    return row


def assert_matches(row: Row, payment: Payment) -> None:
    captured = payment.captured.paise if payment.captured else 0
    assert row == row | {
        "id": str(payment.id), "client_id": payment.client_id, "status": payment.status.value,
        "purpose": payment.purpose.kind.value, "reference_id": payment.purpose.reference_id,
        "amount_paise": payment.amount.paise, "currency": payment.amount.currency,
        "gateway_order_id": payment.gateway_order_id, "gateway_payment_id": payment.gateway_payment_id,
        "refunded_paise": payment.refunded_paise, "captured_paise": captured,
        "attempts": payment.attempts, "failure_reason": payment.failure_reason,
        "late_failures": payment.late_failures, "version": payment.version,
    }


def test_an_initiated_payment_is_a_created_row_at_its_first_position() -> None:
    payment = a_payment()
    row = folded(payment)
    assert_matches(row, payment)
    assert (row["seq"], row["position"], row["created_at"]) == (10, 10, T0)
    assert (row["method"], row["upi_app"]) == ("upi", "gpay")
    assert (row["captured_at"], row["failed_at"]) == (None, None)


def test_a_captured_payment_keeps_its_gateway_ids_and_capture_time() -> None:
    payment = a_payment()
    payment.record_gateway_order("order_1", T0)
    payment.authorize("pay_1", T0 + timedelta(minutes=1))
    payment.capture("pay_1", PRICE, T0 + timedelta(minutes=2))
    row = folded(payment)
    assert_matches(row, payment)
    assert (row["status"], row["captured_at"], row["seq"], row["position"]) == (
        "captured", T0 + timedelta(minutes=2), 10, 13)


def test_a_late_failure_never_undoes_a_capture_in_the_row() -> None:
    payment = a_payment()
    payment.record_gateway_order("order_1", T0)
    payment.capture("pay_1", PRICE, T0)
    payment.fail("bank declined late", "pay_1", T0 + timedelta(minutes=5))
    row = folded(payment)
    assert_matches(row, payment)
    assert (row["status"], row["late_failures"], row["failed_at"]) == ("captured", 1, None)


def test_a_retry_opens_a_new_attempt_and_remembers_when_the_last_one_failed() -> None:
    payment = a_payment()
    payment.record_gateway_order("order_1", T0)
    payment.fail("declined", "pay_1", T0 + timedelta(minutes=1))
    payment.retry(T0 + timedelta(minutes=2))
    row = folded(payment)
    assert_matches(row, payment)
    assert (row["status"], row["attempts"], row["gateway_order_id"]) == ("created", 2, None)
    assert row["failed_at"] == T0 + timedelta(minutes=1)


@pytest.mark.parametrize("refunds, status", [
    ([10_000], "partially_refunded"), ([10_000, PRICE - 10_000], "refunded"), ([None], "refunded"),
])
def test_refunds_add_up_to_a_partial_or_whole_refund(refunds: list[int | None], status: str) -> None:
    payment = a_payment()
    payment.record_gateway_order("order_1", T0)
    payment.capture("pay_1", PRICE, T0)
    for amount in refunds:
        payment.refund(amount, "goodwill", T0 + timedelta(days=1))
    row = folded(payment)
    assert_matches(row, payment)
    assert (row["status"], row["refunded_paise"]) == (status, sum(a or PRICE for a in refunds))


def test_times_are_kept_in_utc_whatever_zone_the_command_came_in() -> None:
    ist = timezone(timedelta(hours=5, minutes=30))
    payment = Payment.initiate("c", "plan", "p", PRICE, "card", None, T0.astimezone(ist))
    assert folded(payment)["created_at"].utcoffset() == timedelta(0)


def test_an_event_for_a_payment_never_initiated_is_refused() -> None:
    payment = a_payment()
    payment.record_gateway_order("order_1", T0)
    later = list(payment.collect_events())[1:]
    with pytest.raises(LookupError):
        replay(later)


def test_a_row_shows_every_field_the_api_promises() -> None:
    shown = MODEL.out(folded(a_payment()))
    assert {"id", "client_id", "purpose", "reference_id", "status", "amount_paise", "currency",
            "gateway_order_id", "gateway_payment_id", "refunded_paise", "attempts", "version"} <= set(shown)
    assert shown["created_at"] == T0.isoformat()
    assert MODEL.rooms(folded(a_payment())) == (
        "user:client-1", "role:admin", "role:superadmin", "role:auditor")


COMMANDS: list[Callable[[Payment, datetime], None]] = [
    lambda p, at: p.record_gateway_order(f"order_{p.attempts}", at),
    lambda p, at: p.authorize("pay_a", at),
    lambda p, at: p.capture("pay_a", PRICE, at),
    lambda p, at: p.fail("declined", "pay_a", at),
    lambda p, at: p.retry(at),
    lambda p, at: p.refund(9_900, "partial", at),
    lambda p, at: p.refund(None, "whole", at),
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(COMMANDS), max_size=25))
def test_any_command_sequence_folds_to_the_aggregates_state(commands: list[Callable[..., None]]) -> None:
    payment = a_payment()
    for tick, command in enumerate(commands, start=1):
        with contextlib.suppress(DomainError):
            command(payment, T0 + timedelta(minutes=tick))
    assert_matches(folded(payment), payment)
