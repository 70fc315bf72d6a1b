"""Query routes for subscriptions: a client's own, their assigned staff's, and admins' view."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from domain.values import Actor
from interfaces.http.deps import SystemDep, current_actor
from interfaces.http.problems import Problem
from interfaces.http.queries.reading import (
    QUERY_RESPONSES,
    Cursor,
    Limit,
    MinPosition,
    access_models,
    answer,
    check_cursor,
    snapshot,
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
    async with snapshot(system, NAME, min_position, also=access_models(actor)) as (conn, position):
        found = await get_subscription(conn, actor, str(subscription_id))
    if found is None:
        raise Problem(404, "Not Found", f"no subscription {subscription_id} that you may read")
    return answer(found, position)


@router.get("")
async def list_subscriptions_route(
    actor: Caller, system: SystemDep, min_position: MinPosition = None,
    client_id: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    status: Status | None = None, limit: Limit = 20, cursor: Cursor = None,
) -> JSONResponse:
    """Subscriptions the caller may read, newest first, by client and status."""
    check_cursor(cursor)
    async with snapshot(system, NAME, min_position, also=access_models(actor)) as (conn, position):
        page = await list_subscriptions(conn, actor, client_id=client_id, status=status,
                                        limit=limit, cursor=cursor)
    return answer(page, position)
