from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from domain.errors import InvalidValue, RuleViolation
from domain.hash_chain import GENESIS, chain_record, find_break, link_hash, verify_chain
from domain.payment import (
    AmountMismatch,
    AttemptsExhausted,
    Payment,
    PaymentMethod,
    PaymentPurpose,
    PaymentStatus,
    PurposeKind,
    RefundExceedsCapture,
    UpiApp,
)
from domain.values import Money

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
PRICE = 49_900


def a_payment(**overrides: object) -> Payment:
    args: dict[str, object] = {
        "client_id": "client-1", "purpose": "subscription", "reference_id": "sub-1",
        "amount_paise": PRICE, "method": "upi", "upi_app": "phonepe", "at": T0,
    }
    return Payment.initiate(**(args | overrides))  # type: ignore[arg-type]


def an_ordered_payment() -> Payment:
    payment = a_payment()
    payment.record_gateway_order("order_1", T0)
    return payment


def a_captured_payment() -> Payment:
    payment = an_ordered_payment()
    payment.capture("pay_1", PRICE, T0 + timedelta(minutes=1))
    return payment


def records(payment: Payment) -> list[dict]:
    return [chain_record(e) for e in payment.collect_events()]


def test_an_initiated_payment_is_created_for_its_purpose_in_paise() -> None:
    payment = a_payment()
    assert payment.status is PaymentStatus.CREATED
    assert payment.purpose == PaymentPurpose(PurposeKind.SUBSCRIPTION, "sub-1")
    assert payment.amount == Money(PRICE, "INR")
    assert (payment.method, payment.upi_app) == (PaymentMethod.UPI, UpiApp.PHONEPE)
    assert (payment.attempts, payment.has_order, payment.refunded_paise) == (1, False, 0)


@pytest.mark.parametrize("amount", [0, -1, 10.5, True])
def test_a_payment_is_for_a_positive_whole_number_of_paise(amount: object) -> None:
    with pytest.raises(InvalidValue):
        a_payment(amount_paise=amount)


@pytest.mark.parametrize(
    "field, value",
    [("purpose", "gift"), ("method", "cash"), ("upi_app", "paytm"), ("reference_id", " ")],
)
def test_an_unknown_purpose_method_or_app_is_invalid(field: str, value: str) -> None:
    with pytest.raises(InvalidValue):
        a_payment(**{field: value})


def test_a_upi_app_applies_only_to_upi_payments() -> None:
    with pytest.raises(InvalidValue):
        a_payment(method="card", upi_app="gpay")
    assert a_payment(method="card", upi_app=None).upi_app is None


def test_a_gateway_order_is_recorded_once_per_attempt() -> None:
    payment = an_ordered_payment()
    payment.record_gateway_order("order_1", T0)
    assert payment.gateway_order_id == "order_1"
    assert payment.version == 2
    with pytest.raises(RuleViolation):
        payment.record_gateway_order("order_2", T0)


def test_nothing_is_authorized_or_captured_before_the_gateway_order() -> None:
    payment = a_payment()
    with pytest.raises(RuleViolation):
        payment.authorize("pay_1", T0)
    with pytest.raises(RuleViolation):
        payment.capture("pay_1", PRICE, T0)


def test_an_authorized_payment_is_captured_for_its_exact_amount() -> None:
    payment = an_ordered_payment()
    payment.authorize("pay_1", T0)
    assert payment.status is PaymentStatus.AUTHORIZED
    payment.capture("pay_1", PRICE, T0)
    assert payment.status is PaymentStatus.CAPTURED
    assert payment.captured == Money(PRICE)
    assert payment.gateway_payment_id == "pay_1"


def test_authorizing_twice_with_the_same_payment_changes_nothing() -> None:
    payment = an_ordered_payment()
    payment.authorize("pay_1", T0)
    payment.authorize("pay_1", T0)
    assert payment.version == 3
    with pytest.raises(RuleViolation):
        payment.authorize("pay_2", T0)


def test_capturing_twice_is_a_no_op() -> None:
    payment = a_captured_payment()
    payment.capture("pay_1", PRICE, T0)
    assert payment.version == 3
    assert payment.status is PaymentStatus.CAPTURED


def test_a_capture_of_another_amount_is_refused() -> None:
    payment = an_ordered_payment()
    with pytest.raises(AmountMismatch):
        payment.capture("pay_1", PRICE - 1, T0)
    assert payment.status is PaymentStatus.CREATED
    assert issubclass(AmountMismatch, RuleViolation)


def test_a_late_authorization_never_undoes_a_capture() -> None:
    payment = a_captured_payment()
    payment.authorize("pay_1", T0)
    assert payment.status is PaymentStatus.CAPTURED
    assert payment.version == 3


def test_a_late_failure_never_undoes_a_capture() -> None:
    payment = a_captured_payment()
    payment.fail("UPI timeout", "pay_1", T0 + timedelta(minutes=2))
    events = payment.collect_events()
    assert payment.status is PaymentStatus.CAPTURED
    assert payment.late_failures == 1
    assert type(events[-1]) is Payment.LateFailureRecorded


def test_a_late_failure_after_a_refund_is_recorded_and_changes_nothing_else() -> None:
    payment = a_captured_payment()
    payment.refund(100, "goodwill", T0)
    payment.fail("bank declined", None, T0)
    assert payment.status is PaymentStatus.PARTIALLY_REFUNDED
    assert payment.late_failures == 1


def test_a_failed_payment_keeps_its_reason_and_a_second_failure_changes_nothing() -> None:
    payment = an_ordered_payment()
    payment.fail("card declined", "pay_1", T0)
    payment.fail("card declined again", "pay_1", T0)
    assert payment.status is PaymentStatus.FAILED
    assert payment.failure_reason == "card declined"
    assert payment.version == 3


def test_a_capture_after_a_failure_is_accepted() -> None:
    payment = an_ordered_payment()
    payment.fail("UPI pending too long", "pay_1", T0)
    payment.capture("pay_1", PRICE, T0)
    assert payment.status is PaymentStatus.CAPTURED
    assert payment.failure_reason is None


def test_a_retry_opens_a_new_attempt_that_needs_a_new_gateway_order() -> None:
    payment = an_ordered_payment()
    payment.fail("declined", None, T0)
    payment.retry(T0)
    assert (payment.status, payment.attempts, payment.has_order) == (PaymentStatus.CREATED, 2, False)
    payment.record_gateway_order("order_2", T0)
    payment.capture("pay_2", PRICE, T0)
    assert payment.status is PaymentStatus.CAPTURED


def test_only_a_failed_payment_can_be_retried() -> None:
    for payment in (a_payment(), a_captured_payment()):
        with pytest.raises(RuleViolation):
            payment.retry(T0)


def test_a_fourth_attempt_is_refused() -> None:
    payment = a_payment()
    for attempt in (1, 2, 3):
        payment.record_gateway_order(f"order_{attempt}", T0)
        payment.fail("declined", None, T0)
        if attempt < 3:
            payment.retry(T0)
    with pytest.raises(AttemptsExhausted):
        payment.retry(T0)
    assert payment.attempts == 3
    assert issubclass(AttemptsExhausted, RuleViolation)


def test_a_partial_refund_then_the_rest_refunds_the_whole() -> None:
    payment = a_captured_payment()
    payment.refund(10_000, "one week unused", T0)
    assert (payment.status, payment.refunded_paise) == (PaymentStatus.PARTIALLY_REFUNDED, 10_000)
    payment.refund(None, "cancelled", T0)
    assert (payment.status, payment.refunded_paise) == (PaymentStatus.REFUNDED, PRICE)


def test_refunds_never_exceed_the_capture() -> None:
    payment = a_captured_payment()
    payment.refund(PRICE - 100, "most of it", T0)
    with pytest.raises(RefundExceedsCapture):
        payment.refund(101, "too much", T0)
    payment.refund(100, "the rest", T0)
    with pytest.raises(RuleViolation):
        payment.refund(None, "again", T0)
    assert payment.refunded_paise == PRICE


def test_only_a_captured_payment_can_be_refunded() -> None:
    payment = an_ordered_payment()
    payment.authorize("pay_1", T0)
    with pytest.raises(RuleViolation):
        payment.refund(None, "not captured", T0)


@pytest.mark.parametrize("amount, reason", [(0, "zero"), (-5, "negative"), (100, " ")])
def test_a_refund_needs_a_positive_amount_and_a_reason(amount: int, reason: str) -> None:
    with pytest.raises(InvalidValue):
        a_captured_payment().refund(amount, reason, T0)


def test_a_refused_command_records_nothing() -> None:
    payment = a_captured_payment()
    version = payment.version
    with pytest.raises(RefundExceedsCapture):
        payment.refund(PRICE + 1, "too much", T0)
    assert payment.version == version


def test_the_hash_chain_links_every_event() -> None:
    payment = a_captured_payment()
    payment.fail("late", "pay_1", T0)
    payment.refund(1_000, "partial", T0)
    chain = records(payment)
    assert chain[0]["prev_hash"] == GENESIS
    assert all(later["prev_hash"] == earlier["hash"] for earlier, later in pairwise(chain))
    assert len({link["hash"] for link in chain}) == len(chain)
    assert payment.chain_head == chain[-1]["hash"]
    assert verify_chain(chain)


def test_the_hash_is_sha256_of_the_previous_hash_and_the_canonical_event() -> None:
    import hashlib
    import json

    first = records(a_payment())[0]
    data = {
        "client_id": "client-1", "at": T0.isoformat(), "method": "upi", "upi_app": "phonepe",
        "amount": {"paise": PRICE, "currency": "INR"},
        "purpose": {"kind": "subscription", "reference_id": "sub-1"},
    }
    stamp = first["timestamp"].isoformat()
    body = {"chain": 2, "type": "Initiated", "version": 1, "timestamp": stamp, "data": data}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    assert first["hash"] == hashlib.sha256((GENESIS + canonical).encode()).hexdigest()


def test_the_chain_covers_each_events_timestamp() -> None:
    chain = records(a_captured_payment())
    chain[1]["timestamp"] += timedelta(seconds=1)
    brk = find_break(chain)
    assert brk is not None and brk.index == 1 and "edited" in brk.reason


def test_a_chain_2_link_cannot_be_passed_off_as_the_old_form() -> None:
    chain = records(a_captured_payment())
    old = {**chain[1], "timestamp": None}
    old["hash"] = link_hash(chain[0]["hash"], old["type"], 2, old["data"])
    brk = find_break([chain[0], old])
    assert brk is not None and brk.index == 1 and "chain-1" in brk.reason


def test_old_links_before_new_ones_verify() -> None:
    chain = records(a_captured_payment())
    prev = GENESIS
    for link in chain[:2]:
        link.update(prev_hash=prev, hash=link_hash(prev, link["type"], link["version"], link["data"]))
        prev = link["hash"]
    chain[2]["prev_hash"] = prev
    chain[2]["hash"] = link_hash(prev, chain[2]["type"], 3, chain[2]["data"], chain[2]["timestamp"])
    assert find_break(chain) is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda r: r["data"].update(amount=Money(1)),
        lambda r: r["data"].update(reason="changed"),
        lambda r: r.update(version=9),
        lambda r: r.update(type="Captured"),
        lambda r: r.update(prev_hash=GENESIS),
    ],
)
def test_a_tampered_event_breaks_the_chain(tamper) -> None:
    payment = a_captured_payment()
    payment.refund(1_000, "partial", T0)
    chain = records(payment)
    tamper(chain[-1])
    assert not verify_chain(chain)


def test_a_removed_or_reordered_event_breaks_the_chain() -> None:
    payment = a_captured_payment()
    chain = records(payment)
    assert not verify_chain(chain[:1] + chain[2:])
    assert not verify_chain([chain[1], chain[0], chain[2]])


def test_replaying_the_events_gives_the_same_payment() -> None:
    payment = a_captured_payment()
    payment.refund(500, "partial", T0)
    events = payment.collect_events()
    replayed = None
    for domain_event in events:
        replayed = domain_event.mutate(replayed)
    assert replayed is not None
    assert vars(replayed) == vars(payment)


def test_the_recorded_events_carry_the_public_names() -> None:
    payment = a_captured_payment()
    names = [type(e).__name__ for e in payment.collect_events()]
    assert names == ["Initiated", "GatewayOrderCreated", "Captured"]
    assert dataclasses.is_dataclass(Payment.Captured)
