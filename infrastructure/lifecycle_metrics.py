"""Prometheus metrics of the policies and the scheduler (served at /metrics, and by workers)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

POLICY_COMMANDS = Counter(
    "gymgenius_policy_commands_total",
    "Commands issued by a policy or the scheduler, by result (done, refused)", ["policy", "result"],
)
POLICY_BUSY = Counter(
    "gymgenius_policy_lock_busy_total", "Policy runs skipped because another worker holds it", ["policy"]
)
TICKS = Counter("gymgenius_scheduler_ticks_total", "Scheduler ticks run, by result", ["result"])
PAYMENTS = Gauge(
    "gymgenius_payments", "Payments in the read model by outcome (status) and method",
    ["outcome", "method"],
)
