"""What the gateway reports to a payment: mismatches flagged, refunds asked then settled, disputes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import RuleViolation
from domain.hash_chain import chain_record, verify_chain
from domain.payment import Payment, PaymentStatus, RefundExceedsCapture

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
PRICE = 49_900
LATER = T0 + timedelta(minutes=5)


def an_ordered_payment() -> Payment:
    payment = Payment.initiate("client-1", "subscription", "sub-1", PRICE, "upi", "phonepe", T0)
    payment.record_gateway_order("order_1", T0)
    return payment


def a_captured_payment() -> Payment:
    payment = an_ordered_payment()
    payment.capture("pay_1", PRICE, T0)
    return payment


def names(payment: Payment) -> list[str]:
    return [type(e).__name__ for e in payment.collect_events()]


def test_an_amount_in_rupees_instead_of_paise_is_flagged_and_captures_nothing() -> None:
    payment = an_ordered_payment()
    assert payment.record_capture("pay_1", PRICE // 100, "INR", LATER) is False
    assert payment.status is PaymentStatus.CREATED and payment.captured is None
    assert ("amount_mismatch", "pay_1") in payment.flags
    assert names(payment)[-1] == "Flagged"


def test_another_currency_is_flagged_once_and_captures_nothing() -> None:
    payment = an_ordered_payment()
    payment.record_capture("pay_1", PRICE, "USD", LATER)
    payment.record_capture("pay_1", PRICE, "USD", LATER)
    assert payment.captured is None and names(payment).count("Flagged") == 1


def test_the_matching_amount_captures_after_a_failure_and_a_repeat_changes_nothing() -> None:
    payment = an_ordered_payment()
    payment.fail("upi declined", "pay_0", T0)
    assert payment.record_capture("pay_1", PRICE, "INR", LATER)
    assert payment.record_capture("pay_1", PRICE, "INR", LATER)
    assert payment.status is PaymentStatus.CAPTURED and names(payment).count("Captured") == 1


def test_a_requested_refund_holds_its_amount_until_the_gateway_settles_it() -> None:
    payment = a_captured_payment()
    payment.request_refund("rf_1", 40_000, "goodwill", LATER)
    with pytest.raises(RefundExceedsCapture):
        payment.request_refund("rf_2", 10_000, "more", LATER)
    payment.request_refund("rf_1", 40_000, "goodwill", LATER)  # a repeat: nothing
    payment.record_refund("rfnd_A", 40_000, "rf_1", "goodwill", LATER)
    payment.record_refund("rfnd_A", 40_000, "rf_1", "goodwill", LATER)  # the webhook after the answer
    assert (payment.refunded_paise, payment.refunds_pending) == (40_000, {})
    assert payment.status is PaymentStatus.PARTIALLY_REFUNDED
    assert names(payment).count("Refunded") == 1


def test_a_failed_refund_makes_its_amount_refundable_again() -> None:
    payment = a_captured_payment()
    payment.request_refund("rf_1", None, "goodwill", LATER)
    payment.fail_refund("rf_1", "rfnd_A", "bank refused", LATER)
    payment.request_refund("rf_2", None, "again", LATER)
    assert payment.refunds_pending["rf_2"].paise == PRICE


def test_a_refund_we_did_not_start_is_recorded_but_never_beyond_the_capture() -> None:
    payment = a_captured_payment()
    payment.record_refund("rfnd_X", PRICE, None, "refunded from the dashboard", LATER)
    assert payment.status is PaymentStatus.REFUNDED
    with pytest.raises(RefundExceedsCapture):
        payment.record_refund("rfnd_Y", 1, None, "again", LATER)


def test_nothing_is_refunded_before_a_capture() -> None:
    with pytest.raises(RuleViolation):
        an_ordered_payment().record_refund("rfnd_X", 1, None, "why", LATER)


def test_a_dispute_is_opened_flagged_and_closed_once() -> None:
    payment = a_captured_payment()
    payment.open_dispute("disp_1", PRICE, LATER)
    payment.open_dispute("disp_1", PRICE, LATER)
    payment.close_dispute("disp_1", "lost", LATER)
    payment.close_dispute("disp_1", "won", LATER)
    assert payment.disputes == {"disp_1": "lost"} and ("disputed", "pay_1") in payment.flags
    assert names(payment)[-3:] == ["DisputeOpened", "Flagged", "DisputeClosed"]


def test_an_autopay_charge_is_recorded_as_a_captured_payment_on_the_chain() -> None:
    payment = Payment.record_charge("client-1", "subscription", "sub-1", PRICE, "upi", None, "pay_9", T0)
    events = list(payment.collect_events())
    assert [type(e).__name__ for e in events] == ["Initiated", "Captured"]
    assert payment.status is PaymentStatus.CAPTURED and verify_chain([chain_record(e) for e in events])


def test_every_new_event_extends_a_chain_that_verifies() -> None:
    payment = a_captured_payment()
    payment.record_capture("pay_2", 1, "INR", LATER)
    payment.request_refund("rf_1", 100, "goodwill", LATER)
    payment.fail_refund("rf_1", None, "refused", LATER)
    payment.request_refund("rf_2", 100, "goodwill", LATER)
    payment.record_refund("rfnd_2", 100, "rf_2", "goodwill", LATER)
    payment.open_dispute("disp_1", PRICE, LATER)
    payment.close_dispute("disp_1", "won", LATER)
    assert verify_chain([chain_record(e) for e in payment.collect_events()])
