"""Refunds on the sandbox: idempotent by `X-Refund-Idempotency`, never more than captured."""

from __future__ import annotations

import pytest
from razorpay.errors import BadRequestError


def captured_payment(sandbox, amount: int = 49_900) -> str:
    order = sandbox.order(amount=amount)
    return sandbox.checkout(order["id"])["razorpay_payment_id"]


def refund(sandbox, payment_id: str, body: dict, key: str | None):
    headers = {"X-Refund-Idempotency": key} if key else {}
    return sandbox.client().payment.refund(payment_id, body, headers=headers)


def test_the_same_idempotency_key_and_body_return_the_first_refund(sandbox):
    payment_id = captured_payment(sandbox)
    first = refund(sandbox, payment_id, {"amount": 10_000}, "refund-key-0001")
    again = refund(sandbox, payment_id, {"amount": 10_000}, "refund-key-0001")
    assert again == first and first["status"] == "processed" and first["id"].startswith("rfnd_")
    assert sandbox.client().payment.fetch(payment_id)["amount_refunded"] == 10_000


def test_the_same_key_with_another_body_is_refused(sandbox):
    payment_id = captured_payment(sandbox)
    refund(sandbox, payment_id, {"amount": 10_000}, "refund-key-0002")
    with pytest.raises(BadRequestError, match="idempotency key"):
        refund(sandbox, payment_id, {"amount": 20_000}, "refund-key-0002")


def test_a_short_idempotency_key_is_refused(sandbox):
    with pytest.raises(BadRequestError, match="X-Refund-Idempotency"):
        refund(sandbox, captured_payment(sandbox), {"amount": 10_000}, "short")


def test_refunds_never_exceed_what_was_captured(sandbox):
    payment_id = captured_payment(sandbox, amount=49_900)
    refund(sandbox, payment_id, {"amount": 40_000}, "refund-key-0003")
    with pytest.raises(BadRequestError, match="greater than amount captured"):
        refund(sandbox, payment_id, {"amount": 10_000}, "refund-key-0004")
    rest = refund(sandbox, payment_id, {}, "refund-key-0005")
    assert rest["amount"] == 9_900
    payment = sandbox.client().payment.fetch(payment_id)
    assert (payment["status"], payment["refund_status"]) == ("refunded", "full")
    assert payment["amount_refunded"] == 49_900
    with pytest.raises(BadRequestError, match="greater than amount captured"):
        refund(sandbox, payment_id, {"amount": 100}, None)
    listed = sandbox.client().payment.fetch_multiple_refund(payment_id)
    assert sorted(r["amount"] for r in listed["items"]) == [9_900, 40_000]


def test_a_payment_not_captured_cannot_be_refunded(sandbox):
    order = sandbox.order()
    payment_id = sandbox.checkout(order["id"], outcome="authorized")["razorpay_payment_id"]
    with pytest.raises(BadRequestError, match="not been captured"):
        refund(sandbox, payment_id, {"amount": 10_000}, "refund-key-0006")
