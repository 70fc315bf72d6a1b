"""Razorpay's REST API (`/v1`) as the `razorpay` client calls it: basic auth, JSON, Razorpay errors."""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Request

from infrastructure.razorpay.sandbox.entities import Entity, RazorpayError, collection
from infrastructure.razorpay.sandbox.queries import matching, page

if TYPE_CHECKING:
    from infrastructure.razorpay.sandbox.state import Sandbox

JsonBody = Annotated[dict[str, Any], Body(default_factory=dict)]


def rest_router(sandbox: Sandbox) -> APIRouter:
    """Orders, payments, refunds, plans and subscriptions, each call authenticated by key id and secret."""

    def authenticated(authorization: Annotated[str | None, Header()] = None) -> None:
        scheme, _, encoded = (authorization or "").partition(" ")
        try:
            key_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            key_id, secret = "", ""
        valid = secrets.compare_digest(f"{key_id}:{secret}".encode(),
                                       f"{sandbox.key_id}:{sandbox.key_secret}".encode())
        if scheme.lower() != "basic" or not valid:
            raise RazorpayError("Authentication failed", status=401)

    router = APIRouter(prefix="/v1", dependencies=[Depends(authenticated)])
    ledger, mandates = sandbox.ledger, sandbox.mandates
    read = ledger.read

    @router.post("/orders")
    def create_order(body: JsonBody) -> Entity:
        return read(lambda: ledger.create_order(body))

    @router.get("/orders")
    def list_orders(request: Request) -> Entity:
        receipt = request.query_params.get("receipt")
        return read(lambda: collection(page(matching(ledger.orders.values(), receipt=receipt),
                                            request.query_params)))

    @router.get("/orders/{order_id}")
    def fetch_order(order_id: str) -> Entity:
        return read(lambda: ledger.find(ledger.orders, order_id))

    @router.get("/orders/{order_id}/payments")
    def order_payments(order_id: str) -> Entity:
        ledger.read(lambda: ledger.find(ledger.orders, order_id))
        return read(lambda: collection(page(matching(ledger.payments.values(), order_id=order_id),
                                            {"count": "100"})))

    @router.get("/payments")
    def list_payments(request: Request) -> Entity:
        return read(lambda: collection(page(ledger.payments.values(), request.query_params)))

    @router.get("/payments/{payment_id}")
    def fetch_payment(payment_id: str) -> Entity:
        return read(lambda: ledger.find(ledger.payments, payment_id))

    @router.post("/payments/{payment_id}/capture")
    def capture(payment_id: str, body: JsonBody) -> Entity:
        amount, currency = body.get("amount", -1), body.get("currency")
        payment, events = read(lambda: ledger.capture(payment_id, amount, currency))
        sandbox.send(events)
        return payment

    @router.post("/payments/{payment_id}/refund")
    def refund(payment_id: str, body: JsonBody,
               x_refund_idempotency: Annotated[str | None, Header()] = None) -> Entity:
        created, events = read(lambda: ledger.refund(payment_id, body, x_refund_idempotency))
        sandbox.send(events)
        return created

    @router.get("/payments/{payment_id}/refunds")
    def payment_refunds(payment_id: str, request: Request) -> Entity:
        ledger.read(lambda: ledger.find(ledger.payments, payment_id))
        return read(lambda: collection(page(matching(ledger.refunds.values(), payment_id=payment_id),
                                            request.query_params)))

    @router.get("/refunds")
    def list_refunds(request: Request) -> Entity:
        return read(lambda: collection(page(ledger.refunds.values(), request.query_params)))

    @router.get("/refunds/{refund_id}")
    def fetch_refund(refund_id: str) -> Entity:
        return read(lambda: ledger.find(ledger.refunds, refund_id))

    @router.post("/plans")
    def create_plan(body: JsonBody) -> Entity:
        return read(lambda: mandates.create_plan(body))

    @router.get("/plans")
    def list_plans(request: Request) -> Entity:
        return read(lambda: collection(page(mandates.plans.values(), request.query_params)))

    @router.get("/plans/{plan_id}")
    def fetch_plan(plan_id: str) -> Entity:
        return read(lambda: ledger.find(mandates.plans, plan_id))

    @router.post("/subscriptions")
    def create_subscription(body: JsonBody, request: Request) -> Entity:
        base = str(request.url).rsplit("/v1/subscriptions", 1)[0]  # the sandbox's URL, mounted or not
        return read(lambda: mandates.create_subscription(body, base))

    @router.get("/subscriptions/{sub_id}")
    def fetch_subscription(sub_id: str) -> Entity:
        return read(lambda: ledger.find(mandates.subscriptions, sub_id))

    @router.post("/subscriptions/{sub_id}/cancel")
    def cancel_subscription(sub_id: str, body: JsonBody) -> Entity:
        sub, events = read(lambda: mandates.cancel(sub_id, bool(body.get("cancel_at_cycle_end"))))
        sandbox.send(events)
        return sub

    return router
