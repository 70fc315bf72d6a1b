"""The webhook under concurrent deliveries of one payment's events, and the events admins read:
disputes, failed refunds, and the mandate's notices the policies act on."""

from __future__ import annotations

import json
import random
from concurrent.futures import ThreadPoolExecutor

from domain.payment import PaymentStatus
from tests.e2e.http.money.flows import PAYMENTS, SUBSCRIPTIONS, Money


def entity(sent, name: str) -> dict:
    return json.loads(sent.body)["payload"][name]["entity"]


def test_each_event_of_a_payment_ten_times_shuffled_and_concurrent_is_processed_once(money: Money) -> None:
    first = money.ordered()
    money.signed()
    money.pay(first["order"]["gateway_order_id"], outcome="failed_then_captured")
    events = money.signed()
    deliveries = [s for s in events for _ in range(10)]
    random.Random(7).shuffle(deliveries)
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda s: (s.event_id, money.deliver(s)), deliveries))
    assert all(a.status_code == 200 for _, a in answers), [a.text for _, a in answers if a.status_code != 200]
    processed = [event_id for event_id, a in answers if a.json()["status"] == "processed"]
    assert sorted(processed) == sorted(s.event_id for s in events)  # a lost race is retried, not a duplicate
    assert money.payment(first["id"]).status is PaymentStatus.CAPTURED


def test_a_dispute_is_recorded_flagged_and_closed_for_admins(money: Money) -> None:
    first = money.ordered()
    money.signed()
    money.pay(first["order"]["gateway_order_id"])
    captured = {s.event: s for s in money.signed()}["payment.captured"]
    assert money.deliver(captured).json()["status"] == "processed"
    pay = entity(captured, "payment")
    dispute = {"id": "disp_1", "entity": "dispute", "payment_id": pay["id"], "amount": pay["amount"],
               "status": "open"}
    for kind in ("payment.dispute.created", "payment.dispute.lost"):
        sent = money.forge(kind, payment=pay, dispute=dict(dispute, status=kind.rsplit(".", 1)[1]))
        assert money.deliver(sent).json()["status"] == "processed"
    payment = money.payment(first["id"])
    assert payment.disputes == {"disp_1": "lost"} and ("disputed", pay["id"]) in payment.flags


def test_a_dispute_naming_only_the_gateway_payment_is_matched_through_the_gateway(money: Money) -> None:
    first = money.ordered()
    money.signed()
    money.pay(first["order"]["gateway_order_id"])
    pay = entity({s.event: s for s in money.signed()}["payment.captured"], "payment")
    dispute = {"id": "disp_2", "payment_id": pay["id"], "amount": 100}
    sent = money.forge("payment.dispute.created", dispute=dispute)
    assert money.deliver(sent).json()["status"] == "processed"
    assert money.payment(first["id"]).disputes == {"disp_2": "open"}


def test_a_failed_refund_frees_its_amount_again(money: Money) -> None:
    first = money.ordered()
    money.api.post(f"{PAYMENTS}/{first['id']}/confirm", json=money.pay(first["order"]["gateway_order_id"]),
                   headers=money.auth("alice"))
    payment = money.payment(first["id"])
    payment.request_refund("rf_pending_0001", 10_000, "goodwill", payment.initiated_at)
    money.system.log.commit(payment, {"actor_id": "root", "role": "admin", "trace_id": "t"}, [])
    refund = {"id": "rfnd_F1", "entity": "refund", "amount": 10_000, "payment_id": payment.gateway_payment_id,
              "status": "failed", "notes": {"refund_id": "rf_pending_0001", "payment_id": first["id"]}}
    sent = money.forge("refund.failed", refund=refund)
    assert money.deliver(sent).json()["status"] == "processed"
    assert money.payment(first["id"]).refunds_pending == {}


def test_mandate_notices_are_kept_with_our_subscription_for_the_policies(money: Money) -> None:
    sub = money.subscribe("alice", renewal="autopay")
    mandate = money.api.post(f"{SUBSCRIPTIONS}/{sub}/autopay", json={}, headers=money.auth("alice")).json()
    gateway_sub = mandate["mandate"]["gateway_subscription_id"]
    money.sandbox.sandbox_post(f"/subscriptions/{gateway_sub}/authenticate")
    money.sandbox.sandbox_post(f"/subscriptions/{gateway_sub}/charge", outcome="charged")
    for sent in money.signed():
        assert money.deliver(sent).status_code == 200
        notice = money.notice(sent.event_id)
        assert notice is not None
        if sent.event.startswith("subscription."):
            assert (notice.subscription_id, notice.gateway_subscription_id) == (sub, gateway_sub), sent.event
    charged = [s for s in money.sandbox.state.webhooks.sent if s.event == "subscription.charged"]
    notice = money.notice(charged[-1].event_id)
    assert notice is not None and notice.amount_paise == 49_900 and notice.gateway_payment_id
