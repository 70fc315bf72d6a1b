"""Command routes for subscriptions: a client requests one on a tier, sets up autopay, cancels it."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from application.context import CommandContext
from application.subscriptions import CancelSubscription, ConfirmAutopay, RequestSubscription, StartAutopay
from domain.subscription import MAX_TIER_CODE
from domain.values import MAX_ID
from interfaces.http.answers import APPLIED, CREATED, ID, CommandOut, command_answer
from interfaces.http.deps import ExpectedVersion, SystemDep, command_context

router = APIRouter(prefix="/v1/commands/subscriptions", tags=["subscriptions: commands"])
ClientContext = Annotated[CommandContext, Depends(command_context())]
CancelContext = ClientContext
LOCATION = "/v1/queries/subscriptions"


GatewayId = Annotated[str, Field(min_length=1, max_length=MAX_ID, pattern=r"^[A-Za-z0-9_]+$")]
GATEWAY_DOWN = "The event store or the payment gateway is unavailable; retry after Retry-After"


class RequestSubscriptionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"tier": "basic_monthly"}, {"tier": "pro_monthly", "renewal": "autopay"}]})
    tier: str = Field(min_length=1, max_length=MAX_TIER_CODE, description="A code from /v1/queries/tiers")
    renewal: Literal["manual", "autopay"] = "manual"


class EmptyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})


class MandateOut(BaseModel):
    """What Checkout needs to ask the client for a UPI AutoPay mandate."""

    gateway_subscription_id: str
    key_id: str
    short_url: str | None


class AutopayStartedOut(CommandOut):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": ID, "version": 2, "position": 1850, "mandate": {
            "gateway_subscription_id": "sub_N5Qg3tP5Zd3cR", "key_id": "rzp_test_gymgenius",
            "short_url": "https://rzp.io/i/N5Qg3tP"}}]})
    mandate: MandateOut


class ConfirmAutopayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "razorpay_payment_id": "pay_N5QfA2sO4Yc2bQ", "razorpay_subscription_id": "sub_N5Qg3tP5Zd3cR",
        "razorpay_signature": "9ef4dffbfd84f1318f6739a3ce19f9d85851857ae648f114332d8401e0949a3d"}]})
    razorpay_payment_id: GatewayId
    razorpay_subscription_id: GatewayId
    razorpay_signature: str = Field(min_length=1, max_length=256)


class CancelSubscriptionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"at_period_end": True}]})
    at_period_end: bool = Field(False, strict=True)


@router.post("", status_code=201, response_model=CommandOut, responses=CREATED,
             operation_id="requestSubscription")
def request_subscription(
    body: RequestSubscriptionRequest, ctx: ClientContext, system: SystemDep
) -> JSONResponse:
    """Request a subscription on a tier for the caller, renewed manually or by UPI AutoPay; it
    waits in pending_payment until its first payment is captured.
    """
    result = system.subscriptions.request(ctx, RequestSubscription(body.tier, body.renewal))
    return command_answer(result, LOCATION)


@router.post("/{subscription_id}/cancel", response_model=CommandOut, responses=APPLIED,
             operation_id="cancelSubscription")
def cancel_subscription(
    subscription_id: UUID, body: CancelSubscriptionRequest, ctx: CancelContext, system: SystemDep,
    version: ExpectedVersion,
) -> JSONResponse:
    """Cancel now, or at the end of the paid period; cancelling again changes nothing."""
    cmd = CancelSubscription(subscription_id, body.at_period_end, version)
    return command_answer(system.subscriptions.cancel(ctx, cmd))


@router.post("/{subscription_id}/autopay", response_model=AutopayStartedOut, operation_id="startAutopay",
             responses={**APPLIED, 503: {**APPLIED[503], "description": GATEWAY_DOWN}})
def start_autopay(
    subscription_id: UUID, ctx: ClientContext, system: SystemDep, body: EmptyRequest | None = None
) -> JSONResponse:
    """Create the UPI AutoPay mandate (a Razorpay subscription on the tier's price and period) for
    an autopay subscription; the answer adds `mandate` for Checkout. Again before approval: the same.
    """
    return command_answer(system.subscriptions.start_autopay(ctx, StartAutopay(subscription_id)))


@router.post("/{subscription_id}/autopay/confirm", response_model=CommandOut, operation_id="confirmAutopay",
             responses={**APPLIED, 400: {**APPLIED[400], "description": "A bad mandate signature"}})
def confirm_autopay(
    subscription_id: UUID, body: ConfirmAutopayRequest, ctx: ClientContext, system: SystemDep
) -> JSONResponse:
    """Checkout's callback of the mandate: the signature is checked with the gateway subscription
    id we stored, and the mandate is authenticated.
    """
    cmd = ConfirmAutopay(subscription_id, body.razorpay_payment_id, body.razorpay_subscription_id,
                         body.razorpay_signature)
    return command_answer(system.subscriptions.confirm_autopay(ctx, cmd))
