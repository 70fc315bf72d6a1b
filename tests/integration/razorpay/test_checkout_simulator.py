"""The Checkout simulator: UPI by PhonePe or Google Pay, captured or failed, as Razorpay completes it."""

from __future__ import annotations

import json

import pytest
from razorpay.errors import SignatureVerificationError


def events_of(endpoint) -> list[tuple[str, dict]]:
    bodies = [json.loads(r.raw) for r in endpoint.received]
    return [(b["event"], b["payload"]) for b in bodies]


@pytest.mark.parametrize("upi_app", ["phonepe", "gpay"])
def test_a_upi_payment_returns_a_callback_the_razorpay_client_verifies(sandbox, upi_app):
    order = sandbox.order(amount=49_900, receipt=f"pay-{upi_app}")
    callback = sandbox.checkout(order["id"], method="upi", upi_app=upi_app, outcome="captured")
    assert callback["razorpay_order_id"] == order["id"]
    assert sandbox.client().utility.verify_payment_signature(callback) is True
    payment = sandbox.client().payment.fetch(callback["razorpay_payment_id"])
    assert (payment["method"], payment["status"], payment["amount"], payment["order_id"]) == (
        "upi", "captured", 49_900, order["id"])
    assert payment["vpa"].endswith("@ybl" if upi_app == "phonepe" else "@okaxis")


def test_a_callback_for_another_order_does_not_verify(sandbox):
    callback = sandbox.checkout(sandbox.order()["id"])
    forged = {**callback, "razorpay_order_id": sandbox.order()["id"]}
    with pytest.raises(SignatureVerificationError):
        sandbox.client().utility.verify_payment_signature(forged)


def test_a_captured_payment_sends_authorized_captured_and_order_paid_as_snapshots(sandbox, endpoint):
    order = sandbox.order()
    sandbox.checkout(order["id"])
    sandbox.settle()
    events = dict(events_of(endpoint))
    assert set(events) == {"payment.authorized", "payment.captured", "order.paid"}
    assert events["payment.authorized"]["payment"]["entity"]["status"] == "authorized"
    assert events["payment.captured"]["payment"]["entity"]["status"] == "captured"
    assert events["order.paid"]["order"]["entity"] | {"created_at": 0} == {
        **order, "created_at": 0, "status": "paid", "amount_paid": order["amount"], "amount_due": 0,
        "attempts": 1}


def test_a_failed_payment_answers_an_error_with_no_signature(sandbox, endpoint):
    order = sandbox.order()
    callback = sandbox.checkout(order["id"], outcome="failed")
    assert "razorpay_signature" not in callback
    assert callback["error"]["reason"] == "payment_timed_out"
    assert callback["error"]["metadata"]["order_id"] == order["id"]
    sandbox.settle()
    assert [name for name, _ in events_of(endpoint)] == ["payment.failed"]
    assert sandbox.client().order.fetch(order["id"])["status"] == "attempted"


def test_a_upi_payment_failed_then_approved_in_the_app_keeps_its_id_and_is_captured(sandbox, endpoint):
    order = sandbox.order()
    callback = sandbox.checkout(order["id"], outcome="failed_then_captured")
    sandbox.settle()
    events = events_of(endpoint)
    assert sorted(name for name, _ in events) == ["order.paid", "payment.authorized", "payment.captured",
                                                  "payment.failed"]  # delivered in any order
    ids = {payload["payment"]["entity"]["id"] for _, payload in events}
    assert ids == {callback["razorpay_payment_id"]}
    assert sandbox.client().payment.fetch(callback["razorpay_payment_id"])["error_code"] is None


def test_a_paid_order_cannot_be_paid_again(sandbox):
    order = sandbox.order()
    sandbox.checkout(order["id"])
    answer = sandbox.http.post(f"/sandbox/checkout/{order['id']}", json={})
    assert answer.status_code == 400 and answer.json()["error"]["description"] == "Order is already paid"


def test_a_refund_sends_refund_processed_with_the_refund_and_the_payment(sandbox, endpoint):
    payment_id = sandbox.checkout(sandbox.order()["id"])["razorpay_payment_id"]
    sandbox.client().payment.refund(payment_id, {"amount": 10_000})
    sandbox.settle()
    processed = dict(events_of(endpoint))["refund.processed"]
    assert processed["refund"]["entity"]["amount"] == 10_000
    assert processed["payment"]["entity"]["refund_status"] == "partial"
