"""Runs the read models: catch-up, status and stalls for admins and probes, dead letters.

Rebuilding belongs to the `Rebuilder` (infrastructure/rebuild.py), which is handed the projector.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import Engine, func, select, update

from infrastructure import migrations
from infrastructure.event_source import EventLogSource
from infrastructure.locks import RebuildLocks, advisory_lock, advisory_lock_of_row, wait_briefly
from infrastructure.metrics import LAG, OPEN_DEAD_LETTERS, STALLED, projection_hooks
from infrastructure.readstore import sync_engine
from infrastructure.rebuild import Progress, Rebuilder
from infrastructure.settings import Settings
from projections.engine import Outcome, Projector
from projections.model import Pusher, ReadModel
from projections.registry import read_models
from projections.schema import dead_letters, positions
from projections.tracking import tracked_position

log = structlog.get_logger("gymgenius.projections")


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    position: int
    lag_events: int
    status: str
    dead_letters: int


class UnknownProjection(LookupError):
    """No read model has that name."""


class ProjectionService:
    def __init__(self, settings: Settings, source: EventLogSource, pusher: Pusher,
                 *, batch_size: int = 500, engine: Engine | None = None) -> None:
        self.settings = settings
        self.engine: Engine = engine or sync_engine(settings)
        self.source = source
        self.models = {model.name: model for model in read_models()}
        postgres = self.engine.dialect.name == "postgresql"
        self._pool = ThreadPoolExecutor(catch_up_threads(settings, len(self.models),
                                                         hot=any(m.hot for m in self.models.values())),
                                        thread_name_prefix="gymgenius-catch-up") if postgres else None
        locks: dict[str, Any] = {"lock": advisory_lock, "wait": wait_briefly,
                                 "row_lock": advisory_lock_of_row()} if postgres else {}
        self.projector = Projector(self.engine, source, pusher, batch_size=batch_size,
                                   hooks=projection_hooks(), **locks)
        self.rebuilder = Rebuilder(self.projector, RebuildLocks(self.engine), settings.database_schema)
        self.stall_after_s = 30.0  # lag that has not moved for this long is a stalled read model
        self._moved: dict[str, tuple[int, float]] = {}  # name -> (position, when it last moved)
        self._stalled: set[str] = set()

    def model(self, name: str) -> ReadModel:
        if name not in self.models:
            raise UnknownProjection(name)
        return self.models[name]

    def catch_up_all(self, *, cold_only: bool = False) -> dict[str, Outcome]:
        """Brings every read model up to date (`cold_only`: all but the hot ones, which a hot lane
        of their own catches up); on PostgreSQL they catch up side by side, so a wake-up costs
        the slowest model's time, not the sum of all of theirs."""
        models = {name: m for name, m in list(self.models.items()) if not (cold_only and m.hot)}
        outcomes = self.projector.settle_unconcerned(list(models.values()))  # the rest need batches
        models = {name: m for name, m in models.items() if name not in outcomes}
        if self._pool is None:
            outcomes |= {name: self.projector.catch_up(m) for name, m in models.items()}
        else:
            futures = {name: self._pool.submit(self.projector.catch_up, m) for name, m in models.items()}
            outcomes |= {name: future.result() for name, future in futures.items()}
        self._observe_all(outcomes)
        return outcomes

    def catch_up_hot(self) -> dict[str, Outcome]:
        """Brings the hot read models up to date, in the calling thread (the hot lane's)."""
        outcomes = {name: self.projector.catch_up(m) for name, m in list(self.models.items()) if m.hot}
        self._observe_all(outcomes)
        return outcomes

    def observe_hot(self) -> dict[str, float]:
        """Where the hot read models stand, read from the store, for a process that leaves them to
        a hot lane: noted as a catch-up's outcome is (lag, stall), and for each one behind the
        head, how many seconds its position has not moved."""
        hot = [name for name, model in self.models.items() if model.hot]
        if not hot:
            return {}
        with self.engine.connect() as conn:
            found = dict(conn.execute(select(positions.c.name, positions.c.position)
                                      .where(positions.c.name.in_(hot))).all())
        head, now = self.source.head(), time.monotonic()
        still: dict[str, float] = {}
        for name in hot:
            position = found.get(name, 0)
            self._observe(name, position, max(head - position, 0))
            if position < head:
                still[name] = now - self._moved[name][1]
        return still

    def _observe_all(self, outcomes: dict[str, Outcome]) -> None:
        """Notes each model's lag; the head is read only if a model may have been left behind it."""
        seen = {name: o for name, o in outcomes.items() if not o.busy}
        head = self.source.head() if any(not o.at_head for o in seen.values()) else 0
        for name, outcome in seen.items():
            lag = 0 if outcome.at_head else max(head - outcome.position, 0)
            self._observe(name, outcome.position, lag)

    def statuses(self) -> list[ProjectionStatus]:
        head = self.source.head()
        with self.engine.connect() as conn:
            rows = {r.name: r for r in conn.execute(select(positions))}
            open_letters: dict[str, int] = dict(conn.execute(
                select(dead_letters.c.projection, func.count())
                .where(dead_letters.c.status == "open").group_by(dead_letters.c.projection)
            ).all())
        found = []
        for name in self.models:
            row = rows.get(name)
            position = row.position if row else 0
            self._observe(name, position, max(head - position, 0))
            OPEN_DEAD_LETTERS.labels(name).set(open_letters.get(name, 0))
            found.append(ProjectionStatus(name, position, head - position,
                                          row.status if row else "live", open_letters.get(name, 0)))
        return found

    def _observe(self, name: str, position: int, lag: int) -> None:
        """Notes where a read model stands; one whose lag has not moved for `stall_after_s` stalls."""
        now = time.monotonic()
        seen = self._moved.get(name)
        if seen is None or seen[0] != position or lag == 0:
            self._moved[name] = seen = (position, now)
        stalled = lag > 0 and now - seen[1] >= self.stall_after_s
        (self._stalled.add if stalled else self._stalled.discard)(name)
        LAG.labels(name).set(lag)
        STALLED.labels(name).set(int(stalled))

    def stalled(self) -> list[str]:
        """Read models with events to apply whose position has not moved for `stall_after_s`,
        as the last catch-up or status seen in this process found them."""
        return [name for name in self.models if name in self._stalled]

    def dead_letters(self, name: str | None = None) -> list[dict[str, Any]]:
        query = select(dead_letters).order_by(dead_letters.c.id)
        if name:
            query = query.where(dead_letters.c.projection == name)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def retry_dead_letters(self, name: str) -> int:
        """Re-applies a projection's open dead letters by rebuilding it from the log; refused
        (RebuildRunning) while another rebuild of it runs."""
        with self.rebuilder.claim(name):
            self.rebuilder.run(self.model(name))
            with self.engine.begin() as conn:
                result = conn.execute(
                    update(dead_letters).where(dead_letters.c.projection == name,
                                               dead_letters.c.status == "open").values(status="retried")
                )
        return result.rowcount

    def rebuild(self, name: str, progress: Progress | None = None) -> int:
        """Builds the read model afresh from every event, then swaps it in; returns its position."""
        return self.rebuilder.rebuild(self.model(name), progress)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        self.engine.dispose()


def catch_up_threads(settings: Settings, models: int, *, hot: bool = False) -> int:
    """Read models catching up side by side: each holds two of the process's pooled connections
    (its transaction, and the event store's read), so at most half the pool, less one, is theirs,
    the hot lane's two included (`hot`); the rest stays free for commands, queries and the
    policies' locks."""
    most = settings.db_pool_size + settings.db_max_overflow
    return max(1, min(models, most // 2 - 1 - (1 if hot else 0)))


def init_read_models(settings: Settings) -> None:
    """The init step's half for read models: Alembic brings their schema to the newest revision."""
    engine = sync_engine(settings)
    try:
        migrations.upgrade(engine)
        with engine.begin() as conn:
            for model in read_models():
                tracked_position(conn, model.name)
    finally:
        engine.dispose()
