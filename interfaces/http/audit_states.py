"""An aggregate rebuilt by the audit application, as the JSON of its `...StateOut` answer."""

from __future__ import annotations

from typing import Any

from application.audit import AsOf
from domain.hash_chain import plain


def _stamp(state: AsOf) -> dict[str, Any]:
    return {
        "id": str(state.aggregate.id),
        "version": state.aggregate.version,
        "as_of_position": state.position,
        "as_of_timestamp": state.timestamp.isoformat(),
    }


def payment_state(state: AsOf) -> dict[str, Any]:
    p = state.aggregate
    return plain(
        {
            **_stamp(state),
            "client_id": p.client_id,
            "purpose": p.purpose.kind,
            "reference_id": p.purpose.reference_id,
            "status": p.status,
            "amount_paise": p.amount.paise,
            "currency": p.amount.currency,
            "method": p.method,
            "upi_app": p.upi_app,
            "gateway_order_id": p.gateway_order_id,
            "gateway_payment_id": p.gateway_payment_id,
            "captured_paise": p.captured.paise if p.captured else 0,
            "refunded_paise": p.refunded.paise,
            "attempts": p.attempts,
            "failure_reason": p.failure_reason,
            "late_failures": p.late_failures,
            "flags": sorted({flag for flag, _ in p.flags}),
            "created_at": p.initiated_at,
            "disputes": [{"dispute_id": k, "status": v} for k, v in sorted(p.disputes.items())],
        }
    )


def subscription_state(state: AsOf) -> dict[str, Any]:
    s = state.aggregate
    return plain(
        {
            **_stamp(state),
            "client_id": s.client_id,
            "tier": s.tier.code,
            "status": s.status,
            "renewal": s.renewal,
            "current_period_start": s.current_period_start,
            "current_period_end": s.current_period_end,
            "cancel_at_period_end": s.cancel_at_period_end,
            "renewal_due": s.renewal_due,
            "grace_until": s.grace_until,
            "gateway_subscription_id": s.gateway_subscription_id,
            "current_payment_id": s.current_payment_id,
        }
    )
