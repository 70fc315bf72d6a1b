"""Query route for notifications: the caller's own, newest first, with their unread count."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from domain.values import Actor
from interfaces.http.answers import ID, LISTED, Page
from interfaces.http.deps import SystemDep, current_actor
from interfaces.http.queries.reading import Cursor, Limit, MinPosition, check_cursor, read
from projections.inboxes import InboxesModel
from projections.notifications import NotificationsModel, list_notifications

router = APIRouter(prefix="/v1/queries/notifications", tags=["notifications: queries"])
Caller = Annotated[Actor, Depends(current_actor)]
Unread = Annotated[bool | None, Query(description="true: only unread; false: only read; left out: all")]


EXAMPLE: dict[str, Any] = {
    "id": ID, "kind": "payment_captured", "title": "Payment of ₹499.00 received",
    "data": {"payment_id": ID, "purpose": "subscription", "reference_id": ID, "amount_paise": 49900},
    "created_at": "2026-11-02T08:30:00+00:00", "read": False}


class NotificationDataOut(BaseModel):
    """The ids (and a few figures) a notification is about; each kind fills its own."""

    model_config = ConfigDict(extra="allow")  # a kind added later may carry ids of its own
    payment_id: str | None = None
    subscription_id: str | None = None
    plan_id: str | None = None
    purpose: str | None = Field(None, description="A payment's: subscription or plan")
    reference_id: str | None = Field(None, description="A payment's subscription or plan id")
    amount_paise: int | None = None
    attempt: int | None = None
    tier: str | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    grace_until: datetime | None = None
    client_id: str | None = Field(None, description="A generated plan's client")
    source: str | None = Field(None, description="A generated plan's: ai or fallback")
    conversation_id: str | None = None
    message_id: str | None = None
    seq: int | None = Field(None, description="A message's number in its conversation")
    sender_id: str | None = None


class NotificationOut(BaseModel):
    """Something the caller should know; `data` carries the ids it is about."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})
    id: str
    kind: str = Field(description="payment_captured, payment_failed, subscription_activated, renewal_due, "
                                  "subscription_past_due, subscription_expired, plan_assigned, "
                                  "plan_generated, message_received")
    title: str
    data: NotificationDataOut
    created_at: datetime
    read: bool


class NotificationPageOut(Page[NotificationOut]):
    """A page of the caller's notifications, newest first, and how many are unread in all."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"items": [EXAMPLE], "next_cursor": None, "unread_count": 1}]})

    unread_count: int


@router.get("", response_model=NotificationPageOut, responses=LISTED, operation_id="listNotifications")
async def list_notifications_route(
    actor: Caller, system: SystemDep, min_position: MinPosition = None, unread: Unread = None,
    limit: Limit = 20, cursor: Cursor = None,
) -> JSONResponse:
    """The caller's notifications, newest first, read or not, with the unread count.

    Roles: any signed-in role; their own only.
    """
    check_cursor(cursor)
    return await read(system, NotificationsModel.name, min_position, lambda conn: list_notifications(
        conn, actor.uid, unread=unread, limit=limit, cursor=cursor), also=(InboxesModel.name,))
