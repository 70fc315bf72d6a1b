"""Plans and subscriptions on the sandbox: a UPI AutoPay mandate authenticated, charged, stopped."""

from __future__ import annotations

import json

import pytest
from razorpay.errors import BadRequestError

MONTHLY = {"period": "monthly", "interval": 1,
           "item": {"name": "GymGenius Pro", "amount": 99_900, "currency": "INR"}}


def subscribe(sandbox, total_count: int = 12) -> dict:
    plan = sandbox.client().plan.create(MONTHLY)
    return sandbox.client().subscription.create({"plan_id": plan["id"], "total_count": total_count,
                                                 "notes": {"subscription_id": "ours-1"}})


def events(endpoint) -> list[dict]:
    return [json.loads(r.raw) for r in endpoint.received]


def test_a_plan_and_a_subscription_are_created_and_fetched(sandbox):
    plan = sandbox.client().plan.create(MONTHLY)
    assert plan["id"].startswith("plan_") and plan["item"]["amount"] == 99_900
    assert sandbox.client().plan.fetch(plan["id"]) == plan
    sub = sandbox.client().subscription.create({"plan_id": plan["id"], "total_count": 12})
    assert (sub["status"], sub["paid_count"], sub["remaining_count"]) == ("created", 0, 12)
    assert sandbox.http.get(sub["short_url"].removeprefix(sandbox.url)).json()["id"] == sub["id"]
    assert sandbox.client().subscription.fetch(sub["id"]) == sub


def test_an_approved_mandate_verifies_and_activates_with_its_first_charge(sandbox, endpoint):
    sub = subscribe(sandbox)
    callback = sandbox.sandbox_post(f"/subscriptions/{sub['id']}/authenticate", upi_app="gpay")
    assert sandbox.client().utility.verify_subscription_payment_signature(callback) is True
    sandbox.settle()
    names = sorted(e["event"] for e in events(endpoint))
    assert names == ["payment.authorized", "payment.captured", "subscription.activated",
                     "subscription.authenticated", "subscription.charged"]
    charged = next(e for e in events(endpoint) if e["event"] == "subscription.charged")["payload"]
    assert charged["payment"]["entity"]["id"] == callback["razorpay_payment_id"]
    assert charged["subscription"]["entity"]["notes"] == {"subscription_id": "ours-1"}
    active = sandbox.client().subscription.fetch(sub["id"])
    assert (active["status"], active["paid_count"]) == ("active", 1)


def test_each_charge_starts_the_next_period_where_the_last_ended(sandbox):
    sub = subscribe(sandbox)
    sandbox.sandbox_post(f"/subscriptions/{sub['id']}/authenticate")
    first = sandbox.client().subscription.fetch(sub["id"])
    charged = sandbox.sandbox_post(f"/subscriptions/{sub['id']}/charge", outcome="charged")
    assert charged["payment"]["status"] == "captured"
    second = charged["subscription"]
    assert second["current_start"] == first["current_end"] > first["current_start"]
    assert (second["paid_count"], second["remaining_count"]) == (2, 10)


def test_a_failed_charge_makes_it_pending_then_halted(sandbox, endpoint):
    sub = subscribe(sandbox)
    sandbox.sandbox_post(f"/subscriptions/{sub['id']}/authenticate")
    pending = sandbox.sandbox_post(f"/subscriptions/{sub['id']}/charge", outcome="pending")
    assert (pending["payment"]["status"], pending["subscription"]["status"]) == ("failed", "pending")
    halted = sandbox.sandbox_post(f"/subscriptions/{sub['id']}/charge", outcome="halted")
    assert halted["subscription"]["status"] == "halted"
    sandbox.settle()
    assert {"subscription.pending", "subscription.halted", "payment.failed"} <= {
        e["event"] for e in events(endpoint)}


def test_the_last_charge_completes_the_subscription(sandbox, endpoint):
    sub = subscribe(sandbox, total_count=2)
    sandbox.sandbox_post(f"/subscriptions/{sub['id']}/authenticate")
    done = sandbox.sandbox_post(f"/subscriptions/{sub['id']}/charge")["subscription"]
    assert (done["status"], done["remaining_count"]) == ("completed", 0)
    sandbox.settle()
    assert "subscription.completed" in {e["event"] for e in events(endpoint)}


def test_a_refused_mandate_stays_created_and_sends_payment_failed(sandbox, endpoint):
    sub = subscribe(sandbox)
    callback = sandbox.sandbox_post(f"/subscriptions/{sub['id']}/authenticate", outcome="failed")
    assert "error" in callback and "razorpay_signature" not in callback
    sandbox.settle()
    assert [e["event"] for e in events(endpoint)] == ["payment.failed"]
    assert sandbox.client().subscription.fetch(sub["id"])["status"] == "created"


def test_a_cancelled_subscription_sends_cancelled_and_cannot_be_cancelled_again(sandbox, endpoint):
    sub = subscribe(sandbox)
    sandbox.sandbox_post(f"/subscriptions/{sub['id']}/authenticate")
    cancelled = sandbox.client().subscription.cancel(sub["id"], {"cancel_at_cycle_end": 0})
    assert cancelled["status"] == "cancelled"
    with pytest.raises(BadRequestError, match="cancelled"):
        sandbox.client().subscription.cancel(sub["id"])
    sandbox.settle()
    assert "subscription.cancelled" in {e["event"] for e in events(endpoint)}


def test_a_cancellation_at_the_cycle_end_takes_effect_at_the_next_charge(sandbox):
    sub = subscribe(sandbox)
    sandbox.sandbox_post(f"/subscriptions/{sub['id']}/authenticate")
    scheduled = sandbox.client().subscription.cancel(sub["id"], {"cancel_at_cycle_end": 1})
    assert (scheduled["status"], scheduled["has_scheduled_changes"]) == ("active", True)
    ended = sandbox.sandbox_post(f"/subscriptions/{sub['id']}/charge")
    assert ended["payment"] is None and ended["subscription"]["status"] == "cancelled"
