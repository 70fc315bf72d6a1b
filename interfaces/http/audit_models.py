"""The auditors' answers: a payment's chain, a payment or subscription as it stood, an export line."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from interfaces.http.answers import ID, Page
from interfaces.http.problem_docs import absent

AT = "2026-11-01T10:00:00.123456+00:00"
HASH = "9f2c" + "0" * 60


class AmountOut(BaseModel):
    paise: int
    currency: str


class PurposeOut(BaseModel):
    kind: Literal["subscription", "plan"]
    reference_id: str


class PaymentEventDataOut(BaseModel):
    """An event's data exactly as hashed; each type of event carries some of these fields."""

    client_id: str = absent("Initiated")
    purpose: PurposeOut = absent("Initiated")
    amount: AmountOut = absent("Initiated, Captured, Refunded, RefundRequested, DisputeOpened")
    method: str = absent("Initiated")
    upi_app: str | None = absent("Initiated")
    at: datetime = absent("When it happened, as the command or the gateway said")
    attempt: int = absent("GatewayOrderCreated, Failed, RetryOpened")
    gateway_order_id: str = absent("GatewayOrderCreated")
    gateway_payment_id: str | None = absent("Authorized, Captured, Failed, LateFailureRecorded, Flagged")
    reason: str = absent("Failed, LateFailureRecorded, Refunded, RefundRequested, RefundFailed")
    flag: str = absent("Flagged")
    detail: str = absent("Flagged")
    refund_id: str | None = absent("RefundRequested, Refunded, RefundFailed")
    gateway_refund_id: str | None = absent("Refunded, RefundFailed")
    dispute_id: str = absent("DisputeOpened, DisputeClosed")
    outcome: str = absent("DisputeClosed")


EVENT_EXAMPLE: dict[str, Any] = {
    "position": 1841,
    "version": 1,
    "type": "Initiated",
    "timestamp": AT,
    "chain": 2,
    "data": {
        "client_id": "client-42",
        "purpose": {"kind": "subscription", "reference_id": ID},
        "amount": {"paise": 49900, "currency": "INR"},
        "method": "upi",
        "upi_app": "phonepe",
        "at": AT,
    },
    "prev_hash": "0" * 64,
    "hash": HASH,
}


class AuditEventOut(BaseModel):
    """One stored payment event: its place in the log, its content and its chain link."""

    model_config = ConfigDict(json_schema_extra={"examples": [EVENT_EXAMPLE]})
    position: int
    version: int
    type: str
    timestamp: datetime | None
    data: PaymentEventDataOut
    prev_hash: str
    hash: str
    chain: int | None = Field(
        description="The chain form the hash matches (2 covers the timestamp); null: neither"
    )


class PaymentEventsOut(BaseModel):
    """A payment's events in log order and whether their hash chain holds; where not, the first
    broken position and why."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "payment_id": ID,
                    "chain_valid": True,
                    "broken_at": None,
                    "reason": None,
                    "events": [EVENT_EXAMPLE],
                }
            ]
        }
    )
    payment_id: UUID
    chain_valid: bool
    broken_at: int | None
    reason: str | None
    events: list[AuditEventOut]


class ExportLineOut(AuditEventOut):
    """One line of the NDJSON export: an event of `events` plus its payment's id."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"payment_id": ID, **EVENT_EXAMPLE}]})
    payment_id: UUID


class DisputeOut(BaseModel):
    dispute_id: str
    status: Literal["open", "won", "lost"]


class PaymentStateOut(BaseModel):
    """A payment as it stood, rebuilt from its events up to `as_of_position`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": ID,
                    "client_id": "client-42",
                    "purpose": "subscription",
                    "reference_id": ID,
                    "status": "partially_refunded",
                    "amount_paise": 49900,
                    "currency": "INR",
                    "method": "upi",
                    "upi_app": "phonepe",
                    "gateway_order_id": "order_PQ1",
                    "gateway_payment_id": "pay_PQ4",
                    "captured_paise": 49900,
                    "refunded_paise": 10000,
                    "attempts": 1,
                    "failure_reason": None,
                    "late_failures": 0,
                    "flags": [],
                    "disputes": [],
                    "created_at": AT,
                    "version": 4,
                    "as_of_position": 1850,
                    "as_of_timestamp": AT,
                }
            ]
        }
    )
    id: UUID
    client_id: str
    purpose: Literal["subscription", "plan"]
    reference_id: str
    status: Literal["created", "authorized", "captured", "failed", "refunded", "partially_refunded"]
    amount_paise: int
    currency: str
    method: str
    upi_app: str | None
    gateway_order_id: str | None
    gateway_payment_id: str | None
    captured_paise: int
    refunded_paise: int
    attempts: int
    failure_reason: str | None
    late_failures: int
    flags: list[str]
    disputes: list[DisputeOut]
    created_at: datetime
    version: int
    as_of_position: int = Field(description="The position of the last event included")
    as_of_timestamp: datetime = Field(description="The time of the last event included")


class SubscriptionStateOut(BaseModel):
    """A subscription as it stood, rebuilt from its events up to `as_of_position`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": ID,
                    "client_id": "client-42",
                    "tier": "basic_monthly",
                    "status": "active",
                    "renewal": "manual",
                    "current_period_start": AT,
                    "current_period_end": AT,
                    "cancel_at_period_end": False,
                    "renewal_due": False,
                    "grace_until": None,
                    "gateway_subscription_id": None,
                    "current_payment_id": ID,
                    "version": 2,
                    "as_of_position": 1851,
                    "as_of_timestamp": AT,
                }
            ]
        }
    )
    id: UUID
    client_id: str
    tier: str
    status: Literal["pending_payment", "active", "past_due", "cancelled", "expired"]
    renewal: Literal["manual", "autopay"]
    current_period_start: datetime | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    renewal_due: bool
    grace_until: datetime | None
    gateway_subscription_id: str | None
    current_payment_id: str | None
    version: int
    as_of_position: int
    as_of_timestamp: datetime


class AccessOut(BaseModel):
    """One call to an audit route: who, when, what, whether they were admitted, under which trace."""

    id: int
    at: datetime
    uid: str
    role: str
    method: str
    path: str
    allowed: bool
    trace_id: str


ACCESS_EXAMPLE: dict[str, Any] = {"id": 118, "at": "2026-11-02T09:14:05.123456+00:00", "uid": "audit-priya",
                                  "role": "auditor", "method": "GET",
                                  "path": f"/v1/audit/payments/{ID}/events",
                                  "allowed": True, "trace_id": "0af7651916cd43dd8448eb211c80319c"}


class AccessPageOut(Page[AccessOut]):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"items": [ACCESS_EXAMPLE], "next_cursor": None}]})
