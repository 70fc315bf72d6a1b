"""Query routes for subscriptions: a client's own, their assigned staff's, and admins' view."""

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
    access_models,
    check_cursor,
    read,
)
from projections.subscriptions import SubscriptionsModel, get_subscription, list_subscriptions

router = APIRouter(prefix="/v1/queries/subscriptions", tags=["subscriptions: queries"],
                   responses=QUERY_RESPONSES)
Caller = Annotated[Actor, Depends(current_actor)]
Status = Literal["pending_payment", "active", "past_due", "cancelled", "expired"]
NAME = SubscriptionsModel.name


@router.get("/{subscription_id}")
async def read_subscription(
    subscription_id: UUID, actor: Caller, system: SystemDep, min_position: MinPosition = None
) -> JSONResponse:
    """One subscription with its tier, status and current period, if the caller may read it."""
    return await read(
        system, NAME, min_position,
        lambda conn: get_subscription(conn, actor, str(subscription_id)),
        missing=f"no subscription {subscription_id} that you may read",
        also=access_models(actor),
    )


@router.get("")
async def list_subscriptions_route(
    actor: Caller, system: SystemDep, min_position: MinPosition = None,
    client_id: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    status: Status | None = None, limit: Limit = 20, cursor: Cursor = None,
) -> JSONResponse:
    """Subscriptions the caller may read, newest first, by client and status."""
    check_cursor(cursor)
    return await read(
        system, NAME, min_position,
        lambda conn: list_subscriptions(conn, actor, client_id=client_id, status=status, limit=limit,
                                        cursor=cursor),
        also=access_models(actor),
    )
