"""A payment auditors look at: captured through the sandbox, then partly refunded by an admin."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from tests.contract.conformance import mismatches
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


@contextmanager
def fitting_the_contract(money: Money) -> Iterator[None]:
    """Every answer the test gets through `money.api` must fit the OpenAPI document."""
    document, found = money.api.app.openapi(), []  # type: ignore[attr-defined]

    def check(answer: httpx.Response) -> None:
        answer.read()
        found.extend(mismatches(document, answer))

    money.api.event_hooks["response"].append(check)
    yield
    money.api.event_hooks["response"].remove(check)
    assert not found, "answers that do not fit the OpenAPI document:\n" + "\n".join(found)
