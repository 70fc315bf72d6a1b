"""Razorpay's webhook over HTTP: signed raw bodies, once per event id, in any order, forward-only."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

from domain.payment import PaymentStatus
from infrastructure.razorpay.sandbox.webhooks import sign
from tests.e2e.http.money.flows import BASIC, PAYMENTS, Money, reserialized

PROBLEM = "application/problem+json"


def status_of(answer) -> str:
    assert answer.status_code == 200, answer.text
    return str(answer.json()["status"])


def refused(money: Money, answer, status: int = 400) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)


def by_type(sent) -> dict:
    return {s.event: s for s in sent}


def test_the_webhooks_alone_capture_the_payment(money: Money) -> None:
    first = money.ordered()
    money.signed()
    money.pay(first["order"]["gateway_order_id"])
    answers = [status_of(money.deliver(s)) for s in money.signed()]
    assert answers == ["processed"] * 3  # payment.authorized, payment.captured, order.paid
    assert money.payment(first["id"]).status is PaymentStatus.CAPTURED


def test_a_forged_a_missing_or_a_reserialized_signature_is_400_and_writes_nothing(money: Money) -> None:
    first = money.ordered()
    money.signed()
    money.pay(first["order"]["gateway_order_id"])
    captured = by_type(money.signed())["payment.captured"]
    before = money.payment(first["id"]).version
    refused(money, money.deliver(captured, signature="f" * 64))
    refused(money, money.api.post("/v1/webhooks/razorpay", content=captured.body,
                                  headers={"X-Razorpay-Event-Id": captured.event_id}))
    refused(money, money.deliver(captured, body=reserialized(captured)))
    assert money.payment(first["id"]).version == before and money.notice(captured.event_id) is None
    assert status_of(money.deliver(captured)) == "processed"


def test_a_replayed_event_id_is_a_duplicate_that_changes_nothing(money: Money) -> None:
    first = money.ordered()
    money.signed()
    money.pay(first["order"]["gateway_order_id"])
    captured = by_type(money.signed())["payment.captured"]
    assert status_of(money.deliver(captured)) == "processed"
    before = money.payment(first["id"]).version  # (policies may write about the subscription meanwhile)
    assert status_of(money.deliver(captured)) == "duplicate"
    assert money.payment(first["id"]).version == before


def test_fifty_concurrent_deliveries_of_one_event_are_processed_once(money: Money) -> None:
    first = money.ordered()
    money.signed()
    money.pay(first["order"]["gateway_order_id"])
    captured = by_type(money.signed())["payment.captured"]
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: status_of(money.deliver(captured)), range(50)))
    assert sorted(answers).count("processed") == 1 and answers.count("duplicate") == 49
    assert money.payment(first["id"]).status is PaymentStatus.CAPTURED


def test_an_amount_in_rupees_instead_of_paise_is_flagged_and_never_captures(money: Money) -> None:
    first = money.ordered()
    money.signed()
    money.pay(first["order"]["gateway_order_id"], outcome="authorized")
    authorized = by_type(money.signed())["payment.authorized"]
    entity = json.loads(authorized.body)["payload"]["payment"]["entity"]
    rupees = money.forge("payment.captured", payment={**entity, "status": "captured", "amount": BASIC // 100})
    assert status_of(money.deliver(rupees)) == "processed"
    payment = money.payment(first["id"])
    assert payment.status is not PaymentStatus.CAPTURED and payment.captured is None
    assert ("amount_mismatch", entity["id"]) in payment.flags


def test_a_failed_upi_payment_then_captured_in_the_app_ends_captured(money: Money) -> None:
    first = money.ordered()
    money.signed()
    money.pay(first["order"]["gateway_order_id"], outcome="failed_then_captured")
    events = money.signed()
    assert [s.event for s in events][:2] == ["payment.failed", "payment.authorized"]
    assert all(status_of(money.deliver(s)) == "processed" for s in events)
    assert money.payment(first["id"]).status is PaymentStatus.CAPTURED


def test_a_late_authorization_and_an_early_order_paid_never_move_a_capture_back(money: Money) -> None:
    first = money.ordered()
    money.signed()
    money.pay(first["order"]["gateway_order_id"])
    events = by_type(money.signed())
    for name in ("order.paid", "payment.captured", "payment.authorized"):
        assert status_of(money.deliver(events[name])) == "processed"
    payment = money.payment(first["id"])
    assert payment.status is PaymentStatus.CAPTURED and payment.version == 3  # initiated, order, captured


def test_an_event_about_a_payment_we_do_not_know_is_kept_unmatched_and_answered_2xx(money: Money) -> None:
    stranger = money.forge("payment.captured", payment={
        "id": "pay_Stranger0001", "entity": "payment", "amount": 100, "currency": "INR", "status": "captured",
        "order_id": "order_Unknown0001", "notes": {"payment_id": str(uuid.uuid4())}})
    assert status_of(money.deliver(stranger)) == "processed"
    notice = money.notice(stranger.event_id)
    assert notice is not None and notice.outcome == "unmatched"
    assert notice.gateway_order_id == "order_Unknown0001"


def test_an_event_we_do_not_handle_is_ignored(money: Money) -> None:
    assert status_of(money.deliver(money.forge("invoice.paid", invoice={"id": "inv_1"}))) == "ignored"


def test_malformed_json_nul_or_lone_surrogates_are_refused_and_write_nothing(money: Money) -> None:
    before = money.recorded()
    broken = money.forge("payment.captured", payment={"id": "pay_1"})
    for body, status in [(b'{"event": "payment.captured", ', 400), (b"[1, 2]", 400),
                         (b'{"event": "payment.captured\\u0000", "payload": {}}', 422),
                         (b'{"event": "\\ud800", "payload": {}}', 422)]:
        signature = sign(body, money.sandbox.state.webhooks.secret)  # signed, yet unreadable
        refused(money, money.deliver(broken, body=body, signature=signature), status)
    assert money.recorded() == before


def test_a_refund_we_did_not_start_is_recorded_from_refund_processed(money: Money) -> None:
    first = money.ordered()
    money.api.post(f"{PAYMENTS}/{first['id']}/confirm", json=money.pay(first["order"]["gateway_order_id"]),
                   headers=money.auth("alice"))
    paid = money.payment(first["id"])
    money.signed()
    money.sandbox.client().payment.refund(paid.gateway_payment_id, {"amount": 9_900})
    processed = by_type(money.signed())["refund.processed"]
    assert status_of(money.deliver(processed)) == "processed"
    payment = money.payment(first["id"])
    assert (payment.status, payment.refunded_paise) == (PaymentStatus.PARTIALLY_REFUNDED, 9_900)


def test_an_admins_refund_settled_by_its_answer_is_not_counted_again_by_the_webhook(money: Money) -> None:
    first = money.ordered()
    money.api.post(f"{PAYMENTS}/{first['id']}/confirm", json=money.pay(first["order"]["gateway_order_id"]),
                   headers=money.auth("alice"))
    money.signed()
    body = {"amount_paise": 5_000, "reason": "goodwill"}
    route = f"{PAYMENTS}/{first['id']}/refund"
    answer = money.api.post(route, json=body, headers=money.auth("root", "admin"))
    assert answer.status_code == 200, answer.text
    assert status_of(money.deliver(by_type(money.signed())["refund.processed"])) == "processed"
    assert money.payment(first["id"]).refunded_paise == 5_000


def _deliveries(event: str, result: str) -> float:
    from prometheus_client import REGISTRY

    found = REGISTRY.get_sample_value(
        "gymgenius_webhook_deliveries_total", {"event": event, "result": result})
    return found or 0.0


def test_deliveries_are_counted_by_event_type_and_result(money: Money) -> None:
    first = money.ordered()
    money.signed()
    money.pay(first["order"]["gateway_order_id"])
    captured = by_type(money.signed())["payment.captured"]
    before = {r: _deliveries("payment.captured", r) for r in ("processed", "duplicate", "refused")}
    money.deliver(captured, signature="f" * 64)
    money.deliver(captured)
    money.deliver(captured)
    assert _deliveries("payment.captured", "refused") == before["refused"] + 1
    assert _deliveries("payment.captured", "processed") == before["processed"] + 1
    assert _deliveries("payment.captured", "duplicate") == before["duplicate"] + 1
