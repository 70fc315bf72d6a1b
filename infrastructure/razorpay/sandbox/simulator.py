"""Sandbox-only routes (`/sandbox`): pay an order, approve or charge a mandate, faults, deliveries."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from infrastructure.razorpay.sandbox.checkout import Outcome
from infrastructure.razorpay.sandbox.entities import Entity

if TYPE_CHECKING:
    from infrastructure.razorpay.sandbox.state import Sandbox


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

    @router.post("/checkout/{order_id}")
    def checkout(order_id: str, body: CheckoutRequest) -> Entity:
        return sandbox.checkout(order_id, body.method, body.upi_app, body.outcome, **body.options())

    @router.post("/subscriptions/{sub_id}/authenticate")
    def authenticate(sub_id: str, body: MandateRequest) -> Entity:
        return sandbox.authenticate(sub_id, body.upi_app, body.outcome == "authenticated", **body.options())

    @router.post("/subscriptions/{sub_id}/charge")
    def charge(sub_id: str, body: ChargeRequest) -> Entity:
        return sandbox.charge(sub_id, body.outcome, **body.options())

    @router.get("/subscriptions/{sub_id}")
    def hosted_page(sub_id: str) -> Entity:
        """The mandate's `short_url`: the subscription as it stands."""
        return sandbox.ledger.read(lambda: sandbox.ledger.find(sandbox.mandates.subscriptions, sub_id))

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
