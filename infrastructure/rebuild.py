"""Rebuilds a read model into fresh tables while the old ones keep serving, then swaps them in.

PostgreSQL: the fresh tables live in a scratch schema; once the rebuild has caught up, one
transaction holding the projection's lock applies the last events, drops the old tables and moves
the new ones into place. SQLite (embedded, one process): one transaction rebuilds in place, and
readers keep seeing the old rows until it commits. Rebuilds never push to clients.

One rebuild of a read model runs at a time (a second claim raises `RebuildRunning`); an event it
cannot apply or write stops it with a `PoisonEvent` naming it, and the serving tables stay as
they were.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, Table, delete, text, update

from infrastructure.locks import RebuildClaim, RebuildLocks, advisory_lock
from projections.engine import Projector
from projections.model import ReadModel
from projections.rows import RebuildBuffer, flush
from projections.schema import positions
from projections.tracking import reset_position, tracked_position

Progress = Callable[[int, int], None]


class Rebuilder:
    """Owns rebuilding: claims, the fresh tables, the swap, and each rebuild's progress."""

    def __init__(self, projector: Projector, locks: RebuildLocks, schema: str) -> None:
        self.projector, self.locks, self.schema = projector, locks, schema
        self.buffer_rows = 50_000  # rows a rebuild holds in memory before writing them
        self.progress: dict[str, tuple[int, int]] = {}  # read model -> (position, head)

    def claim(self, name: str) -> RebuildClaim:
        """The right to rebuild `name`; raises RebuildRunning while another rebuild has it."""
        return self.locks.claim(name)

    def rebuild(self, model: ReadModel, progress: Progress | None = None) -> int:
        with self.claim(model.name):
            return self.run(model, progress)

    def run(self, model: ReadModel, progress: Progress | None = None) -> int:
        """Rebuilds `model` (the caller holds its claim); answers the position it reached."""

        def report(at: int, head: int) -> None:
            self.progress[model.name] = (at, head)
            if progress:
                progress(at, head)

        try:
            if self.projector.engine.dialect.name == "postgresql":
                return self._fresh_tables(model, report)
            return self._in_place(model, report)
        finally:
            self.progress.pop(model.name, None)

    def _run(self, conn: Connection, model: ReadModel, name: str, report: Progress,
             buffer: RebuildBuffer) -> int:
        """Folds the rest of the log into the buffer, then writes what it holds."""
        head = self.projector.source.head()
        while True:
            outcome, _ = self.projector.apply_batch(conn, model, name, live=False, buffer=buffer)
            report(outcome.position, head)
            if outcome.applied < self.projector.batch_for(live=False):
                flush(conn, model, buffer)
                return outcome.position

    def _in_place(self, model: ReadModel, report: Progress) -> int:
        with self.projector.holding(model.name), self.projector.engine.begin() as conn:
            reset_position(conn, model.name)  # first: it opens SQLite's transaction
            for table in _tables(model):
                conn.execute(delete(table))
            return self._run(conn, model, model.name, report, RebuildBuffer(limit=self.buffer_rows))

    def _fresh_tables(self, model: ReadModel, report: Progress) -> int:
        live, engine = self.schema, self.projector.engine
        scratch, tracking = f"{live}__rebuild_{model.name}"[:63], f"{model.name}@rebuild"
        with engine.begin() as conn:
            _mark(conn, model.name, "rebuilding")
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{scratch}" CASCADE; CREATE SCHEMA "{scratch}"'))
            conn.execute(text(f'SET LOCAL search_path TO "{scratch}"'))
            for table in reversed(_tables(model)):
                table.create(conn)
            conn.execute(text(f'SET LOCAL search_path TO "{live}"'))
            reset_position(conn, tracking)
        buffer = RebuildBuffer(limit=self.buffer_rows)
        try:
            while self._batch_in(model, scratch, tracking, report, buffer):
                pass
            return self._swap(model, scratch, tracking, report, buffer)
        except BaseException:
            with engine.begin() as conn:
                _mark(conn, model.name, "live")
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{scratch}" CASCADE'))
                conn.execute(delete(positions).where(positions.c.name == tracking))
            raise

    def _batch_in(self, model: ReadModel, scratch: str, tracking: str, report: Progress,
                  buffer: RebuildBuffer) -> bool:
        with self.projector.engine.begin() as conn:
            conn.execute(text(f'SET LOCAL search_path TO "{scratch}", "{self.schema}"'))
            outcome, _ = self.projector.apply_batch(conn, model, tracking, live=False, buffer=buffer)
        report(outcome.position, self.projector.source.head())
        return outcome.applied >= self.projector.batch_for(live=False)

    def _swap(self, model: ReadModel, scratch: str, tracking: str, report: Progress,
              buffer: RebuildBuffer) -> int:
        live = self.schema
        with self.projector.engine.begin() as conn:
            advisory_lock(conn, model.name, wait=True)
            conn.execute(text(f'SET LOCAL search_path TO "{scratch}", "{live}"'))
            position = self._run(conn, model, tracking, report, buffer)
            conn.execute(text(f'SET LOCAL search_path TO "{live}"'))
            for table in _tables(model):
                conn.execute(text(f'DROP TABLE "{live}"."{table.name}"'))
                conn.execute(text(f'ALTER TABLE "{scratch}"."{table.name}" SET SCHEMA "{live}"'))
            conn.execute(text(f'DROP SCHEMA "{scratch}" CASCADE'))
            conn.execute(delete(positions).where(positions.c.name == tracking))
            conn.execute(update(positions).where(positions.c.name == model.name)
                         .values(position=position, status="live"))
        return position


def _tables(model: ReadModel) -> list[Table]:
    return [t for t in (model.child_table, model.table) if t is not None]


def _mark(conn: Connection, name: str, status: str) -> None:
    tracked_position(conn, name)
    conn.execute(update(positions).where(positions.c.name == name).values(status=status))
