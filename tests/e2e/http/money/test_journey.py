"""The whole journey over HTTP, in both profiles, with a clock the test moves: a client subscribes,
pays by UPI in PhonePe through the sandbox, the webhook makes it `active`; 3 days before the
period ends a renewal is ordered, paid the same way, and the next period follows; the period
after that goes unpaid: `past_due` at its end, `expired` when the grace is over."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient

from infrastructure.bootstrap import bootstrap, init_storage
from infrastructure.settings import Settings
from interfaces.http.app import create_app
from tests.e2e.http.money.flows import Money
from tests.razorpay_sandbox import KEY_ID, KEY_SECRET, WEBHOOK_SECRET, RunningSandbox
from tests.support import running_worker, server_settings, wait_until

T0 = datetime.now(UTC).replace(microsecond=0)
DAY, PERIOD = timedelta(days=1), timedelta(days=30)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture(params=["embedded", "server"])
def journey(request: pytest.FixtureRequest, tmp_path: Path, sandbox: RunningSandbox
            ) -> Iterator[tuple[Money, Clock]]:
    gateway = {"RAZORPAY_BASE_URL": sandbox.url, "RAZORPAY_KEY_ID": KEY_ID, "RAZORPAY_KEY_SECRET": KEY_SECRET,
               "RAZORPAY_WEBHOOK_SECRET": WEBHOOK_SECRET}
    if request.param == "server":
        settings = server_settings(request.getfixturevalue("pg_schema"), **gateway)
    else:
        settings = Settings(GYMGENIUS_DATA_DIR=tmp_path / "var", **gateway)  # type: ignore[arg-type]
    init_storage(settings)
    clock = Clock(T0)
    system = bootstrap(settings, clock)
    worker = running_worker(system) if request.param == "server" else None
    with TestClient(create_app(system)) as client:
        yield Money(client, system, sandbox), clock
    if worker is not None:
        worker.stop()
    system.close()


def shown(money: Money, sub: str) -> dict[str, Any]:
    head = money.system.projections.source.head()
    answer = money.api.get(f"/v1/queries/subscriptions/{sub}", params={"min_position": head},
                           headers=money.auth("alice"))
    assert answer.status_code == 200, answer.text
    return answer.json()


def pay_by_phonepe(money: Money, order_id: str) -> None:
    """The client pays in PhonePe; Razorpay's webhooks arrive (each twice)."""
    money.pay(order_id)
    for sent in money.signed() * 2:
        assert money.deliver(sent).status_code == 200


def when(money: Money, sub: str, check: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
    """The subscription as the query API shows it, once `check` holds."""
    def found() -> dict[str, Any] | None:
        row = shown(money, sub)
        return row if check(row) else None

    return cast(dict[str, Any], wait_until(found, 15, what))


def tick_at(money: Money, clock: Clock, at: datetime) -> None:
    clock.at = at
    money.system.tick()


def test_subscribe_pay_renew_then_lapse_past_due_and_expire(journey):
    money, clock = journey
    sub = money.subscribe("alice")
    first = money.initiate("alice", sub).json()
    pay_by_phonepe(money, first["order"]["gateway_order_id"])
    active = when(money, sub, lambda s: s["status"] == "active", "active after the capture webhook")
    end = datetime.fromisoformat(active["current_period_end"])
    assert (datetime.fromisoformat(active["current_period_start"]), end - T0) == (T0, PERIOD)

    tick_at(money, clock, end - 3 * DAY)
    due = when(money, sub, lambda s: s["renewal_due"], "the renewal ordered 3 days ahead")
    renewal = money.read(due["renewal_payment_id"], money.system.projections.source.head())
    assert (renewal["amount_paise"], renewal["status"]) == (49_900, "created")
    assert (renewal["purpose"], renewal["reference_id"]) == ("subscription", sub)
    pay_by_phonepe(money, renewal["gateway_order_id"])
    renewed = when(money, sub, lambda s: not s["renewal_due"] and s["current_period_start"] != active[
        "current_period_start"], "the next period after the renewal's capture")
    assert (datetime.fromisoformat(renewed["current_period_start"]),
            datetime.fromisoformat(renewed["current_period_end"])) == (end, end + PERIOD)

    tick_at(money, clock, end + PERIOD - 3 * DAY)
    when(money, sub, lambda s: s["renewal_due"], "the second renewal ordered")
    tick_at(money, clock, end + PERIOD)
    lapsed = when(money, sub, lambda s: s["status"] == "past_due", "past due at the end, unpaid")
    assert datetime.fromisoformat(lapsed["grace_until"]) == end + PERIOD + 7 * DAY
    tick_at(money, clock, end + PERIOD + 7 * DAY)
    when(money, sub, lambda s: s["status"] == "expired", "expired after the grace")
