"""Auditors over HTTP, in both profiles, on payments made through the sandbox: the chain and
where it breaks when rows are edited, removed or reordered in the database; payments and
subscriptions as they stood; the NDJSON export and its resumption; the audit-access log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import select

from projections.audit_access import audit_access
from tests.e2e.http.money.audited import AUDIT, captured_then_refunded, chain, fitting_the_contract
from tests.e2e.http.money.flows import BASIC, Money
from tests.tampering import StoredRows


@pytest.fixture(autouse=True)
def every_answer_fits_the_contract(money: Money) -> Iterator[None]:
    with fitting_the_contract(money):
        yield


def canonical(event: dict[str, Any]) -> str:
    """The README's canonical form, written out again here."""
    body = {k: event[k] for k in ("type", "version", "data")}
    if event["chain"] == 2:
        body |= {"chain": 2, "timestamp": event["timestamp"]}
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def test_an_auditor_reads_a_payments_chain_and_can_check_each_hash_by_hand(money: Money) -> None:
    paid = captured_then_refunded(money)
    answer = chain(money, paid["id"])
    events = answer["events"]
    assert answer["chain_valid"] and answer["broken_at"] is None and answer["payment_id"] == paid["id"]
    assert [e["type"] for e in events][:2] == ["Initiated", "GatewayOrderCreated"]
    assert {"Captured", "RefundRequested", "Refunded"} <= {e["type"] for e in events}
    assert [e["version"] for e in events] == list(range(1, len(events) + 1))
    assert [e["position"] for e in events] == sorted(e["position"] for e in events)
    prev = "0" * 64
    for event in events:
        assert event["chain"] == 2 and event["prev_hash"] == prev
        assert event["hash"] == hashlib.sha256((prev + canonical(event)).encode()).hexdigest()
        prev = event["hash"]


def test_the_audit_routes_are_for_auditors_admins_and_superadmins_only(money: Money) -> None:
    paid = captured_then_refunded(money)
    for role in ("admin", "superadmin"):
        assert chain(money, paid["id"], role)["chain_valid"]
    for role in ("client", "trainer"):
        answer = money.api.get(f"{AUDIT}/payments/{paid['id']}/events", headers=money.auth("eve", role))
        assert answer.status_code == 403 and answer.headers["content-type"] == "application/problem+json"
    unknown = money.api.get(f"{AUDIT}/payments/{uuid4()}/events", headers=money.auth("ada", "auditor"))
    assert unknown.status_code == 404
    sub = money.payment(paid["id"]).purpose.reference_id  # a subscription is no payment
    assert (
        money.api.get(f"{AUDIT}/payments/{sub}/events", headers=money.auth("ada", "auditor")).status_code
        == 404
    )


def test_each_access_to_an_audit_route_is_logged_with_who_what_and_the_trace_id(money: Money) -> None:
    paid = captured_then_refunded(money)
    path = f"{AUDIT}/payments/{paid['id']}/events"
    seen = money.api.get(path, headers={**money.auth("ada", "auditor"), "X-Trace-Id": "trace-audit-1"})
    money.api.get(path, headers=money.auth("eve", "client"))
    with money.system.projections.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(audit_access).order_by(audit_access.c.id))]
    assert seen.status_code == 200
    assert [(r["uid"], r["role"], r["method"], r["path"], r["allowed"]) for r in rows] == [
        ("ada", "auditor", "GET", path, True),
        ("eve", "client", "GET", path, False),
    ]
    assert rows[0]["trace_id"] == "trace-audit-1" and rows[1]["trace_id"]


def test_auditors_read_the_access_log_newest_first_by_page_and_by_caller(money: Money) -> None:
    paid = captured_then_refunded(money)
    path = f"{AUDIT}/payments/{paid['id']}/events"
    for uid, role in (("ada", "auditor"), ("eve", "client"), ("ann", "admin")):
        money.api.get(path, headers=money.auth(uid, role))
    ada = money.auth("ada", "auditor")
    first = money.api.get(f"{AUDIT}/access", params={"limit": 2}, headers=ada).json()
    assert [(r["uid"], r["path"]) for r in first["items"]] == [
        ("ada", f"{AUDIT}/access?limit=2"), ("ann", path)]
    rest = money.api.get(f"{AUDIT}/access", params={"limit": 2, "cursor": first["next_cursor"]},
                         headers=ada).json()
    assert [(r["uid"], r["allowed"]) for r in rest["items"]] == [("eve", False), ("ada", True)]
    assert rest["next_cursor"] is None
    mine = money.api.get(f"{AUDIT}/access", params={"uid": "ada"}, headers=ada).json()["items"]
    assert [r["path"] for r in mine] == [f"{AUDIT}/access?uid=ada",
                                         f"{AUDIT}/access?limit=2&cursor={first['next_cursor']}",
                                         f"{AUDIT}/access?limit=2", path]  # reading it is logged too
    refused = money.api.get(f"{AUDIT}/access", headers=money.auth("eve", "client"))
    assert refused.status_code == 403
    for bad in ({"cursor": "bm9wZQ"}, {"uid": "a\x00b"}, {"limit": 0}):
        answer = money.api.get(f"{AUDIT}/access", params=bad, headers=ada)
        assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"


def _positions(money: Money, payment_id: str) -> dict[str, int]:
    return {e["type"]: e["position"] for e in chain(money, payment_id)["events"]}


def test_an_edited_event_is_caught_at_its_position(money: Money) -> None:
    paid = captured_then_refunded(money)
    at = _positions(money, paid["id"])["Captured"]
    StoredRows(money.system).edit(at, lambda state: state.update(gateway_payment_id="pay_forged"))
    answer = chain(money, paid["id"])
    assert not answer["chain_valid"] and answer["broken_at"] == at and "edited" in answer["reason"]


def test_an_edited_timestamp_is_caught_at_its_position(money: Money) -> None:
    paid = captured_then_refunded(money)
    at = _positions(money, paid["id"])["Refunded"]
    StoredRows(money.system).edit(
        at, lambda state: state["timestamp"].update(_data_="2026-01-01T00:00:00+00:00")
    )
    answer = chain(money, paid["id"])
    assert not answer["chain_valid"] and answer["broken_at"] == at


def test_a_removed_event_is_caught_at_the_next_one(money: Money) -> None:
    paid = captured_then_refunded(money)
    positions = _positions(money, paid["id"])
    StoredRows(money.system).delete(positions["Captured"])
    answer = chain(money, paid["id"])
    following = min(p for p in positions.values() if p > positions["Captured"])
    assert not answer["chain_valid"] and answer["broken_at"] == following
    assert "missing" in answer["reason"]


def test_two_swapped_events_are_caught_at_the_first(money: Money) -> None:
    paid = captured_then_refunded(money)
    positions = _positions(money, paid["id"])
    StoredRows(money.system).swap(positions["GatewayOrderCreated"], positions["Captured"])
    answer = chain(money, paid["id"])
    assert not answer["chain_valid"] and answer["broken_at"] == positions["GatewayOrderCreated"]


def state(money: Money, payment_id: str, **params: Any) -> Any:
    answer = money.api.get(
        f"{AUDIT}/payments/{payment_id}/state", params=params, headers=money.auth("ada", "auditor")
    )
    return answer.json() if answer.status_code == 200 else answer.status_code


def test_a_payment_as_it_stood_before_between_and_after_its_capture_and_partial_refund(money: Money) -> None:
    paid = captured_then_refunded(money)
    events = {e["type"]: e for e in chain(money, paid["id"])["events"]}
    stamp = {k: datetime.fromisoformat(e["timestamp"]) for k, e in events.items()}
    tick = timedelta(microseconds=1)
    before = state(money, paid["id"], as_of=(stamp["Captured"] - tick).isoformat())
    between = state(money, paid["id"], as_of=(stamp["Refunded"] - tick).isoformat())
    after = state(money, paid["id"], as_of=(stamp["Refunded"] + timedelta(days=1)).isoformat())
    assert before["status"] in ("created", "authorized") and before["captured_paise"] == 0
    assert (between["status"], between["captured_paise"], between["refunded_paise"]) == ("captured", BASIC, 0)
    assert (after["status"], after["refunded_paise"]) == ("partially_refunded", 10_000)
    assert (
        after["as_of_position"]
        == events["Refunded"]["position"]
        == state(money, paid["id"])["as_of_position"]
    )
    at_capture = state(money, paid["id"], as_of_position=events["Captured"]["position"])
    assert at_capture["status"] == "captured" and at_capture["version"] == events["Captured"]["version"]
    assert state(money, paid["id"], as_of=(stamp["Initiated"] - tick).isoformat()) == 404
    assert state(money, paid["id"], as_of="2026-11-01T10:00:00") == 422  # a time needs its offset


def test_a_subscription_as_it_stood_before_and_after_its_payment(money: Money) -> None:
    paid = captured_then_refunded(money)
    sub = money.payment(paid["id"]).purpose.reference_id
    captured = {e["type"]: e for e in chain(money, paid["id"])["events"]}["Captured"]["timestamp"]
    route, auditor = f"{AUDIT}/subscriptions/{sub}/state", money.auth("ada", "auditor")
    early = money.api.get(route, params={"as_of": captured}, headers=auditor)
    assert early.status_code == 200 and early.json()["status"] == "pending_payment"
    head = money.system.projections.source.head()
    assert money.api.get(route, params={"as_of_position": head}, headers=auditor).json()["status"] == "active"


def export(money: Money, **params: Any) -> list[dict[str, Any]]:
    answer = money.api.get(f"{AUDIT}/payments", params=params, headers=money.auth("ada", "auditor"))
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/x-ndjson"
    return [json.loads(line) for line in answer.text.splitlines()]


def test_the_export_streams_every_payment_event_of_the_window_in_log_order_and_resumes(money: Money) -> None:
    first, second = captured_then_refunded(money), captured_then_refunded(money, "bob")
    lines = export(money)
    assert {line["payment_id"] for line in lines} == {first["id"], second["id"]}
    assert [line["position"] for line in lines] == sorted(line["position"] for line in lines)
    by_chain = [
        {"payment_id": p["id"], **e} for p in (first, second) for e in chain(money, p["id"])["events"]
    ]
    assert sorted(by_chain, key=lambda line: line["position"]) == lines
    cut = len(lines) // 2
    assert export(money, after_position=lines[cut - 1]["position"]) == lines[cut:]
    start, end = lines[2]["timestamp"], lines[5]["timestamp"]
    assert export(money, **{"from": start, "to": end}) == lines[2:5]
    bad = money.api.get(
        f"{AUDIT}/payments", params={"from": "yesterday"}, headers=money.auth("ada", "auditor")
    )
    assert bad.status_code == 422


@pytest.mark.parametrize(
    "route", ["/payments/{id}/events", "/payments/{id}/state", "/subscriptions/{id}/state"]
)
def test_a_malformed_id_is_a_problem_not_an_error(money: Money, route: str) -> None:
    answer = money.api.get(AUDIT + route.format(id="not-a-uuid"), headers=money.auth("ada", "auditor"))
    assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
