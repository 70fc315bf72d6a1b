"""Runs the read models: catch-up, status for admins, rebuilds into fresh tables, retries."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import Connection, Engine, delete, func, select, update

from infrastructure import migrations
from infrastructure.event_source import EventLogSource
from infrastructure.metrics import LAG, projection_hooks
from infrastructure.readstore import sync_engine
from infrastructure.rebuild import rebuild
from infrastructure.settings import Settings
from projections.engine import Outcome, Projector, tracked_position
from projections.model import Pusher, ReadModel
from projections.registry import read_models
from projections.schema import dead_letters, positions

log = structlog.get_logger("gymgenius.projections")
Progress = Callable[[int, int], None]


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
                 *, batch_size: int = 500) -> None:
        self.settings = settings
        self.engine: Engine = sync_engine(settings)
        self.source = source
        self.models = {model.name: model for model in read_models()}
        self.rebuild_buffer_rows = 50_000  # rows a rebuild holds in memory before writing them
        self._pool = (ThreadPoolExecutor(len(self.models), thread_name_prefix="gymgenius-catch-up")
                      if self.engine.dialect.name == "postgresql" else None)
        self.projector = Projector(self.engine, source, pusher, batch_size=batch_size,
                                   hooks=projection_hooks())

    def model(self, name: str) -> ReadModel:
        if name not in self.models:
            raise UnknownProjection(name)
        return self.models[name]

    def catch_up_all(self) -> dict[str, Outcome]:
        """Brings every read model up to date; on PostgreSQL they catch up side by side, so a
        wake-up costs the slowest model's time, not the sum of all of theirs."""
        if self._pool is None:
            outcomes = {name: self.projector.catch_up(m) for name, m in self.models.items()}
        else:
            futures = {name: self._pool.submit(self.projector.catch_up, m)
                       for name, m in self.models.items()}
            outcomes = {name: future.result() for name, future in futures.items()}
        head = self.source.head()
        for name, outcome in outcomes.items():
            if not outcome.busy:
                LAG.labels(name).set(max(head - outcome.position, 0))
        return outcomes

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
            LAG.labels(name).set(head - position)
            found.append(ProjectionStatus(name, position, head - position,
                                          row.status if row else "live", open_letters.get(name, 0)))
        return found

    def dead_letters(self, name: str | None = None) -> list[dict[str, Any]]:
        query = select(dead_letters).order_by(dead_letters.c.id)
        if name:
            query = query.where(dead_letters.c.projection == name)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def retry_dead_letters(self, name: str) -> int:
        """Re-applies a projection's open dead letters by rebuilding it from the log."""
        self.rebuild(name)
        with self.engine.begin() as conn:
            result = conn.execute(
                update(dead_letters).where(dead_letters.c.projection == name,
                                           dead_letters.c.status == "open").values(status="retried")
            )
        return result.rowcount

    def rebuild(self, name: str, progress: Progress | None = None) -> int:
        """Builds the read model afresh from every event, then swaps it in; returns its position."""
        return rebuild(self, self.model(name), progress)

    def reset(self, conn: Connection, name: str) -> None:
        conn.execute(delete(positions).where(positions.c.name == name))
        tracked_position(conn, name)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        self.engine.dispose()


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
