"""The gateway adapter's operations against the sandbox, through the real `razorpay` client."""

from __future__ import annotations

import pytest

from infrastructure.razorpay.errors import GatewayRejected
from infrastructure.razorpay.sandbox.checkout import pay_order
from tests.razorpay_sandbox import running_sandbox


def test_an_order_carries_our_payment_id_as_receipt_and_a_repeat_finds_the_same_order(sandbox):
    gateway = sandbox.gateway()
    order = gateway.create_order("pay-0001", 49_900, "INR", {"purpose": "subscription"})
    assert (order["receipt"], order["amount"]) == ("pay-0001", 49_900)
    assert order["notes"] == {"purpose": "subscription"}
    assert gateway.create_order("pay-0001", 49_900)["id"] == order["id"]
    assert gateway.fetch_order(order["id"]) == order


def test_a_create_whose_answer_was_lost_is_retried_by_finding_the_order_by_receipt(sandbox):
    sandbox.state.faults.lose_answer_next(1, status=502)
    order = sandbox.gateway().create_order("pay-0002", 49_900)
    assert len(sandbox.state.ledger.orders) == 1 and order["receipt"] == "pay-0002"
    assert sandbox.state.faults.calls == [("POST", "/v1/orders"), ("GET", "/v1/orders")]


def test_where_receipts_may_repeat_as_on_razorpay_a_retried_create_still_makes_one_order():
    with running_sandbox(unique_receipts=False) as sandbox:
        assert sandbox.order(receipt="dup")["id"] != sandbox.order(receipt="dup")["id"]
        sandbox.state.faults.lose_answer_next(1, status=504)
        order = sandbox.gateway().create_order("pay-0006", 49_900)
        made = [o["id"] for o in sandbox.state.ledger.orders.values() if o["receipt"] == "pay-0006"]
        assert made == [order["id"]]


def test_a_payment_is_fetched_and_an_authorized_one_captured(sandbox):
    gateway = sandbox.gateway()
    order = gateway.create_order("pay-0003", 49_900)
    payment_id = sandbox.checkout(order["id"], outcome="authorized")["razorpay_payment_id"]
    assert gateway.fetch_payment(payment_id)["status"] == "authorized"
    assert gateway.capture(payment_id, 49_900)["status"] == "captured"


def test_a_refund_whose_answer_was_lost_is_retried_with_the_same_key_and_made_once(sandbox):
    gateway = sandbox.gateway()
    payment_id = sandbox.checkout(gateway.create_order("pay-0004", 49_900)["id"])["razorpay_payment_id"]
    sandbox.state.faults.lose_answer_next(1, status=500)
    refund = gateway.refund(payment_id, 10_000, "pay-0004-refund-1")
    assert list(sandbox.state.ledger.refunds) == [refund["id"]]
    assert gateway.fetch_payment(payment_id)["amount_refunded"] == 10_000


def test_a_refund_above_what_was_captured_is_rejected_with_razorpays_reason(sandbox):
    gateway = sandbox.gateway()
    payment_id = sandbox.checkout(gateway.create_order("pay-0005", 49_900)["id"])["razorpay_payment_id"]
    with pytest.raises(GatewayRejected) as rejected:
        gateway.refund(payment_id, 50_000, "pay-0005-refund-1")
    error = rejected.value
    assert (error.status, error.code, error.field) == (400, "BAD_REQUEST_ERROR", "amount")


def test_payments_are_listed_across_pages_in_a_window(sandbox):
    ledger = sandbox.state.ledger
    with ledger.lock:
        for n in range(230):
            order = ledger.create_order({"amount": 10_000 + n, "currency": "INR", "receipt": f"p{n}"})
            pay_order(ledger, "secret", order["id"], "upi", "phonepe", "captured")
    now = ledger.now()
    listed = sandbox.gateway().list_payments(now - 60, now + 60)
    assert sorted(p["amount"] for p in listed) == [10_000 + n for n in range(230)]
    assert [c for c in sandbox.state.faults.calls if c[1] == "/v1/payments"] == [("GET", "/v1/payments")] * 3
    assert sandbox.gateway().list_payments(now + 61, now + 120) == []


def test_a_subscription_is_created_on_a_plan_and_cancelled(sandbox):
    gateway = sandbox.gateway()
    plan = gateway.create_plan("monthly", 1, 99_900, "GymGenius Pro")
    sub = gateway.create_subscription(plan["id"], 12, {"subscription_id": "ours-2"})
    assert (sub["status"], sub["plan_id"]) == ("created", plan["id"])
    assert sub["notes"] == {"subscription_id": "ours-2"}
    sandbox.sandbox_post(f"/subscriptions/{sub['id']}/authenticate")
    assert gateway.fetch_subscription(sub["id"])["status"] == "active"
    assert gateway.cancel_subscription(sub["id"])["status"] == "cancelled"
