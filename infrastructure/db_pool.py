"""One PostgreSQL connection pool per process: the SQLAlchemy sync engine's, lent to the event store.

eventsourcing's datastore asks its pool for `open()`, `connection()` and `close()`; `EnginePool`
answers them with connections borrowed from the engine's pool, so commands, aggregate loads,
catch-ups, locks, statuses and (in threads, see readstore.py) queries all draw from one budget of
`GYMGENIUS_DB_POOL_SIZE` + `GYMGENIUS_DB_MAX_OVERFLOW` connections. A borrowed connection is put
in the state the datastore expects (autocommit, rows as dicts) and back in SQLAlchemy's (a
transaction per use, rows as tuples) before it is returned.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import psycopg_pool
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row, tuple_row
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from infrastructure.pool_metrics import POOL_TIMEOUTS

POOL_NAME = "primary"


class EnginePool:
    """What eventsourcing's PostgresDatastore needs of a pool, drawn from a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def open(self, wait: bool = False, timeout: float = 30.0) -> None:
        """The engine's pool opens connections as they are asked for."""

    def close(self, timeout: float = 5.0) -> None:
        """The engine belongs to the projections' service, which disposes of it."""

    def __enter__(self) -> EnginePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def connection(self, timeout: float | None = None) -> Iterator[psycopg.Connection[Any]]:
        try:
            lent = self.engine.raw_connection()
        except PoolTimeout as error:
            POOL_TIMEOUTS.inc(POOL_NAME)
            raise psycopg_pool.PoolTimeout(str(error)) from None  # the datastore's own refusal
        except DBAPIError as error:
            if isinstance(error.orig, psycopg.Error):
                raise error.orig from None  # the datastore translates psycopg's errors
            raise
        conn: psycopg.Connection[Any] = lent.driver_connection  # type: ignore[assignment]
        try:
            _lend(conn)
            yield conn
        finally:
            if not _give_back(conn):
                lent.invalidate()
            lent.close()


def _lend(conn: psycopg.Connection[Any]) -> None:
    if conn.info.transaction_status != TransactionStatus.IDLE:
        conn.rollback()  # a checkout's ping may have begun one
    conn.autocommit = True
    conn.row_factory = dict_row  # type: ignore[assignment]


def _give_back(conn: psycopg.Connection[Any]) -> bool:
    """Puts the connection back in SQLAlchemy's state; False when it is no longer usable."""
    if conn.closed or conn.broken:
        return False
    try:
        if conn.info.transaction_status != TransactionStatus.IDLE:
            conn.rollback()
        conn.autocommit = False
        conn.row_factory = tuple_row  # type: ignore[assignment]
    except psycopg.Error:
        return False
    return True


def lend_to_event_store(log: Any, engine: Engine) -> None:
    """Makes a PostgreSQL event store draw from `engine`'s pool (its own, never opened, is
    dropped); an SQLite or in-memory event store is left as it is."""
    datastore = getattr(getattr(log, "recorder", None), "datastore", None)
    if engine.dialect.name != "postgresql" or datastore is None or not hasattr(datastore, "pool"):
        return
    own = datastore.pool
    datastore.pool = EnginePool(engine)
    if isinstance(own, psycopg_pool.ConnectionPool):
        own.close()
