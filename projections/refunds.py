"""How a payment's row follows its refunds: asked for, processed by the gateway, or failed.

`refund_requested_paise` is what has been asked for and not yet settled either way; a refund the
gateway made that we never asked for is listed too (the gateway is the truth of money moved).
"""

from __future__ import annotations

from typing import Any

from domain.payment import Payment
from projections.model import Row
from projections.values import iso, utc


def requested(row: Row, event: Payment.RefundRequested) -> Row:
    entry = {"refund_id": event.refund_id, "gateway_refund_id": None,
             "amount_paise": event.amount.paise, "status": "requested", "at": iso(utc(event.at))}
    return {"refunds": [*row["refunds"], entry],
            "refund_requested_paise": row["refund_requested_paise"] + event.amount.paise}


def refunded(row: Row, event: Payment.Refunded) -> Row:
    total = row["refunded_paise"] + event.amount.paise
    whole = total == row["captured_paise"]
    refunds, pending = _settle(row, event.refund_id, "processed", event.gateway_refund_id, event.at)
    if pending is None:
        refunds.append({"refund_id": None, "gateway_refund_id": event.gateway_refund_id,
                        "amount_paise": event.amount.paise, "status": "processed", "at": iso(utc(event.at))})
    return {"refunded_paise": total, "status": "refunded" if whole else "partially_refunded",
            "refunded_at": utc(event.at), "refunds": refunds,
            "refund_requested_paise": row["refund_requested_paise"] - (pending or 0)}


def failed(row: Row, event: Payment.RefundFailed) -> Row:
    refunds, pending = _settle(row, event.refund_id, "failed", event.gateway_refund_id, event.at)
    return {"refunds": refunds, "refund_requested_paise": row["refund_requested_paise"] - (pending or 0)}


def _settle(row: Row, refund_id: str | None, status: str, gateway_refund_id: str | None,
            at: Any) -> tuple[list[dict[str, Any]], int | None]:
    """The refunds with the requested one of `refund_id` settled, and the amount it had asked."""
    refunds = [dict(r) for r in row["refunds"]]
    for refund in refunds:
        if refund_id is not None and refund["refund_id"] == refund_id and refund["status"] == "requested":
            refund.update(status=status, gateway_refund_id=gateway_refund_id, at=iso(utc(at)))
            return refunds, int(refund["amount_paise"])
    return refunds, None
