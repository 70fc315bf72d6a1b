"""Latency figures in milliseconds: count, median, tail."""

from __future__ import annotations

import statistics
from typing import Any


def quantile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def summary(values_ms: list[float]) -> dict[str, Any]:
    ms = sorted(values_ms)
    return {
        "count": len(ms),
        "p50": round(quantile(ms, 0.50), 2),
        "p90": round(quantile(ms, 0.90), 2),
        "p99": round(quantile(ms, 0.99), 2),
        "max": round(ms[-1], 2) if ms else 0.0,
        "mean": round(statistics.fmean(ms), 2) if ms else 0.0,
    }
