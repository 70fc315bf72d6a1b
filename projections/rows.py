"""Read-model rows in bulk: load the ones a batch touches, fold events into them, write them back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.exc import InterfaceError, OperationalError, StatementError

from projections.model import ReadModel, Row

# What the database says about a row it will not store (text with NUL, a number out of range, a
# value too long, a broken constraint); an outage (OperationalError, InterfaceError) is not that.
REFUSALS = (StatementError, ValueError, TypeError)
OUTAGES = (OperationalError, InterfaceError)
Event = tuple[int, Any]  # (position, event)
Failure = tuple[int, Any, Exception]  # (position, event, what it raised)


def relevant(model: ReadModel, events: Sequence[Event]) -> list[Event]:
    """The events of a batch this read model folds (and its aggregate's undecodable ones)."""
    return [(p, e) for p, e in events if isinstance(e, model.event_types) or _undecodable(model, e)]


def keys_of(model: ReadModel, events: Sequence[Event]) -> set[str]:
    return {model.key(e) for _, e in events if isinstance(e, model.event_types)}


def fold(model: ReadModel, rows: dict[str, Row | None], events: Sequence[Event]
         ) -> tuple[dict[str, Row | None], list[Failure]]:
    """Folds events into `rows` in place; answers the rows touched and the events that failed."""
    touched: dict[str, Row | None] = {}
    failed: list[Failure] = []
    for position, event in events:
        try:
            key = model.key(_decoded(event))
            rows[key] = touched[key] = model.fold(rows.get(key), event, position)
        except Exception as error:  # noqa: BLE001 - whatever a fold raises is that event's failure
            failed.append((position, event, error))
    return touched, failed


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


class PoisonEvent(Exception):
    """An event a read model cannot apply, met during a rebuild (which must not skip it)."""


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


def flush(conn: Connection, model: ReadModel, buffer: RebuildBuffer) -> None:
    """Writes a rebuild's buffered rows; a row the database refuses stops it, named."""
    try:
        with conn.begin_nested():
            buffer.flush(conn, model)
    except REFUSALS as error:
        if isinstance(error, OUTAGES):
            raise
        for key, row in buffer.rows.items():
            try:
                with conn.begin_nested():
                    write_rows(conn, model, {key: row}, stored=[key] if key in buffer.written else [])
            except REFUSALS as refused:
                at = row.get("position") if row else None
                raise PoisonEvent(f"{model.name} cannot write row {key} (its event at position {at}): "
                                  f"{str(refused).splitlines()[0]}") from refused
        raise


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
