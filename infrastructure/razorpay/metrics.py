"""Prometheus metrics of the payment gateway adapter."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

GATEWAY_CALLS = Histogram(
    "gymgenius_gateway_call_seconds",
    "Payment gateway operations by outcome (ok, rejected, unavailable), retries included",
    ["operation", "outcome"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20),
)
GATEWAY_RETRIES = Counter(
    "gymgenius_gateway_retries_total", "Gateway attempts retried after a timeout, 429 or 5xx", ["operation"]
)
BREAKER_STATE = Gauge(
    "gymgenius_gateway_breaker_state", "The payment gateway's circuit breaker: 0 closed, 1 half-open, 2 open"
)
BREAKER_STATES = {"closed": 0, "half-open": 1, "open": 2}
