"""What the gateway reports of a payment, applied to ours: forward-only, mismatches flagged."""

from __future__ import annotations

from datetime import datetime

from application.gateway import Entity
from domain.payment import Payment, PaymentStatus


def apply_reported(payment: Payment, reported: Entity, at: datetime) -> None:
    """The gateway's payment entity (`status`, `id`, `order_id`, `amount`, `currency`) as the
    payment's next step. An order we lost the answer of is recorded first (the receipt is ours)."""
    gateway_id = str(reported.get("id") or "")
    order_id = reported.get("order_id")
    if isinstance(order_id, str) and order_id and not payment.has_order \
            and payment.status is PaymentStatus.CREATED:
        payment.record_gateway_order(order_id, at)
    status = reported.get("status")
    if status in ("captured", "refunded"):
        payment.record_capture(gateway_id, _amount(reported), str(reported.get("currency")), at)
    elif status == "authorized":
        payment.authorize(gateway_id, at)
    elif status == "failed":
        reason = reported.get("error_description") or reported.get("error_code") or "the payment failed"
        payment.fail(str(reason)[:500], gateway_id or None, at)


def _amount(reported: Entity) -> int:
    """The amount in paise; anything but a whole number can match no price, and is flagged."""
    amount = reported.get("amount")
    return amount if isinstance(amount, int) and not isinstance(amount, bool) else -1
