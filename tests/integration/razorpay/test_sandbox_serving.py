"""The sandbox mounted under a prefix, driven over HTTP, concurrent, and under a batch of webhooks."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import razorpay
from fastapi import FastAPI

from infrastructure.razorpay.sandbox import LoopbackServer, create_sandbox
from infrastructure.razorpay.sandbox.checkout import pay_order
from tests.razorpay_sandbox import KEY_ID, KEY_SECRET, WEBHOOK_SECRET, running_sandbox


def test_mounted_under_a_prefix_the_sandbox_serves_the_razorpay_client_and_its_faults():
    sandbox_app, state = create_sandbox(KEY_ID, KEY_SECRET, WEBHOOK_SECRET)
    host = FastAPI()
    host.mount("/razorpay-sandbox", sandbox_app)
    with LoopbackServer(host) as server:
        base = f"{server.url}/razorpay-sandbox"
        client = razorpay.Client(auth=(KEY_ID, KEY_SECRET), base_url=base)
        order = client.order.create({"amount": 49_900, "currency": "INR", "receipt": "pay-m"})
        callback = httpx.post(f"{base}/sandbox/checkout/{order['id']}", json={"upi_app": "gpay"}).json()
        assert client.utility.verify_payment_signature(callback)
        assert httpx.post(f"{base}/sandbox/faults", json={"count": 1, "status": 503}).status_code == 204
        answer = httpx.get(f"{base}/v1/orders/{order['id']}", auth=(KEY_ID, KEY_SECRET))
        assert answer.status_code == 503 and answer.json()["error"]["code"] == "SERVER_ERROR"
        assert client.order.fetch(order["id"])["status"] == "paid"
        plan = client.plan.create({"period": "weekly", "interval": 1,
                                   "item": {"name": "Weekly", "amount": 19_900, "currency": "INR"}})
        sub = client.subscription.create({"plan_id": plan["id"], "total_count": 4})
        assert sub["short_url"].startswith(f"{base}/sandbox/subscriptions/")
    state.close()


def test_concurrent_creates_with_one_receipt_make_one_order(sandbox):
    with ThreadPoolExecutor(8) as pool:
        orders = list(pool.map(lambda _: sandbox.order(receipt="pay-race"), range(24)))
    assert len({o["id"] for o in orders}) == 1 and len(sandbox.state.ledger.orders) == 1


def test_a_batch_of_payments_is_delivered_ten_times_each_shuffled_and_concurrently(endpoint):
    with running_sandbox(endpoint.url, threads=8) as sandbox:
        ledger, events = sandbox.state.ledger, []
        for n in range(40):
            order = ledger.create_order({"amount": 49_900, "currency": "INR", "receipt": f"pay-{n}"})
            events += pay_order(ledger, KEY_SECRET, order["id"], "upi", "phonepe", "captured")[1]
        sent = sandbox.state.send(events, duplicates=9, shuffle=True, seed=3)
        sandbox.settle()
    copies = Counter(endpoint.events())
    assert set(copies) == {s.event_id for s in sent} and set(copies.values()) == {10}
    assert len(copies) == 120
