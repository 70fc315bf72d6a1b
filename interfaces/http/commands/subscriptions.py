"""Command routes for subscriptions: a client requests one on a tier, and cancels it."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from application.context import CommandContext
from application.subscriptions import CancelSubscription, RequestSubscription
from domain.subscription import MAX_TIER_CODE
from domain.values import Role
from interfaces.http.answers import APPLIED, CREATED, CommandOut, command_answer
from interfaces.http.deps import ExpectedVersion, SystemDep, command_context

router = APIRouter(prefix="/v1/commands/subscriptions", tags=["subscriptions: commands"])
ClientContext = Annotated[CommandContext, Depends(command_context(Role.CLIENT))]
CancelContext = Annotated[
    CommandContext, Depends(command_context(Role.CLIENT, Role.ADMIN, Role.SUPERADMIN))
]
LOCATION = "/v1/queries/subscriptions"


class RequestSubscriptionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"tier": "basic_monthly"}]})
    tier: str = Field(min_length=1, max_length=MAX_TIER_CODE, description="A code from /v1/queries/tiers")


class CancelSubscriptionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"at_period_end": True}]})
    at_period_end: bool = Field(False, strict=True)


@router.post("", status_code=201, response_model=CommandOut, responses=CREATED,
             operation_id="requestSubscription")
def request_subscription(
    body: RequestSubscriptionRequest, ctx: ClientContext, system: SystemDep
) -> JSONResponse:
    """Request a subscription on a tier for the caller; it waits in pending_payment.

    Roles: client.
    """
    result = system.subscriptions.request(ctx, RequestSubscription(body.tier))
    return command_answer(result, LOCATION)


@router.post("/{subscription_id}/cancel", response_model=CommandOut, responses=APPLIED,
             operation_id="cancelSubscription")
def cancel_subscription(
    subscription_id: UUID, body: CancelSubscriptionRequest, ctx: CancelContext, system: SystemDep,
    version: ExpectedVersion,
) -> JSONResponse:
    """Cancel now, or at the end of the paid period; cancelling again changes nothing.

    Roles: client (their own subscriptions), admin, superadmin.
    """
    cmd = CancelSubscription(subscription_id, body.at_period_end, version)
    return command_answer(system.subscriptions.cancel(ctx, cmd))
