"""The gateway adapter under faults: retries only what is safe, times out, and breaks the circuit."""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client import REGISTRY

from infrastructure.razorpay.errors import GatewayRejected, GatewayUnavailable
from infrastructure.razorpay.gateway import RazorpayGateway
from infrastructure.razorpay.resilience import GatewayPolicy
from tests.razorpay_sandbox import FAST, KEY_ID
from tests.support import wait_until


def calls_to(sandbox, path: str) -> int:
    return sum(1 for _, called in sandbox.state.faults.calls if called == path)


def test_two_500s_then_a_200_succeed_on_the_third_attempt(sandbox):
    order = sandbox.order()
    sandbox.state.faults.fail_next(2, status=500)
    assert sandbox.gateway().fetch_order(order["id"]) == order
    assert calls_to(sandbox, f"/v1/orders/{order['id']}") == 3


def test_three_500s_fail_as_unavailable_with_a_retry_hint(sandbox):
    order = sandbox.order()
    sandbox.state.faults.fail_next(3, status=500)
    with pytest.raises(GatewayUnavailable) as unavailable:
        sandbox.gateway().fetch_order(order["id"])
    assert unavailable.value.retry_after_s >= 1
    assert calls_to(sandbox, f"/v1/orders/{order['id']}") == 3


def test_429_is_retried(sandbox):
    order = sandbox.order()
    sandbox.state.faults.throttle_next(2)
    assert sandbox.gateway().fetch_order(order["id"])["id"] == order["id"]


def test_a_400_is_never_retried(sandbox):
    with pytest.raises(GatewayRejected) as rejected:
        sandbox.gateway().create_order("pay-0100", 50)
    assert (rejected.value.status, rejected.value.field) == (400, "amount")
    assert calls_to(sandbox, "/v1/orders") == 1


def test_a_wrong_key_is_rejected_with_401_and_never_retried(sandbox):
    gateway = RazorpayGateway(KEY_ID, "not-the-secret", sandbox.url, policy=FAST)
    with pytest.raises(GatewayRejected) as rejected:
        gateway.fetch_payment("pay_anything0000")
    assert rejected.value.status == 401
    assert len(sandbox.state.faults.calls) == 1


def test_a_hanging_gateway_times_out_within_the_bound(sandbox):
    policy = GatewayPolicy(timeout_s=0.3, backoff_s=0.01, backoff_max_s=0.05)
    sandbox.state.faults.hang_next(3, seconds=5)
    started = time.monotonic()
    with pytest.raises(GatewayUnavailable, match="no answer"):
        sandbox.gateway(policy).fetch_payment("pay_anything0000")
    # three attempts cut at 0.3 s each (1 s in all; a loaded machine took 2.6 s): one attempt
    # left to hang would take 5 s by itself
    assert 0.9 <= time.monotonic() - started < 5.0
    assert len(sandbox.state.faults.calls) == 3


def test_a_refused_connection_is_unavailable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    gateway = RazorpayGateway(KEY_ID, "secret", f"http://127.0.0.1:{closed_port}", policy=FAST)
    with pytest.raises(GatewayUnavailable, match="no answer"):
        gateway.fetch_order("order_anything000")


def test_the_breaker_opens_after_repeated_failures_and_then_fails_fast_without_calling(sandbox):
    gateway = sandbox.gateway(GatewayPolicy(timeout_s=2, backoff_s=0.01, backoff_max_s=0.05,
                                            breaker_failures=3, breaker_reset_s=60))
    sandbox.state.faults.fail_next(3, status=503)
    with pytest.raises(GatewayUnavailable):
        gateway.fetch_order("order_anything000")
    assert gateway.breaker.state == "open"
    assert REGISTRY.get_sample_value("gymgenius_gateway_breaker_state") == 2
    seen = len(sandbox.state.faults.calls)
    started = time.monotonic()
    with pytest.raises(GatewayUnavailable, match="circuit breaker is open") as unavailable:
        gateway.fetch_order("order_anything000")
    assert time.monotonic() - started < 0.05 and len(sandbox.state.faults.calls) == seen
    assert 55 <= unavailable.value.retry_after_s <= 60


def test_the_breaker_lets_a_trial_through_after_its_reset_timeout_and_closes(sandbox):
    order = sandbox.order()
    gateway = sandbox.gateway(GatewayPolicy(timeout_s=2, backoff_s=0.01, backoff_max_s=0.05,
                                            breaker_failures=3, breaker_reset_s=0.5))
    sandbox.state.faults.fail_next(3, status=500)
    with pytest.raises(GatewayUnavailable):
        gateway.fetch_order(order["id"])
    seen = len(sandbox.state.faults.calls)

    def recovered() -> bool:
        try:
            return gateway.fetch_order(order["id"]) == order
        except GatewayUnavailable:
            return False

    wait_until(recovered, 5, "the breaker's trial call")
    assert gateway.breaker.state == "closed" and len(sandbox.state.faults.calls) == seen + 1
    assert REGISTRY.get_sample_value("gymgenius_gateway_breaker_state") == 0


def test_rejections_never_open_the_breaker(sandbox):
    gateway = sandbox.gateway(GatewayPolicy(breaker_failures=2))
    for _ in range(4):
        with pytest.raises(GatewayRejected):
            gateway.fetch_order("order_doesnotexist")
    assert gateway.breaker.state == "closed"


def test_calls_through_the_breaker_run_at_the_same_time(sandbox):
    order = sandbox.order()
    sandbox.state.faults.hang_next(4, seconds=0.5)
    gateway = sandbox.gateway()
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: gateway.fetch_order(order["id"]), range(4)))
    assert answers == [order] * 4 and time.monotonic() - started < 1.5  # one at a time would take 2 s


def test_each_call_is_timed_by_operation_and_outcome(sandbox):
    def count(outcome: str) -> float:
        labels = {"operation": "fetch_order", "outcome": outcome}
        return REGISTRY.get_sample_value("gymgenius_gateway_call_seconds_count", labels) or 0.0

    before = {outcome: count(outcome) for outcome in ("ok", "rejected", "unavailable")}
    gateway, order = sandbox.gateway(), sandbox.order()
    gateway.fetch_order(order["id"])
    with pytest.raises(GatewayRejected):
        gateway.fetch_order("order_doesnotexist")
    sandbox.state.faults.fail_next(3)
    with pytest.raises(GatewayUnavailable):
        gateway.fetch_order(order["id"])
    assert {outcome: count(outcome) - before[outcome] for outcome in before} == {
        "ok": 1, "rejected": 1, "unavailable": 1}


def test_a_deadline_bounds_the_whole_operation_and_shortens_the_last_attempt(sandbox):
    policy = GatewayPolicy(timeout_s=0.5, deadline_s=0.8, backoff_s=0.01, backoff_max_s=0.05)
    sandbox.state.faults.hang_next(3, seconds=3)
    started = time.monotonic()
    with pytest.raises(GatewayUnavailable):
        sandbox.gateway(policy).fetch_payment("pay_anything0000")
    assert time.monotonic() - started < 0.8 + 0.3
    assert len(sandbox.state.faults.calls) == 2
