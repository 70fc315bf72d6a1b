"""Catch-up: one owner at a time reads events after its position, folds them, and commits the
rows and the new position in one transaction; pushes go out only after the commit."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import Connection, Engine, delete, insert, select, text, update
from sqlalchemy.exc import OperationalError

from projections.model import Change, EventSource, Pusher, ReadModel, Row
from projections.schema import dead_letters, positions

log = structlog.get_logger("gymgenius.projections")


class PoisonEvent(Exception):
    """An event a read model cannot apply, met during a rebuild (which must not skip it)."""


@dataclass
class Outcome:
    applied: int = 0
    busy: bool = False
    position: int = 0


@dataclass
class Hooks:
    """Observability hooks (metrics) the engine calls; infrastructure fills them in."""

    on_busy: Callable[[str], None] = lambda name: None
    on_applied: Callable[[str, int, int], None] = lambda name, count, position: None
    on_dead_letter: Callable[[str], None] = lambda name: None


class Projector:
    def __init__(
        self, engine: Engine, source: EventSource, pusher: Pusher, *,
        batch_size: int = 500, rebuild_batch_size: int = 5000, hooks: Hooks | None = None,
        lock: Callable[[Connection, str], bool] | None = None,
    ) -> None:
        self.engine, self.source, self.pusher = engine, source, pusher
        self.batch_size, self.rebuild_batch_size = batch_size, rebuild_batch_size
        self.hooks = hooks or Hooks()
        postgres = engine.dialect.name == "postgresql"
        self._lock = lock or (advisory_lock if postgres else _no_lock)
        self._wait = wait_briefly if postgres else _no_wait
        self._local: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
        self._again: set[str] = set()

    def batch_for(self, live: bool) -> int:
        """Live batches stay small for freshness; rebuilds fold bigger ones, writing rows less."""
        return self.batch_size if live else self.rebuild_batch_size

    def catch_up(self, model: ReadModel) -> Outcome:
        """Brings a read model up to the head of the log, batch by batch. A wake-up that came
        while this thread held the projection runs here once more, so none is lost."""
        total = Outcome()
        while True:
            step = self.step(model)
            total.applied += step.applied
            total.busy, total.position = step.busy, step.position
            if step.busy:
                return total
            if step.applied < self.batch_size and not self._woken(model.name):
                return total

    def _woken(self, name: str) -> bool:
        if name in self._again:
            self._again.discard(name)
            return True
        return False

    def step(self, model: ReadModel, *, tracking: str | None = None, live: bool = True,
             engine: Engine | None = None) -> Outcome:
        name = tracking or model.name
        local = self._local[name]
        if not local.acquire(blocking=False):
            self._again.add(name)
            return self._busy(name)
        try:
            return self._step(model, name, live, engine or self.engine)
        finally:
            local.release()

    def _busy(self, name: str) -> Outcome:
        self.hooks.on_busy(name)
        log.info("projection_lock_busy", projection=name)
        return Outcome(busy=True)

    def _step(self, model: ReadModel, name: str, live: bool, engine: Engine) -> Outcome:
        with engine.begin() as conn:
            if not self._lock(conn, name):
                busy = self._busy(name)  # counted and logged even when the wait below succeeds
                if not self._wait(conn, name):
                    return busy
            outcome, rows = self.apply_batch(conn, model, name, live)
        if outcome.applied:
            self.hooks.on_applied(name, outcome.applied, outcome.position)
        if live and rows:
            self.pusher.push([_change(model, row) for row in rows.values() if row is not None])
        return outcome

    def apply_batch(self, conn: Connection, model: ReadModel, name: str, live: bool,
                    buffer: RebuildBuffer | None = None) -> tuple[Outcome, dict[str, Row | None]]:
        """Applies the next batch within the caller's transaction (which holds the lock).
        With a rebuild's buffer, rows are kept in memory and written when it is flushed."""
        after = tracked_position(conn, name)
        events = self.source.read(after, self.batch_for(live))
        if not events:
            return Outcome(position=after), {}
        rows = self._fold(conn, model, events, name, live, buffer)
        last = events[-1][0]
        conn.execute(update(positions).where(positions.c.name == name).values(position=last))
        return Outcome(applied=len(events), position=last), rows

    def _fold(self, conn: Connection, model: ReadModel, events: Sequence[tuple[int, Any]],
              name: str, live: bool, buffer: RebuildBuffer | None) -> dict[str, Row | None]:
        mine = [(p, e) for p, e in events if isinstance(e, model.event_types) or _undecodable(model, e)]
        keys = {model.key(e) for _, e in mine if isinstance(e, model.event_types)}
        rows: dict[str, Row | None] = buffer.rows if buffer else {}
        rows.update(load_rows(conn, model, buffer.to_load(keys) if buffer else keys))
        touched: dict[str, Row | None] = {}
        for position, event in mine:
            try:
                key = model.key(_decoded(event))
                rows[key] = touched[key] = model.fold(rows.get(key), event, position)
            except Exception as error:
                if not live:
                    raise PoisonEvent(f"{name} cannot apply position {position}: {error}") from error
                self._dead_letter(conn, name, position, event, error)
        if buffer is None:
            write_rows(conn, model, touched)
        elif len(buffer.rows) > buffer.limit:
            buffer.flush(conn, model)
        return touched

    def _dead_letter(self, conn: Connection, name: str, position: int, event: Any,
                     error: Exception) -> None:
        log.error("projection_dead_letter", projection=name, position=position, error=str(error))
        self.hooks.on_dead_letter(name)
        conn.execute(insert(dead_letters).values(
            projection=name, position=position,
            event_type=str(getattr(event, "topic", type(event).__qualname__))[:200],
            originator_id=str(getattr(event, "originator_id", "")), error=repr(error)[:2000],
        ))


BRIEF_WAIT_MS = 250
LOCK_KEY = "hashtext('gymgenius:projection:' || current_schema() || ':' || :name)"


def advisory_lock(conn: Connection, name: str, *, wait: bool = False) -> bool:
    """Takes the projection's transaction-scoped advisory lock, or says it is busy.

    The key names the schema too: read models of other schemas in the same database (a test's,
    a rebuild's fresh copy) are other projections and must not make this one busy.
    """
    if wait:
        conn.execute(text(f"SELECT pg_advisory_xact_lock({LOCK_KEY})"), {"name": name})
        return True
    taken = conn.execute(text(f"SELECT pg_try_advisory_xact_lock({LOCK_KEY})"), {"name": name})
    return bool(taken.scalar())


def wait_briefly(conn: Connection, name: str) -> bool:
    """Waits a moment for the holder (another worker) to commit, then takes the lock and reads
    what came after its batch: a wake-up is not dropped merely because another worker was busy."""
    savepoint = conn.begin_nested()
    try:
        conn.execute(text(f"SET LOCAL lock_timeout = '{BRIEF_WAIT_MS}ms'"))
        conn.execute(text(f"SELECT pg_advisory_xact_lock({LOCK_KEY})"), {"name": name})
        conn.execute(text("SET LOCAL lock_timeout TO DEFAULT"))
    except OperationalError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def _undecodable(model: ReadModel, event: Any) -> bool:
    """A stored event that could not be decoded, of this read model's aggregate: never skipped."""
    topic, error = getattr(event, "topic", None), getattr(event, "error", None)
    if not isinstance(topic, str) or not isinstance(error, Exception):
        return False
    return any(topic.startswith(f"{t.__module__}:{t.__qualname__.rsplit('.', 1)[0]}.")
               for t in model.event_types)


def _decoded(event: Any) -> Any:
    error = getattr(event, "error", None)
    if isinstance(error, Exception) and isinstance(getattr(event, "topic", None), str):
        raise error
    return event


def _no_lock(conn: Connection, name: str) -> bool:
    return True


def _no_wait(conn: Connection, name: str) -> bool:
    return False


def tracked_position(conn: Connection, name: str) -> int:
    query = select(positions.c.position).where(positions.c.name == name)
    found = conn.execute(query).scalar()
    if found is None:
        conn.execute(insert(positions).values(name=name, position=0))
        return 0
    return int(found)


def load_rows(conn: Connection, model: ReadModel, keys: set[str]) -> dict[str, Row]:
    if not keys:
        return {}
    table = model.table
    result = conn.execute(select(table).where(table.c.id.in_(sorted(keys))))
    return {str(row["id"]): dict(row) for row in result.mappings()}


def write_rows(conn: Connection, model: ReadModel, rows: dict[str, Row | None],
               stored: list[str] | None = None) -> None:
    """Replaces the touched rows (and their child rows) with their folded state; `stored` names
    the ones that may already be in the table (all of them, unless the caller knows)."""
    if not rows:
        return
    table, child = model.table, model.child_table
    kept = [row for row in rows.values() if row is not None]
    stale = list(rows) if stored is None else stored
    if stale:
        conn.execute(delete(table).where(table.c.id.in_(stale)))
    if child is not None:
        if stale:
            conn.execute(delete(child).where(child.c.parent_id.in_(stale)))
        children = [c for row in kept for c in model.children(row)]
        if children:
            conn.execute(insert(child), children)
    if kept:
        conn.execute(insert(table), kept)


@dataclass
class RebuildBuffer:
    """A rebuild's rows, folded in memory and written in bulk into its fresh tables: a row is
    written once per flush instead of once per batch, and never read back unless flushed."""

    limit: int = 50_000
    rows: dict[str, Row | None] = field(default_factory=dict)
    written: set[str] = field(default_factory=set)

    def to_load(self, keys: set[str]) -> set[str]:
        return {key for key in keys if key in self.written and key not in self.rows}

    def flush(self, conn: Connection, model: ReadModel) -> None:
        write_rows(conn, model, self.rows, stored=[k for k in self.rows if k in self.written])
        self.written.update(self.rows)
        self.rows.clear()


def _change(model: ReadModel, row: Row) -> Change:
    return Change(model.push_event, str(row["id"]), int(row["position"]), model.rooms(row),
                  model.out(row))
