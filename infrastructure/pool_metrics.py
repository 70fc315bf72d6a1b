"""Connection-pool metrics: how many PostgreSQL connections each pool of this process has in use,
may open at most, and how often a request for one waited in vain.

On PostgreSQL a process has one pool, `primary` (the SQLAlchemy sync engine's: the event store's
commands and loads, catch-ups, locks, statuses and queries all draw from it: infrastructure/
db_pool.py), and a second, `replica`, only where queries read a replica (QUERY_DATABASE_URL).
The collector reads them when /metrics is scraped; pools of closed systems drop out (weak
references).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from typing import Any

from prometheus_client import REGISTRY
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector


class Timeouts:
    """Requests for a connection from a SQLAlchemy pool that timed out, by pool (the psycopg
    pool counts its own)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def inc(self, pool: str) -> None:
        with self._lock:
            self.counts[pool] = self.counts.get(pool, 0) + 1


POOL_TIMEOUTS = Timeouts()


class PoolCollector(Collector):
    def __init__(self) -> None:
        self._pools: list[tuple[str, weakref.ref[Any]]] = []
        self._lock = threading.Lock()

    def watch(self, name: str, pool: Any) -> None:
        with self._lock:
            self._pools = [(n, ref) for n, ref in self._pools if ref() is not None]
            self._pools.append((name, weakref.ref(pool)))

    def collect(self) -> Iterator[Any]:
        in_use = GaugeMetricFamily("gymgenius_db_pool_in_use", "Connections checked out of the pool",
                                   labels=["pool"])
        open_ = GaugeMetricFamily("gymgenius_db_pool_open", "Connections the pool holds open",
                                  labels=["pool"])
        most = GaugeMetricFamily("gymgenius_db_pool_max",
                                 "Connections the pool may open at most (size plus overflow)",
                                 labels=["pool"])
        overflow = GaugeMetricFamily("gymgenius_db_pool_overflow",
                                     "Connections open beyond the pool's steady size", labels=["pool"])
        waiting = GaugeMetricFamily("gymgenius_db_pool_waiting",
                                    "Requests waiting for a connection (psycopg pool)", labels=["pool"])
        timeouts = CounterMetricFamily("gymgenius_db_pool_timeouts",
                                       "Requests for a connection that timed out or failed", labels=["pool"])
        totals: dict[str, dict[str, float]] = {
            name: {"timeouts": count} for name, count in POOL_TIMEOUTS.counts.items()}
        with self._lock:
            pools = [(name, ref()) for name, ref in self._pools]
        for name, pool in pools:
            if pool is None:
                continue
            found = _read(pool)
            into = totals.setdefault(name, {})
            for key, value in found.items():
                into[key] = into.get(key, 0) + value
        for name, found in sorted(totals.items()):
            in_use.add_metric([name], found.get("in_use", 0))
            open_.add_metric([name], found.get("open", 0))
            most.add_metric([name], found.get("max", 0))
            overflow.add_metric([name], found.get("overflow", 0))
            waiting.add_metric([name], found.get("waiting", 0))
            timeouts.add_metric([name], found.get("timeouts", 0))
        yield from (in_use, open_, most, overflow, waiting, timeouts)


def _read(pool: Any) -> dict[str, float]:
    if hasattr(pool, "get_stats"):  # psycopg_pool.ConnectionPool
        stats = pool.get_stats()
        size, available = stats.get("pool_size", 0), stats.get("pool_available", 0)
        return {"in_use": size - available, "open": size, "max": stats.get("pool_max", 0),
                "overflow": max(0, size - stats.get("pool_min", 0)),
                "waiting": stats.get("requests_waiting", 0), "timeouts": stats.get("requests_errors", 0)}
    if hasattr(pool, "checkedout") and hasattr(pool, "size"):  # sqlalchemy QueuePool
        max_overflow = getattr(pool, "_max_overflow", 0)
        return {"in_use": pool.checkedout(), "open": pool.checkedin() + pool.checkedout(),
                "max": pool.size() + max(0, max_overflow), "overflow": max(0, pool.overflow()),
                "waiting": 0}
    return {}


COLLECTOR = PoolCollector()
REGISTRY.register(COLLECTOR)


def watch_pools(primary: Any, reads: Any) -> None:
    """Watches a system's pools: the process's one engine, and the replica's when queries have one."""
    for name, engine in (("primary", primary), ("replica", reads)):
        pool = getattr(engine, "pool", None)
        if name == "replica" and engine is primary:
            continue
        if pool is not None and hasattr(pool, "checkedout"):
            COLLECTOR.watch(name, pool)
