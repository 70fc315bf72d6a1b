"""Every lock the read side takes, in one place.

A projection's lock is a transaction-scoped PostgreSQL advisory lock: one worker at a time
applies a batch of that read model. A rebuild's claim is a session-scoped one, held on a
connection of its own for as long as the rebuild runs (and let go if its process dies), so that
one rebuild of a read model runs at a time across every process; within a process a plain lock
does the same, which is all the embedded profile (one process) needs.

The keys name the schema too: read models of other schemas in the same database (a test's, a
rebuild's fresh copy) are other projections and must not make this one busy.
"""

from __future__ import annotations

import threading
from collections import defaultdict

from sqlalchemy import Boolean, ColumnElement, Connection, Engine, literal_column, text
from sqlalchemy.exc import OperationalError

BRIEF_WAIT_MS = 250
PROJECTION_KEY = "hashtext('gymgenius:projection:' || current_schema() || ':' || :name)"
REBUILD_KEY = "hashtext('gymgenius:rebuild:' || current_schema() || ':' || :name)"


class RebuildRunning(Exception):
    """A rebuild of this read model is already under way."""


def advisory_lock_of_row() -> ColumnElement[bool]:
    """`advisory_lock`, taken (if free) as a condition on a projection_positions row."""
    key = PROJECTION_KEY.replace(":name", "projection_positions.name")
    return literal_column(f"pg_try_advisory_xact_lock({key})", Boolean)


def advisory_lock(conn: Connection, name: str, *, wait: bool = False) -> bool:
    """Takes the projection's transaction-scoped advisory lock, or says it is busy."""
    if wait:
        conn.execute(text(f"SELECT pg_advisory_xact_lock({PROJECTION_KEY})"), {"name": name})
        return True
    taken = conn.execute(text(f"SELECT pg_try_advisory_xact_lock({PROJECTION_KEY})"), {"name": name})
    return bool(taken.scalar())


def wait_briefly(conn: Connection, name: str) -> bool:
    """Waits a moment for the holder (another worker) to commit, then takes the lock and reads
    what came after its batch: a wake-up is not dropped merely because another worker was busy."""
    savepoint = conn.begin_nested()
    try:
        conn.execute(text(f"SET LOCAL lock_timeout = '{BRIEF_WAIT_MS}ms'"))
        conn.execute(text(f"SELECT pg_advisory_xact_lock({PROJECTION_KEY})"), {"name": name})
        conn.execute(text("SET LOCAL lock_timeout TO DEFAULT"))
    except OperationalError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


class RebuildClaim:
    """The right to rebuild one read model, until released (it is a context manager)."""

    def __init__(self, local: threading.Lock, conn: Connection | None, name: str) -> None:
        self.local, self.conn, self.name = local, conn, name

    def release(self) -> None:
        if self.conn is not None:
            try:
                self.conn.execute(text(f"SELECT pg_advisory_unlock({REBUILD_KEY})"), {"name": self.name})
            finally:
                self.conn.close()
                self.conn = None
        if self.local.locked():
            self.local.release()

    def __enter__(self) -> RebuildClaim:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class RebuildLocks:
    """Claims rebuilds without waiting: a second claim of a read model raises RebuildRunning."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._local: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)

    def claim(self, name: str) -> RebuildClaim:
        local = self._local[name]
        if not local.acquire(blocking=False):
            raise RebuildRunning(f"{name} is already being rebuilt")
        if self.engine.dialect.name != "postgresql":
            return RebuildClaim(local, None, name)
        try:
            conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except BaseException:
            local.release()
            raise
        claim = RebuildClaim(local, conn, name)
        try:
            taken = conn.execute(text(f"SELECT pg_try_advisory_lock({REBUILD_KEY})"), {"name": name})
            if not taken.scalar():
                raise RebuildRunning(f"{name} is already being rebuilt by another process")
        except BaseException:
            claim.conn = None
            conn.close()
            local.release()
            raise
        return claim


POLICY_KEY = "hashtext('gymgenius:policy:' || current_schema() || ':' || :name)"


def try_policy_lock(conn: Connection, name: str) -> bool:
    """A policy's session-scoped advisory lock: held while its commands run in their own
    transactions, let go by `release_policy_lock`, or by PostgreSQL when the holder dies."""
    return bool(conn.execute(text(f"SELECT pg_try_advisory_lock({POLICY_KEY})"), {"name": name}).scalar())


def release_policy_lock(conn: Connection, name: str) -> None:
    conn.execute(text(f"SELECT pg_advisory_unlock({POLICY_KEY})"), {"name": name})
