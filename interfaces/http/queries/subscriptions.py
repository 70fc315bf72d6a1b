"""Query routes for subscriptions: a client's own, their assigned staff's, and admins' view."""

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
    access_models,
    check_cursor,
    read,
)
from projections.subscriptions import SubscriptionsModel, get_subscription, list_subscriptions

router = APIRouter(prefix="/v1/queries/subscriptions", tags=["subscriptions: queries"])
Caller = Annotated[Actor, Depends(current_actor)]
Status = Literal["pending_payment", "active", "past_due", "cancelled", "expired"]
NAME = SubscriptionsModel.name


class SubscriptionOut(BaseModel):
    """A client's subscription on a tier: its status, paid period, renewal and its grace.

    `renewal_due` is true from the day the next period's payment is ordered (`renewal_payment_id`,
    3 days before a manual period ends) until that period is paid; `grace_until` is when a
    past-due subscription expires unless it is paid before."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": ID, "client_id": "client-42", "tier": "basic_monthly", "status": "active",
        "cancel_at_period_end": False, "dunning_attempts": 0, "version": 2,
        "current_period_start": "2026-11-01T10:00:00+00:00",
        "current_period_end": "2026-12-01T10:00:00+00:00",
        "next_retry_at": None, "ended_at": None, "created_at": "2026-11-01T09:58:00+00:00",
        "renewal": "manual", "renewal_due": True,
        "renewal_payment_id": "5d1c9a7e-2b4f-4c3d-9e8a-7f6b5a4c3d2e",
        "grace_until": None, "gateway_subscription_id": None,
    }]})
    id: UUID
    client_id: str
    tier: str
    status: Status
    cancel_at_period_end: bool
    dunning_attempts: int
    version: int
    current_period_start: datetime | None
    current_period_end: datetime | None
    next_retry_at: datetime | None
    ended_at: datetime | None
    created_at: datetime
    renewal: Literal["manual", "autopay"]
    renewal_due: bool
    renewal_payment_id: UUID | None
    grace_until: datetime | None
    gateway_subscription_id: str | None



class SubscriptionPageOut(Page[SubscriptionOut]):
    """A page of subscriptions, newest first."""


@router.get("/{subscription_id}", response_model=SubscriptionOut, responses=FOUND,
            operation_id="getSubscription")
async def read_subscription(
    subscription_id: UUID, actor: Caller, system: SystemDep, min_position: MinPosition = None
) -> JSONResponse:
    """One subscription with its tier, status and current period, if the caller may read it.

    A client reads their own; a trainer or nutritionist those of
    the clients assigned to them; admins, superadmins and auditors every one.
    """
    return await read(
        system, NAME, min_position,
        lambda conn: get_subscription(conn, actor, str(subscription_id)),
        missing=f"no subscription {subscription_id} that you may read",
        also=access_models(actor),
    )


@router.get("", response_model=SubscriptionPageOut, responses=LISTED,
            operation_id="listSubscriptions")
async def list_subscriptions_route(
    actor: Caller, system: SystemDep, min_position: MinPosition = None,
    client_id: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    status: Status | None = None, limit: Limit = 20, cursor: Cursor = None,
) -> JSONResponse:
    """Subscriptions the caller may read, newest first, by client and status.

    A client lists their own; a trainer or nutritionist those of
    the clients assigned to them; admins, superadmins and auditors every one.
    """
    check_cursor(cursor)
    return await read(
        system, NAME, min_position,
        lambda conn: list_subscriptions(conn, actor, client_id=client_id, status=status, limit=limit,
                                        cursor=cursor),
        also=access_models(actor),
    )
