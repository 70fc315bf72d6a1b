"""A payment auditors look at: captured through the sandbox, then partly refunded by an admin."""

from __future__ import annotations

from typing import Any

from tests.e2e.http.money.flows import PAYMENTS, Money

AUDIT = "/v1/audit"


def captured_then_refunded(money: Money, client: str = "alice") -> dict[str, Any]:
    """The initiation's answer of a payment captured, then refunded 10,000 paise."""
    first = money.ordered(client)
    callback = money.pay(first["order"]["gateway_order_id"])
    confirmed = money.api.post(f"{PAYMENTS}/{first['id']}/confirm", json=callback, headers=money.auth(client))
    assert confirmed.status_code == 200, confirmed.text
    refund = {"amount_paise": 10_000, "reason": "goodwill"}
    refunded = money.api.post(
        f"{PAYMENTS}/{first['id']}/refund", json=refund, headers=money.auth("root", "admin")
    )
    assert refunded.status_code == 200, refunded.text
    return first


def chain(money: Money, payment_id: str, role: str = "auditor") -> dict[str, Any]:
    answer = money.api.get(f"{AUDIT}/payments/{payment_id}/events", headers=money.auth("ada", role))
    assert answer.status_code == 200, answer.text
    return answer.json()
