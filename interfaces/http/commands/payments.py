"""Command routes for payments: a client pays by UPI (or card, netbanking) through Checkout; admins refund."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from application.context import CommandContext
from application.payments import ConfirmPayment, InitiatePayment, OpenOrder, RefundPayment
from domain.values import MAX_ID
from interfaces.http.answers import APPLIED, CREATED, ID, CommandOut, command_answer
from interfaces.http.deps import ExpectedVersion, SystemDep, command_context
from interfaces.http.text import CleanText

router = APIRouter(prefix="/v1/commands/payments", tags=["payments: commands"])
ClientContext = Annotated[CommandContext, Depends(command_context())]
RefundContext = Annotated[CommandContext, Depends(command_context(check_revoked=True))]
LOCATION = "/v1/queries/payments"
GatewayId = Annotated[str, Field(min_length=1, max_length=MAX_ID, pattern=r"^[A-Za-z0-9_]+$")]
GATEWAY_DOWN = "The event store or the payment gateway is unavailable; retry after Retry-After"


class InitiatePaymentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "purpose": "subscription", "reference_id": ID, "method": "upi", "upi_app": "phonepe"}]})
    purpose: Literal["subscription", "plan"]
    reference_id: str = Field(min_length=1, max_length=MAX_ID, description="The subscription's or plan's id")
    method: Literal["upi", "card", "netbanking"]
    upi_app: Literal["phonepe", "gpay"] | None = None


class OrderOut(BaseModel):
    """What Checkout needs: the gateway order, its amount (priced by us) and the public key id."""

    gateway_order_id: str
    amount_paise: int
    currency: str
    key_id: str


class PaymentInitiatedOut(CommandOut):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": ID, "version": 2, "position": 1843, "order": {
            "gateway_order_id": "order_N5QeZ1rN3Xb1aP", "amount_paise": 49900, "currency": "INR",
            "key_id": "rzp_test_gymgenius"}}]})
    order: OrderOut


class ConfirmPaymentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "razorpay_order_id": "order_N5QeZ1rN3Xb1aP", "razorpay_payment_id": "pay_N5QfA2sO4Yc2bQ",
        "razorpay_signature": "9ef4dffbfd84f1318f6739a3ce19f9d85851857ae648f114332d8401e0949a3d"}]})
    razorpay_order_id: GatewayId
    razorpay_payment_id: GatewayId
    razorpay_signature: str = Field(min_length=1, max_length=256)


class RefundPaymentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"amount_paise": 10000, "reason": "goodwill"}, {"reason": "cancelled in the first week"}]})
    amount_paise: int | None = Field(None, ge=1, le=10**12, strict=True,
                                     description="Leave out to refund all that is left")
    reason: CleanText = Field(min_length=1, max_length=500)


@router.post("", status_code=201, response_model=PaymentInitiatedOut, operation_id="initiatePayment",
             responses={**CREATED, 404: APPLIED[404], 503: {**CREATED[503], "description": GATEWAY_DOWN}})
def initiate_payment(body: InitiatePaymentRequest, ctx: ClientContext, system: SystemDep) -> JSONResponse:
    """Start paying for the caller's subscription or a plan for sale; the amount is our price, and
    the gateway order exists before the answer (503 when the gateway is down: retry with the same
    Idempotency-Key and the same payment gets its order).
    """
    cmd = InitiatePayment(body.purpose, body.reference_id, body.method, body.upi_app)
    result = system.payments.initiate(ctx, cmd)
    plain = replace(ctx, idempotency_key=None, fingerprint="")
    return command_answer(system.payments.open_order(plain, OpenOrder(result.id), result.created), LOCATION)


@router.post("/{payment_id}/confirm", response_model=CommandOut, operation_id="confirmPayment",
             responses={**APPLIED, 400: {**APPLIED[400], "description": "A bad checkout signature"},
                        503: {**APPLIED[503], "description": GATEWAY_DOWN}})
def confirm_payment(
    payment_id: UUID, body: ConfirmPaymentRequest, ctx: ClientContext, system: SystemDep
) -> JSONResponse:
    """Checkout's success callback: the signature is checked with the order id we stored, then
    the payment is recorded as the gateway reports it (authorized or captured).
    """
    cmd = ConfirmPayment(payment_id, body.razorpay_order_id, body.razorpay_payment_id,
                         body.razorpay_signature)
    return command_answer(system.payments.confirm(ctx, cmd))


@router.post("/{payment_id}/refund", response_model=CommandOut, operation_id="refundPayment",
             responses={**APPLIED, 503: {**APPLIED[503], "description": GATEWAY_DOWN}})
def refund_payment(
    payment_id: UUID, body: RefundPaymentRequest, ctx: RefundContext, system: SystemDep,
    version: ExpectedVersion,
) -> JSONResponse:
    """Refund part or all of what is left of a captured payment through the gateway; never more
    than was captured (409). An Idempotency-Key makes a retry resume the same refund.
    """
    cmd = RefundPayment(payment_id, body.reason, body.amount_paise, version)
    return command_answer(system.payments.refund(ctx, cmd))
