"""Rebuilds a read model into fresh tables while the old ones keep serving, then swaps them in.

PostgreSQL: the fresh tables live in a scratch schema; once the rebuild has caught up, one
transaction holding the projection's lock applies the last events, drops the old tables and moves
the new ones into place. SQLite (embedded, one process): one transaction rebuilds in place, and
readers keep seeing the old rows until it commits. Rebuilds never push to clients.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, Table, delete, text, update

from projections.engine import RebuildBuffer, advisory_lock, tracked_position
from projections.model import ReadModel
from projections.schema import positions

if TYPE_CHECKING:
    from infrastructure.projection_runtime import Progress, ProjectionService


def rebuild(service: ProjectionService, model: ReadModel, progress: Progress | None) -> int:
    if service.engine.dialect.name == "postgresql":
        return _rebuild_postgres(service, model, progress)
    return _rebuild_in_place(service, model, progress)


def _tables(model: ReadModel) -> list[Table]:
    return [t for t in (model.child_table, model.table) if t is not None]


def _mark(conn: Connection, name: str, status: str) -> None:
    tracked_position(conn, name)
    conn.execute(update(positions).where(positions.c.name == name).values(status=status))


def _run(service: ProjectionService, conn: Connection, model: ReadModel, name: str,
         progress: Progress | None, buffer: RebuildBuffer) -> int:
    """Folds the rest of the log into the buffer, then writes what it holds."""
    head = service.source.head()
    while True:
        outcome, _ = service.projector.apply_batch(conn, model, name, live=False, buffer=buffer)
        if progress:
            progress(outcome.position, head)
        if outcome.applied < service.projector.batch_for(live=False):
            buffer.flush(conn, model)
            return outcome.position


def _rebuild_in_place(service: ProjectionService, model: ReadModel,
                      progress: Progress | None) -> int:
    lock = service.projector._local[model.name]
    with lock, service.engine.begin() as conn:
        for table in _tables(model):
            conn.execute(delete(table))
        service.reset(conn, model.name)
        buffer = RebuildBuffer(limit=service.rebuild_buffer_rows)
        return _run(service, conn, model, model.name, progress, buffer)


def _rebuild_postgres(service: ProjectionService, model: ReadModel,
                      progress: Progress | None) -> int:
    live = service.settings.database_schema
    scratch = f"{live}__rebuild_{model.name}"[:63]
    tracking = f"{model.name}@rebuild"
    with service.engine.begin() as conn:
        _mark(conn, model.name, "rebuilding")
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{scratch}" CASCADE; CREATE SCHEMA "{scratch}"'))
        conn.execute(text(f'SET LOCAL search_path TO "{scratch}"'))
        for table in reversed(_tables(model)):
            table.create(conn)
        conn.execute(text(f'SET LOCAL search_path TO "{live}"'))
        service.reset(conn, tracking)
    buffer = RebuildBuffer(limit=service.rebuild_buffer_rows)
    try:
        while _batch_in(service, model, scratch, live, tracking, progress, buffer):
            pass
        return _swap(service, model, scratch, live, tracking, progress, buffer)
    except BaseException:
        with service.engine.begin() as conn:
            _mark(conn, model.name, "live")
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{scratch}" CASCADE'))
        raise


def _batch_in(service: ProjectionService, model: ReadModel, scratch: str, live: str,
              tracking: str, progress: Progress | None, buffer: RebuildBuffer) -> bool:
    with service.engine.begin() as conn:
        conn.execute(text(f'SET LOCAL search_path TO "{scratch}", "{live}"'))
        outcome, _ = service.projector.apply_batch(conn, model, tracking, live=False, buffer=buffer)
    if progress:
        progress(outcome.position, service.source.head())
    return outcome.applied >= service.projector.batch_for(live=False)


def _swap(service: ProjectionService, model: ReadModel, scratch: str, live: str, tracking: str,
          progress: Progress | None, buffer: RebuildBuffer) -> int:
    with service.engine.begin() as conn:
        advisory_lock(conn, model.name, wait=True)
        conn.execute(text(f'SET LOCAL search_path TO "{scratch}", "{live}"'))
        position = _run(service, conn, model, tracking, progress, buffer)
        conn.execute(text(f'SET LOCAL search_path TO "{live}"'))
        for table in _tables(model):
            conn.execute(text(f'DROP TABLE "{live}"."{table.name}"'))
            conn.execute(text(f'ALTER TABLE "{scratch}"."{table.name}" SET SCHEMA "{live}"'))
        conn.execute(text(f'DROP SCHEMA "{scratch}" CASCADE'))
        conn.execute(delete(positions).where(positions.c.name == tracking))
        conn.execute(update(positions).where(positions.c.name == model.name)
                     .values(position=position, status="live"))
    return position
