"""The Checkout simulator: what a client paying by UPI in PhonePe or Google Pay makes Razorpay do."""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal

from infrastructure.razorpay.sandbox.entities import Entity
from infrastructure.razorpay.sandbox.ledger import Event, Ledger
from infrastructure.razorpay.sandbox.mandates import Mandates

Outcome = Literal["captured", "authorized", "failed", "failed_then_captured"]


def checkout_signature(first: str, second: str, key_secret: str) -> str:
    """Checkout's `razorpay_signature`: hex HMAC-SHA256 of `first|second` with the key secret."""
    return hmac.new(key_secret.encode(), f"{first}|{second}".encode(), hashlib.sha256).hexdigest()


def failure(payment: Entity) -> Entity:
    """Checkout's failure callback: an error, no signature."""
    return {"error": {"code": payment["error_code"], "description": payment["error_description"],
                      "source": payment["error_source"], "step": payment["error_step"],
                      "reason": payment["error_reason"],
                      "metadata": {"order_id": payment["order_id"], "payment_id": payment["id"]}}}


def pay_order(ledger: Ledger, key_secret: str, order_id: str, method: str, upi_app: str | None,
              outcome: Outcome) -> tuple[Entity, list[Event]]:
    """Completes a payment on an order; `failed_then_captured` is a UPI payment that timed out
    and was then approved in the app (same payment id, late authorization)."""
    payment = ledger.start_payment(order_id, method, upi_app)
    events: list[Event] = []
    if outcome in ("failed", "failed_then_captured"):
        events += ledger.fail(payment["id"])
        if outcome == "failed":
            return failure(payment), events
    events += ledger.authorize(payment["id"])
    if outcome != "authorized":
        events += ledger.capture(payment["id"], payment["amount"])[1]
    callback = {"razorpay_order_id": order_id, "razorpay_payment_id": payment["id"],
                "razorpay_signature": checkout_signature(order_id, payment["id"], key_secret)}
    return callback, events


def authenticate_mandate(mandates: Mandates, key_secret: str, sub_id: str, upi_app: str,
                         succeed: bool) -> tuple[Entity, list[Event]]:
    """The UPI AutoPay mandate approved (or refused) in the app; the callback signs
    `payment_id|subscription_id`."""
    payment, events = mandates.authenticate(sub_id, upi_app, succeed)
    if not succeed:
        return failure(payment), events
    callback = {"razorpay_payment_id": payment["id"], "razorpay_subscription_id": sub_id,
                "razorpay_signature": checkout_signature(payment["id"], sub_id, key_secret)}
    return callback, events
