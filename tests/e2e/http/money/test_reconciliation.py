"""Reconciliation over HTTP in both profiles, against the sandbox with planted differences of
every kind (and a clean payment): each is found once, with both sides' values; a second run
over the same window records nothing new; an admin resolves one with a reason; a gateway that
cannot be read fails the run."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY

from infrastructure.razorpay.sandbox.entities import new_id, refund
from tests.e2e.http.money.audited import captured_then_refunded, fitting_the_contract
from tests.e2e.http.money.flows import BASIC, PAYMENTS, Money
from tests.support import wait_until

RUNS = "/v1/audit/reconciliations"


@pytest.fixture(autouse=True)
def every_answer_fits_the_contract(money: Money) -> Iterator[None]:
    with fitting_the_contract(money):
        yield


def captured(money: Money, client: str) -> str:
    first = money.ordered(client)
    callback = money.pay(first["order"]["gateway_order_id"])
    answer = money.api.post(f"{PAYMENTS}/{first['id']}/confirm", json=callback, headers=money.auth(client))
    assert answer.status_code == 200, answer.text
    return str(first["id"])


def gateway_id(money: Money, payment_id: str) -> str:
    return str(money.payment(payment_id).gateway_payment_id)


def reconcile(money: Money, **window: datetime) -> dict[str, Any]:
    now = datetime.now(UTC)
    body = {
        "from": window.get("start", now - timedelta(hours=1)).isoformat(),
        "to": window.get("end", now + timedelta(hours=1)).isoformat(),
    }
    answer = money.api.post(RUNS, json=body, headers=money.auth("ada", "auditor"))
    assert answer.status_code == 202, answer.text
    route = f"{RUNS}/{answer.json()['id']}"

    def done() -> dict[str, Any] | None:
        run = money.api.get(route, headers=money.auth("ada", "auditor"))
        return run.json() if run.status_code == 200 and run.json()["status"] != "running" else None

    return wait_until(done, 20, "the reconciliation run")  # type: ignore[return-value]


KINDS = ("amount_mismatch", "status_mismatch", "missing_in_gateway", "missing_in_log", "refund_mismatch")


def found_total(kind: str) -> float:
    """The metric alert rules watch: new discrepancies found, by kind."""
    return REGISTRY.get_sample_value("gymgenius_reconciliation_discrepancies_total", {"kind": kind}) or 0.0


def plant(money: Money, change: Any) -> None:
    ledger = money.sandbox.state.ledger
    with ledger.lock:
        change(ledger)


def test_each_planted_difference_is_found_once_and_a_second_run_records_nothing_new(money: Money) -> None:
    clean, short, late = captured_then_refunded(money), captured(money, "bob"), captured(money, "cy")
    gone, refunded = captured(money, "dee"), captured(money, "eli")
    ids = {
        name: gateway_id(money, p)
        for name, p in (("short", short), ("late", late), ("gone", gone), ("refunded", refunded))
    }
    stranger = copy.deepcopy(money.sandbox.state.ledger.payments[ids["short"]]) | {"id": new_id("pay")}

    def differences(ledger: Any) -> None:
        ledger.payments[ids["short"]]["amount"] = BASIC - 100
        ledger.payments[ids["late"]]["status"] = "authorized"
        del ledger.payments[ids["gone"]]
        ledger.payments[stranger["id"]] = stranger
        extra = refund(ids["refunded"], 5_000, "INR", {}, None, ledger.now())
        ledger.refunds[extra["id"]] = extra

    plant(money, differences)
    before = {kind: found_total(kind) for kind in KINDS}
    run = reconcile(money)
    assert {kind: found_total(kind) - before[kind] for kind in KINDS} == dict.fromkeys(KINDS, 1)
    found = {d["kind"]: d for d in run["discrepancies"]}
    assert run["status"] == "completed" and len(run["discrepancies"]) == 5 and run["seen_again"] == 0
    assert set(found) == {
        "amount_mismatch",
        "status_mismatch",
        "missing_in_gateway",
        "missing_in_log",
        "refund_mismatch",
    }
    assert (
        found["amount_mismatch"]["payment_id"],
        found["amount_mismatch"]["ours"]["amount_paise"],
        found["amount_mismatch"]["theirs"]["amount_paise"],
    ) == (short, BASIC, BASIC - 100)
    assert (found["status_mismatch"]["ours"]["status"], found["status_mismatch"]["theirs"]["status"]) == (
        "captured",
        "authorized",
    )
    assert found["missing_in_gateway"]["payment_id"] == gone and found["missing_in_gateway"]["theirs"] is None
    assert (
        found["missing_in_log"]["gateway_payment_id"] == stranger["id"]
        and found["missing_in_log"]["ours"] is None
    )
    assert found["refund_mismatch"]["payment_id"] == refunded
    assert clean["id"] not in {d["payment_id"] for d in run["discrepancies"]}
    again = reconcile(money)
    assert {kind: found_total(kind) - before[kind] for kind in KINDS} == dict.fromkeys(KINDS, 1)
    assert again["status"] == "completed" and again["discrepancies"] == [] and again["seen_again"] == 5
    listed = money.api.get(RUNS, headers=money.auth("ada", "auditor")).json()["items"]
    assert [r["id"] for r in listed][:2] == [again["id"], run["id"]]


def test_no_difference_records_nothing_and_an_admin_resolves_a_difference_with_a_reason(money: Money) -> None:
    paid = captured_then_refunded(money)
    assert reconcile(money)["discrepancies"] == []
    plant(money, lambda ledger: ledger.payments[gateway_id(money, paid["id"])].update(amount=1))
    run = reconcile(money)
    (difference,) = run["discrepancies"]
    route = f"{RUNS}/{run['id']}/discrepancies/{difference['number']}/resolve"
    body = {"reason": "the gateway corrected it by support ticket"}
    assert money.api.post(route, json=body, headers=money.auth("ada", "auditor")).status_code == 403
    resolved = money.api.post(route, json=body, headers=money.auth("root", "admin"))
    assert resolved.status_code == 200, resolved.text
    shown = money.api.get(
        f"{RUNS}/{run['id']}",
        params={"min_position": resolved.json()["position"]},
        headers=money.auth("ada", "auditor"),
    ).json()
    assert shown["discrepancies"][0]["resolved"] and shown["discrepancies"][0]["resolution"] == body["reason"]
    missing = money.api.post(
        f"{RUNS}/{run['id']}/discrepancies/9/resolve", json=body, headers=money.auth("root", "admin")
    )
    assert missing.status_code == 422


def test_a_gateway_that_cannot_be_read_fails_the_run(money: Money) -> None:
    captured(money, "bob")
    money.sandbox.state.faults.fail_next(50, 500)
    run = reconcile(money)
    money.sandbox.state.faults.clear()
    assert run["status"] == "failed" and "gateway" in run["failure"]


def test_a_window_must_end_after_it_starts(money: Money) -> None:
    now = datetime.now(UTC)
    body = {"from": now.isoformat(), "to": (now - timedelta(days=1)).isoformat()}
    assert money.api.post(RUNS, json=body, headers=money.auth("ada", "auditor")).status_code == 422
    naive = {"from": "2026-11-01T00:00:00", "to": "2026-11-02T00:00:00"}
    assert money.api.post(RUNS, json=naive, headers=money.auth("ada", "auditor")).status_code == 422
    assert money.api.post(RUNS, json=body, headers=money.auth("eve", "client")).status_code == 403
