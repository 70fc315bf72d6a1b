"""Latency figures of the money bench: webhook answers, and capture acknowledged -> `active`.

Every time is time.monotonic() in the bench process: when an answer came back, and when a
poller on its own connection first saw a subscription row `active` in the read model.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import psycopg
from sqlalchemy import select

from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from ops.bench.latencies import summary
from ops.bench.paying_clients import Paid
from ops.bench.webhook_traffic import Answer
from projections.schema import positions

CAPTURING = ("payment.captured", "order.paid")  # either one captures, whichever is processed first


class ActivePoller(threading.Thread):
    """Notes when each subscription row first reads `active` (every `interval` s)."""

    def __init__(self, url: str, schema: str, interval: float = 0.002) -> None:
        super().__init__(name="active-poller", daemon=True)
        self.url, self.interval = url, interval
        self.query = (f'SELECT id, position FROM "{schema}".subscriptions '
                      "WHERE status = 'active' AND position > %s")
        self.seen: dict[str, float] = {}
        self.stopping = threading.Event()

    def __enter__(self) -> ActivePoller:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.join(timeout=10)

    def run(self) -> None:
        last = 0
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stopping.wait(self.interval):
                rows = conn.execute(self.query, (last,), prepare=True).fetchall()
                now = time.monotonic()
                for sub_id, position in rows:
                    self.seen.setdefault(str(sub_id), now)
                    last = max(last, int(position))

    def wait_for(self, ids: set[str], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not ids <= self.seen.keys() and time.monotonic() < deadline:
            time.sleep(0.05)


def settle(settings: Settings, timeout: float = 120.0) -> float:
    """Waits until every read model and policy has reached the last event (policies add events),
    so that what is measured next is not the worker's backlog; answers the seconds waited."""
    system, began = bootstrap(settings), time.monotonic()
    names = [*system.projections.models, *(f"policy:{p}" for p in system.policies.positions())]
    try:
        while time.monotonic() < began + timeout:
            head = system.projections.source.head()
            with system.projections.engine.connect() as conn:
                reached = {row.name: row.position for row in conn.execute(select(positions))}
            if all(reached.get(name, 0) >= head for name in names):
                break
            time.sleep(0.1)
    finally:
        system.close()
    return round(time.monotonic() - began, 2)


def steady_figures(answers: list[Answer], rate: float, warmup_s: float) -> dict[str, Any]:
    """Latency of the answers that began after the warm-up, and what they said."""
    began = min((a.began for a in answers), default=0.0)
    measured = [a for a in answers if a.began >= began + warmup_s]
    ok = [a for a in measured if a.ok]
    span = (max(a.ended for a in measured) - min(a.began for a in measured)) if measured else 1.0
    figures: dict[str, Any] = {
        "latency_ms": summary([a.ms for a in ok]),
        "answers": dict(Counter(f"{a.code} {a.status}" for a in measured)),
    }
    if rate:
        figures |= {"offered_rate": rate, "achieved_rate": round(len(ok) / span, 1)}
    return figures


def capture_to_active(poller: ActivePoller, paid: list[Paid], answers: list[Answer],
                      order_of: dict[str, str], warmup_s: float) -> dict[str, Any]:
    """From the first capturing delivery acknowledged `processed` to the row seen `active`."""
    acked: dict[str, float] = {}
    for a in answers:
        if a.status == "processed" and a.event in CAPTURING:
            order = order_of[a.event_id]
            acked[order] = min(acked.get(order, a.ended), a.ended)
    poller.wait_for({p.reference_id for p in paid})
    since = min((a.began for a in answers), default=0.0) + warmup_s
    lags = [1000 * max(0.0, poller.seen[p.reference_id] - acked[p.order_id]) for p in paid
            if p.order_id in acked and acked[p.order_id] >= since and p.reference_id in poller.seen]
    missing = sum(1 for p in paid if p.reference_id not in poller.seen)
    return {**summary(lags), "missing": missing}
