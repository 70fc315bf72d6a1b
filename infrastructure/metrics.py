"""Prometheus metrics of GymGenius Core (served at /metrics)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

from projections.engine import Hooks

EVENTS_APPLIED = Counter(
    "gymgenius_projection_events_total", "Events applied by a projection", ["projection"]
)
LOCK_BUSY = Counter(
    "gymgenius_projection_lock_busy_total",
    "Catch-ups skipped because another worker holds the projection's lock", ["projection"],
)
DEAD_LETTERS = Counter(
    "gymgenius_projection_dead_letters_total", "Events a projection could not apply", ["projection"]
)
POSITION = Gauge("gymgenius_projection_position", "Last event position applied", ["projection"])
LAG = Gauge("gymgenius_projection_lag_events", "Events not yet applied", ["projection"])
STALLED = Gauge(
    "gymgenius_projection_stalled",
    "1 while a read model has events to apply and its position has not moved for a while",
    ["projection"],
)
OPEN_DEAD_LETTERS = Gauge(
    "gymgenius_projection_dead_letters_open", "Dead letters not yet retried", ["projection"]
)
REQUESTS = Histogram(
    "gymgenius_http_request_seconds", "HTTP request time by route template and status",
    ["method", "route", "status"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
RECONCILIATION_RUNS = Counter(
    "gymgenius_reconciliation_runs_total", "Reconciliation runs finished, by outcome", ["status"]
)
RECONCILIATION_DISCREPANCIES = Counter(
    "gymgenius_reconciliation_discrepancies_total", "New discrepancies found by reconciliation, by kind",
    ["kind"],
)
HOT_STAND_INS = Counter(
    "gymgenius_hot_lane_stand_ins_total",
    "Passes in which a worker caught up the hot read models itself: they had been behind without "
    "moving for GYMGENIUS_HOT_LANE_GRACE_S (no hot-lane process up, or it is stuck)",
)
NUDGES_LOST = Counter("gymgenius_nudges_failed_total", "Nudges that could not reach the broker")
REALTIME_PUSHES = Counter(
    "gymgenius_realtime_pushes_total", "Socket.IO pushes after a projection commit", ["outcome"]
)
RATE_LIMIT_UNAVAILABLE = Counter(
    "gymgenius_rate_limit_unavailable_total",
    "Requests let through unlimited because the rate-limit storage did not answer (fail open)",
)
RATE_LIMITED = Counter("gymgenius_rate_limited_total", "Requests answered 429, by limit", ["limit"])
REALTIME_CONNECTIONS = Gauge("gymgenius_realtime_connections", "Socket.IO clients connected")
WEBHOOK_DELIVERIES = Counter(
    "gymgenius_webhook_deliveries_total",
    "Razorpay webhook deliveries by event type and result (processed, duplicate, ignored, refused)",
    ["event", "result"],
)

PAYMENT_FAILURES = Counter(
    "gymgenius_payment_failures_total",
    "Payment failures recorded: a payment attempt failed (payment), failed after its capture (late), "
    "or a refund failed (refund)", ["kind"],
)
FAILURE_KINDS = {"Payment.Failed": "payment", "Payment.LateFailureRecorded": "late",
                 "Payment.RefundFailed": "refund"}
for _kind in FAILURE_KINDS.values():
    PAYMENT_FAILURES.labels(_kind)  # shown as 0 from the start, so rates and alerts see the first one


def count_payment_failures(recordings: Sequence[Any]) -> None:
    """Counts the payment failures among one commit's recordings (the process that records a
    failure counts it, once)."""
    for recording in recordings:
        kind = FAILURE_KINDS.get(type(recording.domain_event).__qualname__)
        if kind is not None:
            PAYMENT_FAILURES.labels(kind).inc()


def projection_hooks() -> Hooks:
    def applied(name: str, count: int, position: int) -> None:
        EVENTS_APPLIED.labels(name).inc(count)
        POSITION.labels(name).set(position)

    return Hooks(
        on_busy=lambda name: LOCK_BUSY.labels(name).inc(),
        on_applied=applied,
        on_dead_letter=lambda name: DEAD_LETTERS.labels(name).inc(),
    )
