"""Autopay through the sandbox's mandate simulator and the webhooks it signs, in both profiles:
each charge is recorded once as a captured payment and pays one period; `pending` makes the
subscription past due and `halted` expires it; every delivery twice, every policy run twice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from application.gateway_events import HandleGatewayEvent
from application.subscriptions import RequestSubscription, StartAutopay
from domain.payment import Payment
from domain.subscription import Subscription
from domain.values import Role
from infrastructure.bootstrap import System, bootstrap, init_storage
from infrastructure.settings import Settings
from tests.lifecycle_steps import ctx, events_of
from tests.razorpay_sandbox import RunningSandbox, WebhookEndpoint, running_sandbox, webhook_endpoint
from tests.support import server_settings


@pytest.fixture(params=["embedded", "server"])
def paid_by_mandate(request: pytest.FixtureRequest, tmp_path: Path
                    ) -> Iterator[tuple[System, RunningSandbox, WebhookEndpoint]]:
    if request.param == "server":
        settings = server_settings(request.getfixturevalue("pg_schema"))
    else:
        settings = Settings(GYMGENIUS_DATA_DIR=tmp_path / "var")  # type: ignore[call-arg]
    init_storage(settings)
    with webhook_endpoint() as endpoint, running_sandbox(endpoint.url) as sandbox:
        system = bootstrap(settings, gateway=sandbox.gateway())
        yield system, sandbox, endpoint
        system.close()


def deliver_all(system: System, sandbox: RunningSandbox, endpoint: WebhookEndpoint) -> None:
    """Hands every delivery the sandbox made to our webhook handler twice, then runs the policies
    until they have nothing left to do (and once more)."""
    sandbox.settle()
    for received in [*endpoint.received, *endpoint.received]:
        system.gateway_events.handle(ctx("razorpay", Role.SYSTEM), HandleGatewayEvent(
            received.headers["x-razorpay-event-id"], received.raw, received.headers["x-razorpay-signature"]))
    endpoint.received.clear()
    for _ in range(4):
        system.policies.run_all()


def mandate_for(system: System, client: str = "asha") -> tuple[Any, str]:
    sub = system.subscriptions.request(ctx(client), RequestSubscription("basic_monthly", "autopay")).id
    answer = system.subscriptions.start_autopay(ctx(client), StartAutopay(sub))
    return sub, answer.extra["mandate"]["gateway_subscription_id"]


def latest(system: System, sub: Any) -> Subscription:
    found = system.log.latest(sub)
    assert isinstance(found, Subscription)
    return found


def charge(sandbox: RunningSandbox, mandate: str, outcome: str = "charged") -> dict[str, Any]:
    return sandbox.sandbox_post(f"/subscriptions/{mandate}/charge", outcome=outcome)


def test_each_charge_is_recorded_once_as_a_captured_payment_and_pays_one_period(paid_by_mandate):
    system, sandbox, endpoint = paid_by_mandate
    sub, mandate = mandate_for(system)
    sandbox.sandbox_post(f"/subscriptions/{mandate}/authenticate", outcome="authenticated")
    deliver_all(system, sandbox, endpoint)
    first = latest(system, sub)
    assert (first.status.value, first.mandate_authenticated) == ("active", True)
    paid = system.log.latest(UUID(first.current_payment_id))
    assert isinstance(paid, Payment) and paid.status.value == "captured"
    charged = charge(sandbox, mandate)
    deliver_all(system, sandbox, endpoint)
    renewed = latest(system, sub)
    assert renewed.current_period_start == first.current_period_end
    second = system.log.latest(UUID(renewed.current_payment_id))
    assert isinstance(second, Payment) and second.gateway_payment_id == charged["payment"]["id"]
    assert events_of(system, sub).count("Activated") == 1 and events_of(system, sub).count("Renewed") == 1


def test_a_pending_mandate_makes_it_past_due_and_a_halted_one_expires_it(paid_by_mandate):
    system, sandbox, endpoint = paid_by_mandate
    sub, mandate = mandate_for(system)
    sandbox.sandbox_post(f"/subscriptions/{mandate}/authenticate", outcome="authenticated")
    deliver_all(system, sandbox, endpoint)
    charge(sandbox, mandate, "pending")
    deliver_all(system, sandbox, endpoint)
    assert (latest(system, sub).status.value, latest(system, sub).dunning_attempts) == ("past_due", 1)
    charge(sandbox, mandate, "halted")
    deliver_all(system, sandbox, endpoint)
    assert latest(system, sub).status.value == "expired"
    assert events_of(system, sub).count("RenewalFailed") == 1
