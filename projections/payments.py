"""Payments read model: one row per payment, for its client and for admins, superadmins, auditors.

Trainers and nutritionists see no payments, even of their assigned clients: API.md says "owner,
staff", and money is not coaching; the safer reading keeps it to the roles that run the business.
`failed_at` is the time of the latest failed attempt and stays after a retry (the dashboard counts
attempts that failed); a late failure after a capture only counts in `late_failures`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ColumnElement,
    DateTime,
    Integer,
    String,
    Table,
    false,
    select,
)

from domain.payment import Payment
from domain.values import Actor, Role
from projections import refunds
from projections.access import visible_clients
from projections.model import ReadModel, Row
from projections.pages import Page, page
from projections.reading import ReadConnection
from projections.schema import metadata
from projections.values import STAFF_ROOMS, iso, utc

payments = Table(
    "payments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("client_id", String(128), nullable=False, index=True),
    Column("purpose", String(20), nullable=False),
    Column("reference_id", String(128), nullable=False),
    Column("method", String(20), nullable=False),
    Column("upi_app", String(20), nullable=True),
    Column("status", String(20), nullable=False, index=True),
    Column("amount_paise", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("gateway_order_id", String(200), nullable=True),
    Column("gateway_payment_id", String(200), nullable=True),
    Column("captured_paise", BigInteger, nullable=False),
    Column("refunded_paise", BigInteger, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("failure_reason", String(500), nullable=True),
    Column("late_failures", Integer, nullable=False),
    Column("captured_at", DateTime(timezone=True), nullable=True, index=True),
    Column("failed_at", DateTime(timezone=True), nullable=True, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("flags", JSON, nullable=False, server_default="[]"),
    Column("refund_requested_paise", BigInteger, nullable=False, server_default="0"),
    Column("refunds", JSON, nullable=False, server_default="[]"),
    Column("dispute_status", String(20), nullable=True),
    Column("refunded_at", DateTime(timezone=True), nullable=True, index=True),
    Column("version", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
)

NO_PAYMENTS = frozenset({Role.TRAINER, Role.NUTRITIONIST})


class PaymentsModel(ReadModel):
    name = "payments"
    table = payments
    created_by = Payment.Initiated
    event_types = (Payment.Initiated, Payment.GatewayOrderCreated, Payment.Authorized,
                   Payment.Captured, Payment.Failed, Payment.LateFailureRecorded,
                   Payment.RetryOpened, Payment.Refunded, Payment.Flagged, Payment.RefundRequested,
                   Payment.RefundFailed, Payment.DisputeOpened, Payment.DisputeClosed)
    push_event = "payment.updated"

    def create(self, event: Any, position: int) -> Row:
        return _initiated(event, position)

    def change(self, row: Row, event: Any) -> Row:
        match event:
            case Payment.GatewayOrderCreated():
                return {"gateway_order_id": event.gateway_order_id}
            case Payment.Authorized():
                return {"status": "authorized", "gateway_payment_id": event.gateway_payment_id}
            case Payment.Captured():
                return {"status": "captured", "gateway_payment_id": event.gateway_payment_id,
                        "captured_paise": event.amount.paise, "captured_at": utc(event.at),
                        "failure_reason": None}
            case Payment.Failed():
                return {"status": "failed", "failure_reason": event.reason, "failed_at": utc(event.at)}
            case Payment.LateFailureRecorded():
                return {"late_failures": row["late_failures"] + 1,
                        "flags": flagged(row, "late_failure")}
            case Payment.RetryOpened():
                return {"status": "created", "attempts": event.attempt, "gateway_order_id": None,
                        "gateway_payment_id": None, "failure_reason": None}
            case Payment.Refunded():
                return refunds.refunded(row, event)
            case Payment.RefundRequested():
                return refunds.requested(row, event)
            case Payment.RefundFailed():
                return refunds.failed(row, event)
            case Payment.Flagged():
                return {"flags": flagged(row, event.flag)}
            case Payment.DisputeOpened():
                return {"dispute_status": "open"}
            case Payment.DisputeClosed():
                return {"dispute_status": event.outcome}
        raise TypeError(f"payments do not fold {type(event).__name__}")

    def out(self, row: Row) -> dict[str, Any]:
        return show(row)

    def rooms(self, row: Row) -> tuple[str, ...]:
        return (f"user:{row['client_id']}", *STAFF_ROOMS)


def _initiated(event: Payment.Initiated, position: int) -> Row:
    return {
        "id": str(event.originator_id), "seq": position, "client_id": event.client_id,
        "purpose": event.purpose.kind.value, "reference_id": event.purpose.reference_id,
        "method": event.method.value, "upi_app": event.upi_app.value if event.upi_app else None,
        "status": "created", "amount_paise": event.amount.paise, "currency": event.amount.currency,
        "gateway_order_id": None, "gateway_payment_id": None, "captured_paise": 0,
        "refunded_paise": 0, "attempts": 1, "failure_reason": None, "late_failures": 0,
        "captured_at": None, "failed_at": None, "created_at": utc(event.at),
        "flags": [], "refund_requested_paise": 0, "refunds": [], "dispute_status": None,
        "refunded_at": None,
    }


def flagged(row: Row, flag: str) -> list[str]:
    """The row's flags with `flag` added once, in the order they were first raised."""
    return row["flags"] if flag in row["flags"] else [*row["flags"], flag]


def show(row: Row) -> dict[str, Any]:
    """A payment as the query API and the realtime push show it."""
    times = {k: iso(row[k]) for k in ("created_at", "captured_at", "failed_at", "refunded_at")}
    kept = ("id", "client_id", "purpose", "reference_id", "status", "amount_paise", "currency",
            "gateway_order_id", "gateway_payment_id", "refunded_paise", "attempts", "version",
            "method", "upi_app", "failure_reason", "late_failures", "flags", "refund_requested_paise",
            "refunds", "dispute_status")
    return {**{k: row[k] for k in kept}, **times}


def readable(actor: Actor) -> ColumnElement[bool]:
    """The payments this actor may read: their own, or all for admins and auditors."""
    if actor.role in NO_PAYMENTS:
        return false()
    return visible_clients(actor, payments.c.client_id)


async def get_payment(conn: ReadConnection, actor: Actor, payment_id: str) -> dict[str, Any] | None:
    query = select(payments).where(payments.c.id == payment_id, readable(actor))
    row = (await conn.execute(query)).mappings().first()
    return show(dict(row)) if row else None


async def list_payments(
    conn: ReadConnection, actor: Actor, *, client_id: str | None, status: str | None,
    limit: int, cursor: str | None,
) -> Page:
    query = select(payments).where(readable(actor))
    if client_id:
        query = query.where(payments.c.client_id == client_id)
    if status:
        query = query.where(payments.c.status == status)
    return await page(conn, query, payments.c.seq, limit, cursor, show)
