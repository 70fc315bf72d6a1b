"""Razorpay's entities as its REST API and webhooks show them (amounts in paise, times in unix seconds)."""

from __future__ import annotations

import secrets
import string
from typing import Any

Entity = dict[str, Any]
ALPHABET = string.ascii_letters + string.digits


class RazorpayError(Exception):
    """An error answered in Razorpay's shape: `{"error": {"code", "description", ...}}`."""

    def __init__(self, description: str, status: int = 400, field: str | None = None,
                 code: str = "BAD_REQUEST_ERROR") -> None:
        super().__init__(description)
        self.status, self.code, self.description, self.field = status, code, description, field

    def body(self) -> Entity:
        error = {"code": self.code, "description": self.description, "source": "business",
                 "step": "payment_initiation", "reason": "input_validation_failed", "metadata": {}}
        if self.field:
            error["field"] = self.field
        return {"error": error}


def new_id(prefix: str) -> str:
    """Razorpay ids: a prefix and 14 letters or digits (`order_Ku0mPRpqW4AjQ1`)."""
    return f"{prefix}_" + "".join(secrets.choice(ALPHABET) for _ in range(14))


def order(amount: int, currency: str, receipt: str | None, notes: Entity, now: int) -> Entity:
    return {"id": new_id("order"), "entity": "order", "amount": amount, "amount_paid": 0,
            "amount_due": amount, "currency": currency, "receipt": receipt, "offer_id": None,
            "status": "created", "attempts": 0, "notes": notes, "created_at": now}


def payment(order_id: str | None, amount: int, currency: str, method: str, upi_app: str | None,
            now: int, notes: Entity | None = None) -> Entity:
    vpa = f"gymgenius.client@{'ybl' if upi_app == 'phonepe' else 'okaxis'}" if method == "upi" else None
    return {"id": new_id("pay"), "entity": "payment", "amount": amount, "currency": currency,
            "status": "created", "order_id": order_id, "invoice_id": None, "international": False,
            "method": method, "amount_refunded": 0, "refund_status": None, "captured": False,
            "description": None, "card_id": None, "bank": None, "wallet": None, "vpa": vpa,
            "email": "client@gymgenius.example", "contact": "+919000000000", "notes": notes or {},
            "fee": None, "tax": None, "error_code": None, "error_description": None,
            "error_source": None, "error_step": None, "error_reason": None,
            "acquirer_data": {"rrn": "".join(secrets.choice(string.digits) for _ in range(12))},
            "upi": {"payer_account_type": "bank_account", "vpa": vpa, "flow": "intent"} if vpa else None,
            "created_at": now}


FAILURE = {"error_code": "BAD_REQUEST_ERROR", "error_source": "customer",
           "error_step": "payment_authentication", "error_reason": "payment_timed_out",
           "error_description": "Payment was unsuccessful as you could not complete it in time."}


def refund(payment_id: str, amount: int, currency: str, notes: Entity, receipt: str | None,
           now: int) -> Entity:
    return {"id": new_id("rfnd"), "entity": "refund", "amount": amount, "receipt": receipt,
            "currency": currency, "payment_id": payment_id, "notes": notes,
            "acquirer_data": {"arn": None}, "created_at": now, "batch_id": None,
            "status": "processed", "speed_processed": "normal", "speed_requested": "normal"}


def plan(period: str, interval: int, item: Entity, notes: Entity, now: int) -> Entity:
    item = {"id": new_id("item"), "active": True, "name": item["name"],
            "description": item.get("description"), "amount": item["amount"],
            "unit_amount": item["amount"], "currency": item["currency"], "type": "plan",
            "unit": None, "tax_inclusive": False, "created_at": now, "updated_at": now}
    return {"id": new_id("plan"), "entity": "plan", "interval": interval, "period": period,
            "item": item, "notes": notes, "created_at": now}


def subscription(plan_id: str, total_count: int, notes: Entity, start_at: int | None,
                 short_url: str, now: int) -> Entity:
    return {"id": new_id("sub"), "entity": "subscription", "plan_id": plan_id, "customer_id": None,
            "status": "created", "current_start": None, "current_end": None, "ended_at": None,
            "quantity": 1, "notes": notes, "charge_at": start_at, "start_at": start_at,
            "end_at": None, "auth_attempts": 0, "total_count": total_count, "paid_count": 0,
            "customer_notify": True, "created_at": now, "expire_by": None, "short_url": short_url,
            "has_scheduled_changes": False, "change_scheduled_at": None, "source": "api",
            "payment_method": "upi", "offer_id": None, "remaining_count": total_count}


def collection(items: list[Entity]) -> Entity:
    return {"entity": "collection", "count": len(items), "items": items}
