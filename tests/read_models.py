"""Read models as plain data, and the one check that matters: do they equal a fresh rebuild?

`snapshot` reads every row of every registered read model's tables (sorted, nothing left out) and
the models' positions. `fresh_rebuild` folds the whole event log into a brand-new schema with a
second ProjectionService, so `snapshot(live) == fresh_rebuild(...)` is one assertion that covers
every read model, including the ones added after this was written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Table, select

from infrastructure.bootstrap import System
from infrastructure.event_source import EventLogSource
from infrastructure.eventstore import ensure_schema, event_store_env
from infrastructure.eventstore.log import EventLog
from infrastructure.projection_runtime import ProjectionService, init_read_models
from infrastructure.settings import Settings
from projections.model import Change
from projections.registry import read_models
from projections.schema import positions
from tests.support import drop_schema, fresh_schema, wait_until

Snapshot = dict[str, list[dict[str, Any]]]


def read_model_tables() -> dict[str, Table]:
    """Every table a registered read model writes: its main table and its child table."""
    found = [t for m in read_models() for t in (m.table, m.child_table) if t is not None]
    return {table.name: table for table in found}


def snapshot(engine: Engine) -> Snapshot:
    """Every read-model row (sorted by id, or by all columns for child tables) and position."""
    names = [model.name for model in read_models()]
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":  # one consistent view of every table
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            conn.begin()
        rows = {name: _rows(conn, table) for name, table in sorted(read_model_tables().items())}
        found = conn.execute(select(positions.c.name, positions.c.position)
                             .where(positions.c.name.in_(names)).order_by(positions.c.name))
        rows["projection_positions"] = [dict(row) for row in found.mappings()]
    return rows


def _rows(conn: Any, table: Table) -> list[dict[str, Any]]:
    rows = [dict(row) for row in conn.execute(select(table)).mappings()]
    if "id" in table.c:
        return sorted(rows, key=lambda row: str(row["id"]))
    return sorted(rows, key=lambda row: repr(sorted(row.items())))


class Recorder:
    """A pusher that only remembers what it was asked to push."""

    def __init__(self) -> None:
        self.sent: list[Change] = []

    def push(self, changes: Any) -> None:
        self.sent.extend(changes)


@contextmanager
def fresh_projections(live: Settings) -> Iterator[ProjectionService]:
    """A second ProjectionService on a new, empty schema, reading the live schema's event log."""
    small = {"db_pool_size": 2, "db_max_overflow": 2}
    log = EventLog(env=event_store_env(live.model_copy(update=small)))
    settings = live.model_copy(update={"database_schema": fresh_schema(), **small})
    ensure_schema(settings)
    init_read_models(settings)
    service = ProjectionService(settings, EventLogSource(log), Recorder())
    try:
        yield service
    finally:
        service.close()
        log.close()
        drop_schema(settings.database_schema)


class CappedSource:
    """The event log as it stood at `cap`: events after it are not there yet."""

    def __init__(self, source: EventLogSource, cap: int | None = None) -> None:
        self.source, self.cap = source, cap

    def read(self, after: int, limit: int) -> Sequence[tuple[int, Any]]:
        found = self.source.read(after, limit)
        return [item for item in found if self.cap is None or item[0] <= self.cap]

    def head(self) -> int:
        head = self.source.head()
        return head if self.cap is None else min(head, self.cap)


def fresh_rebuild(live: Settings, upto: dict[str, int] | None = None) -> Snapshot:
    """The read models as a fresh rebuild from the stored events gives them (each up to `upto`)."""
    with fresh_projections(live) as service:
        source = CappedSource(service.source)
        service.projector.source = source
        for name, model in service.models.items():
            source.cap = None if upto is None else upto.get(name, 0)
            while service.projector.catch_up(model).busy:
                pass  # only another rebuild of this very schema could hold its lock
        return snapshot(service.engine)


def positions_of(shot: Snapshot) -> dict[str, int]:
    return {row["name"]: row["position"] for row in shot["projection_positions"]}


def caught_up(system: System) -> bool:
    """Every read model has reached the head of the log."""
    head = system.projections.source.head()
    return all(s.position >= head for s in system.projections.statuses())


def tolerant(condition: Callable[[], object]) -> Callable[[], object]:
    """The condition, with a database that is briefly unavailable counting as "not yet"."""

    def check() -> object:
        try:
            return condition()
        except Exception:
            return False

    return check


def assert_matches_fresh_rebuild(system: System, timeout: float = 30.0) -> Snapshot:
    """Waits until every read model is at the head, then compares all of them to a fresh rebuild."""
    wait_until(tolerant(lambda: caught_up(system)), timeout, "read models at the head of the log")
    live = snapshot(system.projections.engine)
    rebuilt = fresh_rebuild(system.settings)
    for name in live:
        assert live[name] == rebuilt[name], f"{name} differs from a fresh rebuild"
    assert live == rebuilt
    return live

