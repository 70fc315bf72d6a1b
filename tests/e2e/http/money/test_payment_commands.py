"""The payments command routes over HTTP, through the Razorpay sandbox and the real client."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from uuid import UUID

from application.context import CommandContext
from application.subscriptions import ActivateSubscription, OrderRenewal
from domain.payment import PaymentStatus
from domain.subscription import Subscription
from domain.values import Actor, Role
from tests.e2e.http.money.flows import BASIC, PAYMENTS, Money
from tests.support import wait_until

PROBLEM = "application/problem+json"


def problem(answer, status: int) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    return answer.json()


def test_a_client_pays_their_subscription_by_upi_in_phonepe_and_confirms_it(money: Money) -> None:
    first = money.ordered("alice")
    assert first["order"]["amount_paise"] == BASIC and first["order"]["currency"] == "INR"
    assert first["order"]["key_id"] == money.sandbox.state.key_id
    assert first["order"]["gateway_order_id"].startswith("order_")
    callback = money.pay(first["order"]["gateway_order_id"])
    route = f"{PAYMENTS}/{first['id']}/confirm"
    confirmed = money.api.post(route, json=callback, headers=money.auth("alice"))
    assert confirmed.status_code == 200, confirmed.text
    row = money.read(first["id"], confirmed.json()["position"])
    assert (row["status"], row["amount_paise"], row["gateway_payment_id"]) == (
        "captured", BASIC, callback["razorpay_payment_id"])


def test_the_order_carries_our_payment_id_as_its_receipt(money: Money) -> None:
    first = money.ordered()
    order = money.sandbox.client().order.fetch(first["order"]["gateway_order_id"])
    assert order["receipt"] == first["id"] and order["amount"] == BASIC


def test_the_amount_comes_from_the_catalogue_never_from_the_client(money: Money) -> None:
    sub = money.subscribe("alice")
    body = {"purpose": "subscription", "reference_id": sub, "method": "upi", "amount_paise": 1}
    problem(money.api.post(PAYMENTS, json=body, headers=money.auth("alice")), 422)


def test_a_client_pays_only_for_their_own_live_subscription(money: Money) -> None:
    sub = money.subscribe("alice")
    problem(money.initiate("bob", sub), 403)
    problem(money.initiate("alice", "4f1c2a9e-7d3b-4c1a-9e2f-0b6d8a5c3e71"), 404)
    problem(money.initiate("alice", "not-an-id"), 422)
    problem(money.api.post(
        PAYMENTS, json={"purpose": "subscription", "reference_id": sub, "method": "upi"},
        headers=money.auth("root", "admin")), 403)
    money.api.post(f"/v1/commands/subscriptions/{sub}/cancel", json={}, headers=money.auth("alice"))
    problem(money.initiate("alice", sub), 409)


def test_a_published_plan_is_bought_at_its_price_and_a_draft_is_not_for_sale(money: Money) -> None:
    trainer = money.auth("tom", "trainer")
    content = {"days": [{"name": "Legs", "exercises": [{"name": "squat", "sets": 5, "reps": 5}]}]}
    plan = money.api.post("/v1/commands/plans", json={"kind": "workout", "title": "Legs", "content": content,
                                                      "price_paise": 29_900}, headers=trainer).json()["id"]
    problem(money.initiate("alice", plan, purpose="plan"), 409)
    money.api.post(f"/v1/commands/plans/{plan}/publish", json={}, headers=trainer)
    bought = money.initiate("alice", plan, purpose="plan")
    assert bought.status_code == 201 and bought.json()["order"]["amount_paise"] == 29_900


def test_a_gateway_down_is_503_with_retry_after_and_the_same_key_later_gets_the_order(money: Money) -> None:
    sub = money.subscribe("alice")
    money.sandbox.state.faults.fail_next(3, 500)
    down = money.initiate("alice", sub, **{"Idempotency-Key": "pay-sub-1"})
    assert int(problem(down, 503) and down.headers["retry-after"]) >= 1
    again = money.initiate("alice", sub, **{"Idempotency-Key": "pay-sub-1"})
    assert again.status_code == 201, again.text
    assert money.payment(again.json()["id"]).has_order
    assert again.json()["order"]["gateway_order_id"].startswith("order_")


def test_a_bad_checkout_signature_is_400_and_writes_nothing(money: Money) -> None:
    first = money.ordered()
    callback = money.pay(first["order"]["gateway_order_id"])
    route = f"{PAYMENTS}/{first['id']}/confirm"
    forged = {**callback, "razorpay_signature": "0" * 64}
    problem(money.api.post(route, json=forged, headers=money.auth("alice")), 400)
    other = money.ordered("bob")["order"]["gateway_order_id"]
    before = money.recorded()
    not_ours = {**callback, "razorpay_order_id": other}
    problem(money.api.post(route, json=not_ours, headers=money.auth("alice")), 400)
    assert money.recorded() == before
    assert money.payment(first["id"]).status is PaymentStatus.CREATED


def test_an_admin_refunds_part_then_the_rest_and_never_more_than_captured(money: Money) -> None:
    first = money.ordered()
    money.api.post(f"{PAYMENTS}/{first['id']}/confirm", json=money.pay(first["order"]["gateway_order_id"]),
                   headers=money.auth("alice"))
    route, admin = f"{PAYMENTS}/{first['id']}/refund", money.auth("root", "admin")
    problem(money.api.post(route, json={"reason": "mine"}, headers=money.auth("alice")), 403)
    part = money.api.post(route, json={"amount_paise": 10_000, "reason": "goodwill"}, headers=admin)
    assert part.status_code == 200, part.text
    before = money.payment(first["id"]).version  # (the policies may write to the subscription meanwhile)
    problem(money.api.post(route, json={"amount_paise": BASIC, "reason": "too much"}, headers=admin), 409)
    assert money.payment(first["id"]).version == before
    whole = money.api.post(route, json={"reason": "the rest"}, headers=admin)
    assert whole.status_code == 200, whole.text
    payment = money.payment(first["id"])
    assert (payment.status, payment.refunded_paise) == (PaymentStatus.REFUNDED, BASIC)
    gateway = money.sandbox.client().payment.fetch(payment.gateway_payment_id)
    assert gateway["amount_refunded"] == BASIC


def test_a_dead_gateway_opens_the_breaker_503_fast_then_payments_recover(money: Money) -> None:
    sub = money.subscribe("alice")
    money.sandbox.state.faults.fail_next(1000, 503)
    for _ in range(2):  # 3 attempts each: the breaker (4 failures) opens
        assert money.initiate("alice", sub, **{"Idempotency-Key": "k-down"}).status_code == 503
    started = time.monotonic()
    fast = money.initiate("alice", sub, **{"Idempotency-Key": "k-down"})
    assert problem(fast, 503)["type"].endswith("gateway-unavailable") and time.monotonic() - started < 1
    assert int(fast.headers["retry-after"]) >= 1
    money.sandbox.state.faults.clear()
    wait_until(lambda: money.initiate("alice", sub, **{"Idempotency-Key": "k-down"}).status_code == 201, 10,
               "the breaker to close again")


def test_a_running_subscription_is_paid_again_only_once_its_renewal_is_due(money: Money) -> None:
    sub = money.subscribe("alice")
    policy = CommandContext(Actor("policies", Role.SYSTEM), datetime.now(UTC), "test")
    subscriptions = money.system.subscriptions
    subscriptions.activate(policy, ActivateSubscription(UUID(sub), None, policy.at))
    problem(money.initiate("alice", sub), 409)
    end = subscriptions.aggregates.load(Subscription, UUID(sub)).current_period_end
    subscriptions.order_renewal(policy, OrderRenewal(UUID(sub), "renewal-payment", end))
    assert money.initiate("alice", sub).status_code == 201
