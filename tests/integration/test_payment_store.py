"""Payments through the real event store on PostgreSQL: types, metadata and the hash chain survive."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from application.context import CommandContext
from application.errors import Forbidden
from application.payments import (
    AuthorizePayment,
    CapturePayment,
    FailPayment,
    InitiatePayment,
    RecordGatewayOrder,
    RefundPayment,
    RetryPayment,
)
from domain.hash_chain import chain_record
from domain.payment import (
    Payment,
    PaymentMethod,
    PaymentPurpose,
    PaymentStatus,
    PurposeKind,
    UpiApp,
    verify_chain,
)
from domain.values import Actor, Money, Role
from infrastructure.bootstrap import System

AT = datetime(2026, 11, 2, 8, 15, 30, 123456, tzinfo=UTC)
PRICE = 99_900
CLIENT = Actor("client-7", Role.CLIENT)
GATEWAY = Actor("system:razorpay", Role.SUPERADMIN)
ADMIN = Actor("admin-1", Role.ADMIN)


def ctx(actor: Actor, trace: str = "trace-1") -> CommandContext:
    return CommandContext(actor=actor, at=AT, trace_id=trace)


def stored_events(system: System, payment_id: UUID) -> list[Any]:
    notifications = system.log.recorder.select_notifications(start=None, limit=1000)
    events = [system.log.mapper.to_domain_event(n) for n in notifications]
    return [e for e in events if e.originator_id == payment_id]


def a_captured_payment(system: System) -> UUID:
    payments = system.payments
    pid = system.aggregates.create(ctx(CLIENT, "t-initiate"), lambda: Payment.initiate(
        CLIENT.uid, "plan", "plan-9", PRICE, "upi", "phonepe", AT)).id
    payments.record_order(ctx(GATEWAY, "t-order"), RecordGatewayOrder(pid, "order_1"))
    payments.authorize(ctx(CLIENT, "t-confirm"), AuthorizePayment(pid, "pay_1"))
    payments.capture(ctx(GATEWAY, "t-capture"), CapturePayment(pid, "pay_1", PRICE))
    return pid


def test_a_payments_events_come_back_with_their_own_types(server_system: System) -> None:
    pid = a_captured_payment(server_system)
    server_system.aggregates.change(ctx(ADMIN, "t-refund"), Payment, pid, None,
                                    lambda p: p.refund(10_000, "goodwill", AT))
    initiated, order, authorized, captured, refunded = stored_events(server_system, pid)
    assert initiated.purpose == PaymentPurpose(PurposeKind.PLAN, "plan-9")
    assert type(initiated.purpose.kind) is PurposeKind
    assert (type(initiated.method), type(initiated.upi_app)) == (PaymentMethod, UpiApp)
    assert initiated.amount == captured.amount == Money(PRICE)
    assert refunded.amount == Money(10_000)
    assert initiated.at == AT
    assert (order.gateway_order_id, authorized.gateway_payment_id) == ("order_1", "pay_1")


def test_every_stored_payment_event_carries_who_and_which_trace(server_system: System) -> None:
    pid = a_captured_payment(server_system)
    metas = [e.meta for e in stored_events(server_system, pid)]
    assert [m["trace_id"] for m in metas] == ["t-initiate", "t-order", "t-confirm", "t-capture"]
    assert metas[0] == {"actor_id": "client-7", "role": "client", "trace_id": "t-initiate"}
    assert metas[3] == {"actor_id": "system:razorpay", "role": "superadmin", "trace_id": "t-capture"}


def test_the_chain_verifies_over_the_events_read_back(server_system: System) -> None:
    pid = a_captured_payment(server_system)
    payments = server_system.payments
    payments.fail(ctx(GATEWAY), FailPayment(pid, "late UPI failure", "pay_1"))
    server_system.aggregates.change(ctx(ADMIN), Payment, pid, None, lambda p: p.refund(None, "cancelled", AT))
    events = stored_events(server_system, pid)
    chain = [chain_record(e) for e in events]
    assert len(chain) == 6
    assert verify_chain(chain)
    assert server_system.aggregates.load(Payment, pid).chain_head == chain[-1]["hash"]
    chain[2]["data"]["amount"] = Money(1)
    assert not verify_chain(chain)


def test_a_stored_payment_loads_in_the_state_its_commands_left(server_system: System) -> None:
    pid = a_captured_payment(server_system)
    server_system.payments.fail(ctx(GATEWAY), FailPayment(pid, "late", "pay_1"))
    payment = server_system.aggregates.load(Payment, pid)
    assert (payment.status, payment.captured, payment.late_failures) == (
        PaymentStatus.CAPTURED, Money(PRICE), 1,
    )


def test_capturing_again_writes_nothing_and_answers_the_same_version(server_system: System) -> None:
    pid = a_captured_payment(server_system)
    before = server_system.log.recorder.max_notification_id()
    again = server_system.payments.capture(ctx(GATEWAY), CapturePayment(pid, "pay_1", PRICE))
    assert again.version == 4
    assert again.position == before
    assert server_system.log.recorder.max_notification_id() == before


def test_a_client_acts_only_on_their_own_payments(server_system: System) -> None:
    pid = a_captured_payment(server_system)
    before = server_system.log.recorder.max_notification_id()
    stranger = Actor("client-8", Role.CLIENT)
    with pytest.raises(Forbidden):
        server_system.payments.fail(ctx(stranger), FailPayment(pid, "not mine"))
    with pytest.raises(Forbidden):
        server_system.payments.retry(ctx(Actor("trainer-1", Role.TRAINER)), RetryPayment(pid))
    assert server_system.log.recorder.max_notification_id() == before


@pytest.mark.parametrize("role", [Role.CLIENT, Role.TRAINER, Role.AUDITOR])
def test_only_admins_refund(server_system: System, role: Role) -> None:
    pid = a_captured_payment(server_system)
    with pytest.raises(Forbidden):
        server_system.payments.refund(ctx(Actor("client-7", role)), RefundPayment(pid, "please"))


def test_only_a_client_initiates_a_payment(server_system: System) -> None:
    with pytest.raises(Forbidden):
        server_system.payments.initiate(ctx(ADMIN), InitiatePayment("plan", "plan-9", "card"))
