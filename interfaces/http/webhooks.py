"""Razorpay's webhook: no token; the signature over the raw body is the authentication."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from application.context import CommandContext
from application.gateway_events import PAYMENT_EVENTS, SUBSCRIPTION_EVENTS, HandleGatewayEvent
from domain.values import Actor, Role
from infrastructure.metrics import WEBHOOK_DELIVERIES
from interfaces.http.answers import APPLIED
from interfaces.http.deps import SystemDep

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
RAZORPAY = Actor("razorpay", Role.SYSTEM)
EVENT_EXAMPLE: dict[str, Any] = {
    "entity": "event", "account_id": "acc_BFQ7uQEaa7j2z7", "event": "payment.captured",
    "contains": ["payment"], "created_at": 1700000000, "payload": {"payment": {"entity": {
        "id": "pay_N5QfA2sO4Yc2bQ", "entity": "payment", "amount": 49900, "currency": "INR",
        "status": "captured", "order_id": "order_N5QeZ1rN3Xb1aP", "method": "upi",
        "notes": {"payment_id": "4f1c2a9e-7d3b-4c1a-9e2f-0b6d8a5c3e71"}}}},
}
BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"type": "object", "description": "A Razorpay event, exactly as Razorpay signed it"},
    "example": EVENT_EXAMPLE}}}}


class WebhookOut(BaseModel):
    """`duplicate`: this event id was processed before, and nothing changed now."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "processed"}]})
    status: Literal["processed", "duplicate", "ignored"]


SAY = {
    400: "A missing or bad signature, or a body that is not a Razorpay event",
    409: "The payment kept changing under this delivery; Razorpay delivers it again",
    422: "Text that cannot be stored (NUL, lone surrogates)",
    503: "The event store or the gateway is unavailable; retry after Retry-After",
}
ANSWERS: dict[int | str, dict[str, Any]] = {s: {**APPLIED[s], "description": d} for s, d in SAY.items()}


@router.post("/razorpay", response_model=WebhookOut, operation_id="receiveRazorpayWebhook",
             responses=ANSWERS, openapi_extra=BODY)
async def receive_razorpay_webhook(
    request: Request, system: SystemDep,
    x_razorpay_signature: Annotated[str | None, Header()] = None,
    x_razorpay_event_id: Annotated[str | None, Header()] = None,
) -> WebhookOut:
    """A Razorpay event, verified over its raw bytes with the current or previous webhook secret;
    each event id is processed once (a repeat answers `duplicate`), in any order.
    """
    raw = await request.body()
    ctx = CommandContext(RAZORPAY, system.clock(), getattr(request.state, "trace_id", ""))
    cmd = HandleGatewayEvent(x_razorpay_event_id, raw, x_razorpay_signature)
    result = "refused"  # anything raised becomes a problem answer; Razorpay delivers it again
    try:
        answer = await run_in_threadpool(system.gateway_events.handle, ctx, cmd)
        result = answer
    finally:
        WEBHOOK_DELIVERIES.labels(_event_type(raw), result).inc()
    return WebhookOut(status=answer)


def _event_type(raw: bytes) -> str:
    """The delivery's event type as a metric label: one Razorpay names, else `other`."""
    try:
        kind = json.loads(raw).get("event")
    except (ValueError, AttributeError):
        return "unreadable"
    return kind if kind in PAYMENT_EVENTS | SUBSCRIPTION_EVENTS else "other"
