"""A closed-loop load generator: N clients, each posting its own requests back to back."""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp


@dataclass(frozen=True)
class Call:
    path: str
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    seconds: float
    latencies_s: list[float]
    statuses: Counter[int]
    server_cpu_s: float = 0.0

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    def summary(self) -> dict[str, Any]:
        ms = sorted(x * 1000 for x in self.latencies_s)
        return {
            "requests": len(ms),
            "ok": self.ok,
            "seconds": round(self.seconds, 2),
            "commands_per_s": round(self.ok / self.seconds, 1),
            "p50_ms": round(_quantile(ms, 0.50), 2),
            "p90_ms": round(_quantile(ms, 0.90), 2),
            "p99_ms": round(_quantile(ms, 0.99), 2),
            "max_ms": round(ms[-1], 2) if ms else 0.0,
            "mean_ms": round(statistics.fmean(ms), 2) if ms else 0.0,
            "server_cpu_cores": round(self.server_cpu_s / self.seconds, 2),
            "server_cpu_ms_per_ok": round(1000 * self.server_cpu_s / self.ok, 3) if self.ok else 0.0,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }


def _quantile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


async def drive(
    base_url: str, lanes: list[list[Call]], warmup_s: float, duration_s: float, pid: int | None = None
) -> Outcome:
    """Warms up, then measures: each lane is one client cycling through its own calls.

    With `pid`, also the CPU time the server process spent while being measured.
    """
    connector = aiohttp.TCPConnector(limit=len(lanes), limit_per_host=len(lanes))
    async with aiohttp.ClientSession(base_url, connector=connector) as http:
        await _phase(http, lanes, warmup_s)
        cpu_before = cpu_seconds(pid)
        outcome = await _phase(http, lanes, duration_s)
        outcome.server_cpu_s = cpu_seconds(pid) - cpu_before
        return outcome


def cpu_seconds(pid: int | None) -> float:
    """User plus system CPU time of a process (Linux), or 0 when unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _phase(http: aiohttp.ClientSession, lanes: list[list[Call]], seconds: float) -> Outcome:
    stop = time.perf_counter() + seconds
    outcome = Outcome(0.0, [], Counter())

    async def client(calls: list[Call]) -> None:
        n = 0
        while time.perf_counter() < stop:
            call = calls[n % len(calls)]
            n += 1
            began = time.perf_counter()
            async with http.post(call.path, json=call.body, headers=call.headers) as answer:
                await answer.read()
            outcome.latencies_s.append(time.perf_counter() - began)
            outcome.statuses[answer.status] += 1

    began = time.perf_counter()
    await asyncio.gather(*(client(calls) for calls in lanes))
    outcome.seconds = time.perf_counter() - began
    return outcome
