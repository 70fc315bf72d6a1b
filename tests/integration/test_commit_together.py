"""Several aggregates committed in one transaction (a webhook's changes and its GatewayNotice), in
both profiles, grouped with other commands or not: all or nothing, and readers see them in order."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from application.ports import StaleWrite
from domain.gateway_notice import GatewayNotice, notice_id
from domain.payment import Payment
from infrastructure.bootstrap import System

T0 = datetime(2026, 11, 20, 6, 30, tzinfo=UTC)
META = {"actor_id": "razorpay", "role": "system", "trace_id": "t"}


def a_payment(system: System) -> Payment:
    payment = Payment.initiate("alice", "plan", "plan-1", 29_900, "upi", "gpay", T0)
    payment.record_gateway_order("order_1", T0)
    system.log.commit(payment, META, [])
    return payment


def captured_with_notice(system: System, payment: Payment, event_id: str) -> tuple[Payment, GatewayNotice]:
    copy = system.log.latest(payment.id)
    assert isinstance(copy, Payment)
    copy.record_capture("pay_1", 29_900, "INR", T0)
    return copy, GatewayNotice.receive(event_id, "payment.captured", "processed", T0, payment_id=str(copy.id))


def test_a_payment_and_its_notice_are_written_together_at_consecutive_positions(system: System) -> None:
    payment = a_payment(system)
    position = system.log.commit_all(list(captured_with_notice(system, payment, "evt_1")), META, [])
    assert system.log.position_of(notice_id("evt_1"), 1) == position
    assert system.log.position_of(payment.id, 3) == position - 1


def test_a_second_notice_of_the_same_event_writes_nothing_of_what_came_with_it(system: System) -> None:
    payment = a_payment(system)
    system.log.commit_all(list(captured_with_notice(system, payment, "evt_1")), META, [])
    other = Payment.initiate("bob", "plan", "plan-1", 29_900, "upi", None, T0)
    again = GatewayNotice.receive("evt_1", "payment.captured", "processed", T0)
    before = system.log.recorder.max_notification_id()
    with pytest.raises(StaleWrite):
        system.log.commit_all([other, again], META, [])
    assert system.log.recorder.max_notification_id() == before and system.log.latest(other.id) is None


def test_concurrent_commits_of_one_event_id_write_it_once(system: System) -> None:
    payment = a_payment(system)
    attempts = [captured_with_notice(system, payment, "evt_9") for _ in range(20)]

    def commit(pair: tuple[Payment, GatewayNotice]) -> bool:
        try:
            system.log.commit_all(list(pair), META, [])
        except StaleWrite:
            return False
        return True

    with ThreadPoolExecutor(max_workers=10) as pool:
        assert sum(pool.map(commit, attempts)) == 1
    stored = [e for e in system.log.events.get(payment.id)]
    assert [type(e).__name__ for e in stored] == ["Initiated", "GatewayOrderCreated", "Captured"]
