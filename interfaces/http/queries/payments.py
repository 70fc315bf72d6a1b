"""Query routes for payments: a client's own; admins, superadmins and auditors read them all."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from domain.values import Actor
from interfaces.http.answers import FOUND, ID, LISTED, Page
from interfaces.http.deps import SystemDep, current_actor
from interfaces.http.queries.reading import (
    Cursor,
    Limit,
    MinPosition,
    check_cursor,
    read,
)
from projections.payments import PaymentsModel, get_payment, list_payments

router = APIRouter(prefix="/v1/queries/payments", tags=["payments: queries"])
Caller = Annotated[Actor, Depends(current_actor)]
Status = Literal["created", "authorized", "captured", "failed", "refunded", "partially_refunded"]
NAME = PaymentsModel.name


Flag = Literal["amount_mismatch", "currency_mismatch", "disputed", "late_failure"]


class RefundOut(BaseModel):
    """A refund of (part of) a payment: asked for by an admin, or made by the gateway."""

    refund_id: str | None
    gateway_refund_id: str | None
    amount_paise: int
    status: Literal["requested", "processed", "failed"]
    at: datetime


class PaymentOut(BaseModel):
    """A payment for a subscription or a plan: its gateway ids, attempts, refunds and flags.

    `flags` names what an admin should look at: an amount or currency the gateway reported that
    does not match the order, a dispute, a failure reported after the capture."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": ID, "client_id": "client-42", "purpose": "subscription",
        "reference_id": "9b2e4c1d-3f5a-4e6b-8c7d-1a2b3c4d5e6f", "status": "captured", "amount_paise": 49900,
        "currency": "INR", "gateway_order_id": "order_PQ1x2y3z", "gateway_payment_id": "pay_PQ4a5b6c",
        "refunded_paise": 0, "attempts": 1, "version": 4, "method": "upi", "upi_app": "phonepe",
        "failure_reason": None, "late_failures": 0, "created_at": "2026-11-01T09:58:00+00:00",
        "captured_at": "2026-11-01T10:00:00+00:00", "failed_at": None, "flags": [],
        "refund_requested_paise": 0, "refunds": [], "dispute_status": None, "refunded_at": None,
    }]})
    id: UUID
    client_id: str
    purpose: Literal["subscription", "plan"]
    reference_id: str
    status: Status
    amount_paise: int
    currency: Literal["INR"]
    gateway_order_id: str | None
    gateway_payment_id: str | None
    refunded_paise: int
    attempts: int
    version: int
    method: Literal["upi", "card", "netbanking"]
    upi_app: Literal["phonepe", "gpay"] | None
    failure_reason: str | None
    late_failures: int
    created_at: datetime
    captured_at: datetime | None
    failed_at: datetime | None
    flags: list[Flag]
    refund_requested_paise: int
    refunds: list[RefundOut]
    dispute_status: Literal["open", "won", "lost"] | None
    refunded_at: datetime | None



class PaymentPageOut(Page[PaymentOut]):
    """A page of payments, newest first."""


@router.get("/{payment_id}", response_model=PaymentOut, responses=FOUND, operation_id="getPayment")
async def read_payment(
    payment_id: UUID, actor: Caller, system: SystemDep, min_position: MinPosition = None
) -> JSONResponse:
    """One payment with its status, gateway ids, attempts and refunds, if the caller may see it."""
    return await read(
        system, NAME, min_position,
        lambda conn: get_payment(conn, actor, str(payment_id)),
        missing=f"no payment {payment_id} that you may read",
    )


@router.get("", response_model=PaymentPageOut, responses=LISTED, operation_id="listPayments")
async def list_payments_route(
    actor: Caller, system: SystemDep, min_position: MinPosition = None,
    client_id: Annotated[str | None, Query(max_length=128)] = None,
    status: Status | None = None, limit: Limit = 20, cursor: Cursor = None,
) -> JSONResponse:
    """Payments the caller may see, newest first, by client and status."""
    check_cursor(cursor)
    return await read(
        system, NAME, min_position,
        lambda conn: list_payments(conn, actor, client_id=client_id, status=status, limit=limit,
                                   cursor=cursor),
    )
