"""The sandbox's orders and payments, through the real `razorpay` client."""

from __future__ import annotations

import itertools

import pytest
import razorpay
from razorpay.errors import BadRequestError

from tests.razorpay_sandbox import running_sandbox


def test_an_order_is_created_and_fetched_as_razorpay_shows_it(sandbox):
    client = sandbox.client()
    created = client.order.create({"amount": 49_900, "currency": "INR", "receipt": "pay-1",
                                   "notes": {"subscription_id": "sub-1"}})
    assert created["id"].startswith("order_") and created["entity"] == "order"
    assert created | {"id": "-", "created_at": 0} == {
        "id": "-", "entity": "order", "amount": 49_900, "amount_paid": 0, "amount_due": 49_900,
        "currency": "INR", "receipt": "pay-1", "offer_id": None, "status": "created", "attempts": 0,
        "notes": {"subscription_id": "sub-1"}, "created_at": 0,
    }
    assert client.order.fetch(created["id"]) == created


def test_an_order_created_again_with_the_same_receipt_is_the_same_order(sandbox):
    first = sandbox.order(receipt="pay-2")
    assert sandbox.order(receipt="pay-2") == first
    assert sandbox.client().order.all({"receipt": "pay-2"})["items"] == [first]
    assert len(sandbox.state.ledger.orders) == 1


def test_a_receipt_used_for_another_amount_is_refused(sandbox):
    sandbox.order(amount=49_900, receipt="pay-3")
    with pytest.raises(BadRequestError, match="receipt"):
        sandbox.order(amount=99_900, receipt="pay-3")


def test_a_wrong_key_secret_answers_401_in_razorpays_shape(sandbox):
    answer = sandbox.http.get("/v1/orders", auth=("rzp_test_sandbox", "wrong"))
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "BAD_REQUEST_ERROR"
    assert answer.json()["error"]["description"] == "Authentication failed"
    with pytest.raises(BadRequestError, match="Authentication failed"):
        sandbox.client(key_secret="wrong").order.all()


def test_an_amount_below_one_rupee_is_a_bad_request_naming_the_field(sandbox):
    answer = sandbox.http.post("/v1/orders", json={"amount": 99, "currency": "INR"},
                               auth=("rzp_test_sandbox", "sandbox-key-secret"))
    assert answer.status_code == 400
    assert answer.json()["error"] | {"description": "-"} == {
        "code": "BAD_REQUEST_ERROR", "description": "-", "source": "business",
        "step": "payment_initiation", "reason": "input_validation_failed", "metadata": {}, "field": "amount"}


def test_an_unknown_id_is_a_bad_request_as_on_razorpay(sandbox):
    with pytest.raises(BadRequestError, match="does not exist"):
        sandbox.client().payment.fetch("pay_doesnotexist00")


def test_payments_are_listed_newest_first_between_from_and_to_in_pages():
    ticks = itertools.count(1_800_000_000, 10)
    with running_sandbox(clock=lambda: next(ticks)) as sandbox:
        paid = []
        for _ in range(5):
            order = sandbox.order()
            paid.append(sandbox.checkout(order["id"])["razorpay_payment_id"])
        created = {p["id"]: p["created_at"] for p in sandbox.client().payment.all({"count": 100})["items"]}
        times = sorted(created.values())
        client = sandbox.client()
        window = client.payment.all({"from": times[1], "to": times[3], "count": 2})
        assert [p["id"] for p in window["items"]] == [paid[3], paid[2]]
        rest = client.payment.all({"from": times[1], "to": times[3], "count": 2, "skip": 2})
        assert [p["id"] for p in rest["items"]] == [paid[1]] and rest["entity"] == "collection"


def test_an_authorized_payment_is_captured_once_for_its_whole_amount(sandbox):
    order = sandbox.order(amount=49_900)
    payment_id = sandbox.checkout(order["id"], outcome="authorized")["razorpay_payment_id"]
    client = sandbox.client()
    assert client.payment.fetch(payment_id)["status"] == "authorized"
    with pytest.raises(BadRequestError, match="equal to the amount authorized"):
        client.payment.capture(payment_id, 100, {"currency": "INR"})
    captured = client.payment.capture(payment_id, 49_900, {"currency": "INR"})
    assert captured["status"] == "captured" and captured["captured"] is True
    assert client.order.fetch(order["id"])["status"] == "paid"
    with pytest.raises(BadRequestError, match="already been captured"):
        client.payment.capture(payment_id, 49_900, {"currency": "INR"})


def test_the_sandbox_is_also_reached_through_the_razorpay_clients_own_error_mapping(sandbox):
    sandbox.state.faults.fail_next(1, status=500)
    with pytest.raises(razorpay.errors.ServerError):
        sandbox.client().order.all()


def test_an_unknown_url_answers_in_razorpays_error_shape(sandbox):
    answer = sandbox.http.get("/v1/no-such-thing", auth=("rzp_test_sandbox", "sandbox-key-secret"))
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "BAD_REQUEST_ERROR"


def test_the_simulator_is_also_driven_from_python_with_the_same_answers(sandbox, endpoint):
    order = sandbox.order()
    callback = sandbox.state.checkout(order["id"], upi_app="gpay", duplicates=1)
    assert sandbox.client().utility.verify_payment_signature(callback)
    sandbox.settle()
    assert len(endpoint.received) == 6
