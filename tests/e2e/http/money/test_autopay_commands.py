"""Autopay over HTTP: a subscription renewed by a UPI AutoPay mandate, approved in the sandbox."""

from __future__ import annotations

from uuid import UUID

from domain.subscription import RenewalMode, Subscription
from tests.e2e.http.money.flows import SUBSCRIPTIONS, Money


def test_a_client_sets_up_a_upi_autopay_mandate_and_confirms_it(money: Money) -> None:
    sub = money.subscribe("alice", "pro_monthly", renewal="autopay")
    started = money.api.post(f"{SUBSCRIPTIONS}/{sub}/autopay", json={}, headers=money.auth("alice"))
    assert started.status_code == 200, started.text
    mandate = started.json()["mandate"]
    assert mandate["gateway_subscription_id"].startswith("sub_") and mandate["short_url"]
    again = money.api.post(f"{SUBSCRIPTIONS}/{sub}/autopay", json={}, headers=money.auth("alice"))
    assert again.json()["mandate"]["gateway_subscription_id"] == mandate["gateway_subscription_id"]
    callback = money.sandbox.sandbox_post(f"/subscriptions/{mandate['gateway_subscription_id']}/authenticate",
                                          upi_app="phonepe")
    route = f"{SUBSCRIPTIONS}/{sub}/autopay/confirm"
    forged = {**callback, "razorpay_signature": "0" * 64}
    assert money.api.post(route, json=forged, headers=money.auth("alice")).status_code == 400
    confirmed = money.api.post(route, json=callback, headers=money.auth("alice"))
    assert confirmed.status_code == 200, confirmed.text
    kept = money.system.aggregates.load(Subscription, UUID(sub))
    assert kept.renewal is RenewalMode.AUTOPAY and kept.mandate_authenticated
    plan = money.sandbox.client().subscription.fetch(mandate["gateway_subscription_id"])
    assert plan["notes"]["subscription_id"] == sub


def test_the_mandate_webhook_authenticates_it_too(money: Money) -> None:
    sub = money.subscribe("alice", renewal="autopay")
    started = money.api.post(f"{SUBSCRIPTIONS}/{sub}/autopay", json={}, headers=money.auth("alice"))
    mandate = started.json()["mandate"]
    money.signed()
    money.sandbox.sandbox_post(f"/subscriptions/{mandate['gateway_subscription_id']}/authenticate")
    for sent in money.signed():
        assert money.deliver(sent).status_code == 200
    assert money.system.aggregates.load(Subscription, UUID(sub)).mandate_authenticated


def test_a_manual_subscription_takes_no_mandate_and_another_client_none_of_yours(money: Money) -> None:
    manual = money.subscribe("alice")
    mine = money.api.post(f"{SUBSCRIPTIONS}/{manual}/autopay", json={}, headers=money.auth("alice"))
    assert mine.status_code == 409
    autopay = money.subscribe("alice", renewal="autopay")
    theirs = money.api.post(f"{SUBSCRIPTIONS}/{autopay}/autopay", json={}, headers=money.auth("bob"))
    assert theirs.status_code == 403
    assert money.api.post(SUBSCRIPTIONS, json={"tier": "basic_monthly", "renewal": "weekly"},
                          headers=money.auth("alice")).status_code == 422
