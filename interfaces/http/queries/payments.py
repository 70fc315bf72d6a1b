"""Query routes for payments: a client's own; admins, superadmins and auditors read them all."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from domain.values import Actor
from interfaces.http.deps import SystemDep, current_actor
from interfaces.http.queries.reading import (
    QUERY_RESPONSES,
    Cursor,
    Limit,
    MinPosition,
    check_cursor,
    read,
)
from projections.payments import PaymentsModel, get_payment, list_payments

router = APIRouter(prefix="/v1/queries/payments", tags=["payments: queries"],
                   responses=QUERY_RESPONSES)
Caller = Annotated[Actor, Depends(current_actor)]
Status = Literal["created", "authorized", "captured", "failed", "refunded", "partially_refunded"]
NAME = PaymentsModel.name


@router.get("/{payment_id}")
async def read_payment(
    payment_id: UUID, actor: Caller, system: SystemDep, min_position: MinPosition = None
) -> JSONResponse:
    """One payment with its status, gateway ids, attempts and refunds, if the caller may see it."""
    return await read(
        system, NAME, min_position,
        lambda conn: get_payment(conn, actor, str(payment_id)),
        missing=f"no payment {payment_id} that you may read",
    )


@router.get("")
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
