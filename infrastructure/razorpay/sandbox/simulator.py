"""Sandbox-only routes (`/sandbox`): pay an order, approve or charge a mandate, faults, deliveries."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from infrastructure.razorpay.sandbox.checkout import Outcome, authenticate_mandate, pay_order
from infrastructure.razorpay.sandbox.entities import Entity

if TYPE_CHECKING:
    from infrastructure.razorpay.sandbox.app import Sandbox


class DeliveryRequest(BaseModel):
    duplicates: int | None = Field(None, ge=0, le=100)
    shuffle: bool | None = None
    seed: int | None = None

    def options(self) -> dict:
        return self.model_dump(exclude_none=True, include={"duplicates", "shuffle", "seed"})


class CheckoutRequest(DeliveryRequest):
    method: Literal["upi", "card", "netbanking"] = "upi"
    upi_app: Literal["phonepe", "gpay"] | None = "phonepe"
    outcome: Outcome = "captured"


class MandateRequest(DeliveryRequest):
    upi_app: Literal["phonepe", "gpay"] = "phonepe"
    outcome: Literal["authenticated", "failed"] = "authenticated"


class ChargeRequest(DeliveryRequest):
    outcome: Literal["charged", "pending", "halted"] = "charged"


class FaultRequest(BaseModel):
    count: int = Field(1, ge=1)
    status: Literal[429, 500, 502, 503] | None = None
    hang_s: float = Field(0.0, ge=0, le=60)
    lose_answer: bool = False


def simulator_router(sandbox: Sandbox) -> APIRouter:
    """What a client's UPI app and Razorpay's scheduler do, on demand."""
    router = APIRouter(prefix="/sandbox")
    ledger, mandates, secret = sandbox.ledger, sandbox.mandates, sandbox.key_secret

    @router.post("/checkout/{order_id}")
    def checkout(order_id: str, body: CheckoutRequest) -> Entity:
        callback, events = ledger.read(lambda: pay_order(ledger, secret, order_id, body.method,
                                                         body.upi_app, body.outcome))
        sandbox.send(events, **body.options())
        return callback

    @router.post("/subscriptions/{sub_id}/authenticate")
    def authenticate(sub_id: str, body: MandateRequest) -> Entity:
        succeed = body.outcome == "authenticated"
        callback, events = ledger.read(lambda: authenticate_mandate(mandates, secret, sub_id,
                                                                    body.upi_app, succeed))
        sandbox.send(events, **body.options())
        return callback

    @router.post("/subscriptions/{sub_id}/charge")
    def charge(sub_id: str, body: ChargeRequest) -> Entity:
        payment, events = ledger.read(lambda: mandates.charge(sub_id, body.outcome))
        sandbox.send(events, **body.options())
        return {"payment": payment, "subscription": ledger.read(lambda: mandates.subscriptions[sub_id])}

    @router.get("/subscriptions/{sub_id}")
    def hosted_page(sub_id: str) -> Entity:
        return ledger.read(lambda: ledger.find(mandates.subscriptions, sub_id))

    @router.post("/faults", status_code=204)
    def add_fault(body: FaultRequest) -> None:
        if body.status is not None and body.lose_answer:
            sandbox.faults.lose_answer_next(body.count, body.status)
        elif body.status is not None:
            sandbox.faults.fail_next(body.count, body.status)
        else:
            sandbox.faults.hang_next(body.count, body.hang_s)

    @router.delete("/faults", status_code=204)
    def clear_faults() -> None:
        sandbox.faults.clear()

    @router.get("/deliveries")
    def deliveries() -> Entity:
        return {"idle": sandbox.webhooks.idle(), "items": [asdict(d) for d in sandbox.webhooks.deliveries]}

    return router
