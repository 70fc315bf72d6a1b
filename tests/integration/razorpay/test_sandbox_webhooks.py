"""The sandbox's webhooks: signed over the raw body, at least once, duplicated and shuffled on demand."""

from __future__ import annotations

import json
from collections import Counter

from razorpay import Client

from tests.razorpay_sandbox import WEBHOOK_SECRET, running_sandbox
from tests.support import wait_until


def test_every_webhook_is_signed_over_its_raw_body_with_the_webhook_secret(sandbox, endpoint):
    sandbox.checkout(sandbox.order()["id"])
    sandbox.settle()
    utility = Client().utility
    for received in endpoint.received:
        signature = received.headers["x-razorpay-signature"]
        assert utility.verify_webhook_signature(received.raw.decode(), signature, WEBHOOK_SECRET)
        body = json.loads(received.raw)
        assert set(body) == {"entity", "account_id", "event", "contains", "payload", "created_at"}
        assert body["entity"] == "event" and body["contains"] == list(body["payload"])
        assert received.headers["content-type"] == "application/json"


def test_each_event_is_delivered_as_often_as_asked_with_the_same_id_and_bytes(sandbox, endpoint):
    sandbox.checkout(sandbox.order()["id"], duplicates=3)
    sandbox.settle()
    copies = Counter(endpoint.events())
    assert len(copies) == 3 and set(copies.values()) == {4}
    by_id: dict[str, set[bytes]] = {}
    for received in endpoint.received:
        by_id.setdefault(received.headers["x-razorpay-event-id"], set()).add(received.raw)
    assert all(len(bodies) == 1 for bodies in by_id.values())


def test_shuffled_deliveries_follow_the_seed_and_differ_from_the_order_of_events(endpoint):
    orders = []
    with running_sandbox(endpoint.url, threads=1) as sandbox:
        for _ in range(2):
            order = sandbox.order()
            sandbox.checkout(order["id"], duplicates=2, shuffle=True, seed=7)
            sandbox.settle()
            orders.append([json.loads(r.raw)["event"] for r in endpoint.received])
            endpoint.received.clear()
    assert orders[0] == orders[1]
    in_order = [e for e in ("payment.authorized", "payment.captured", "order.paid") for _ in range(3)]
    assert sorted(orders[0]) == sorted(in_order) and orders[0] != in_order


def test_a_delivery_answered_with_an_error_is_retried_until_a_2xx(sandbox, endpoint):
    endpoint.answers.extend([500, 503])
    sandbox.state.send([("payment.captured", {"payment": {"id": "pay_x"}})])
    sandbox.settle()
    attempts = [(d.attempt, d.status) for d in sandbox.state.webhooks.deliveries]
    assert attempts == [(1, 500), (2, 503), (3, 200)]
    assert len(endpoint.received) == 3 and len({r.raw for r in endpoint.received}) == 1


def test_an_endpoint_that_never_answers_2xx_gets_a_bounded_number_of_attempts(endpoint):
    endpoint.answers.extend([500] * 10)
    with running_sandbox(endpoint.url, attempts=3) as sandbox:
        sandbox.state.send([("payment.failed", {"payment": {"id": "pay_y"}})])
        sandbox.settle()
        assert [d.status for d in sandbox.state.webhooks.deliveries] == [500, 500, 500]


def test_deliveries_can_be_watched_over_http(sandbox):
    sandbox.checkout(sandbox.order()["id"])
    wait_until(lambda: sandbox.http.get("/sandbox/deliveries").json()["idle"], 10, "deliveries")
    items = sandbox.http.get("/sandbox/deliveries").json()["items"]
    assert sorted(i["event"] for i in items) == ["order.paid", "payment.authorized", "payment.captured"]
    assert {i["status"] for i in items} == {200}


def test_sandbox_wide_defaults_duplicate_every_event(endpoint):
    with running_sandbox(endpoint.url, duplicates=1, shuffle=True, seed=1) as sandbox:
        sandbox.checkout(sandbox.order()["id"])
        sandbox.settle()
    assert set(Counter(endpoint.events()).values()) == {2}
