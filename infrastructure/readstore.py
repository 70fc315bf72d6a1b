"""The read-model database: one sync engine for projections, the event store and (on PostgreSQL)
queries; an async one only for the embedded profile's queries."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Connection, Engine, Result, create_engine, event, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool
from sqlalchemy.sql import Executable

from infrastructure.pool_metrics import POOL_TIMEOUTS
from infrastructure.position_watch import WAIT_S, PositionWatch, ReadStoreBusy
from infrastructure.settings import Settings
from projections.reading import ReadConnection

__all__ = ["ReadStore", "ReadStoreBusy", "query_engine", "sync_engine"]

# The longest anyone waits for a pooled connection: as long as the event store's own pool waited
# (eventsourcing retries a refused read or write, 10 times at most); queries give up sooner (WAIT_S).
CHECKOUT_WAIT_S = 5.0
PING_IDLE_S = 1.0  # a pooled connection idle this long is pinged before it is lent again


def _pg_url(url: str, driver: str = "psycopg") -> str:
    for prefix in ("postgresql+psycopg://", "postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return f"postgresql+{driver}://" + url[len(prefix):]
    return url


def _pg_args(settings: Settings) -> dict[str, Any]:
    options = f"-c search_path={settings.database_schema} -c lock_timeout={settings.db_lock_timeout_s}s"
    return {"options": options, "application_name": settings.db_application_name}


def sync_engine(settings: Settings, url: str | None = None, size: int | None = None,
                overflow: int | None = None) -> Engine:
    """The process's one pool on PostgreSQL (`url` another server's, e.g. a read replica)."""
    if settings.profile == "embedded":
        engine = create_engine(f"sqlite:///{settings.data_dir / 'read.sqlite3'}",
                               connect_args={"timeout": 30, "check_same_thread": False})
        _sqlite_pragmas(engine)
        return engine
    engine = create_engine(
        _pg_url(url or settings.database_url), connect_args=_pg_args(settings),
        pool_size=size or settings.db_pool_size,
        max_overflow=settings.db_max_overflow if overflow is None else overflow,
        pool_timeout=CHECKOUT_WAIT_S,
    )
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Pessimistic disconnect handling, SQLAlchemy's custom way: a connection that sat in the pool
    for PING_IDLE_S or more is pinged as it is checked out, and one that fails is replaced (the pool
    reconnects on DisconnectionError). A connection handed back moments ago is not pinged: under
    load that ping was a round trip on every checkout. One that broke since fails its statement;
    it is then dropped (`lent.invalidate()`, or SQLAlchemy's own disconnect handling), and the
    event store's reads and writes are retried."""

    @event.listens_for(engine, "checkin")
    def _idle_from(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if time.monotonic() - record.info.get("idle_since", float("-inf")) < PING_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise DisconnectionError(str(error)) from error
            raise


def embedded_query_engine(settings: Settings) -> AsyncEngine:
    """The embedded profile's queries: aiosqlite, a connection per query."""
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{settings.data_dir / 'read.sqlite3'}", poolclass=NullPool,
        connect_args={"timeout": 30},
    )
    _sqlite_pragmas(engine.sync_engine)
    return engine


def query_engine(settings: Settings, primary: Engine) -> Engine | AsyncEngine:
    """What queries read through: on PostgreSQL the process's pool (`primary`), or a pool of its
    own on the read replica when QUERY_DATABASE_URL names another database."""
    if settings.profile == "embedded":
        return embedded_query_engine(settings)
    replica = settings.query_database_url
    if replica and _pg_url(replica) != _pg_url(settings.database_url):
        return sync_engine(settings, replica, settings.db_replica_pool_size,
                           settings.db_replica_max_overflow)
    return primary


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


class ThreadedConnection:
    """A pooled sync connection the event loop reads through: each statement runs in a thread,
    so queries draw from the process's one pool without blocking the loop."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def execute(self, statement: Executable,
                      parameters: Any = None) -> Result[*tuple[Any, ...]]:
        return await asyncio.to_thread(self.conn.execute, statement, parameters)

    async def scalar(self, statement: Executable, parameters: Any = None) -> Any:
        return await asyncio.to_thread(self.conn.scalar, statement, parameters)


class ReadStore:
    """The query side's view of the read models, and one watch of positions."""

    def __init__(self, engine: Engine | AsyncEngine, *, owned: bool = False) -> None:
        self.engine = engine
        self.owned = owned  # a replica's pool is the query side's own to dispose of
        self.watch = PositionWatch(self.connect)
        # Checkouts wait in threads of their own, so a query waiting for a connection never
        # holds up the statements (and the returns) of those that have one.
        most = engine.pool.size() + max(0, getattr(engine.pool, "_max_overflow", 0)) \
            if isinstance(engine, Engine) and hasattr(engine.pool, "size") else 1
        self._checkouts = ThreadPoolExecutor(most, thread_name_prefix="gymgenius-read-checkout")

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[ReadConnection]:
        """A connection reading each statement on its own (autocommit); ReadStoreBusy when the
        pool has none free within WAIT_S."""
        if isinstance(self.engine, AsyncEngine):
            async with self._connect_async(self.engine) as conn:
                yield conn
            return
        lent = await self._checkout(self.engine)
        try:
            yield ThreadedConnection(lent)
        finally:
            await asyncio.to_thread(lent.close)

    @asynccontextmanager
    async def _connect_async(self, engine: AsyncEngine) -> AsyncIterator[ReadConnection]:
        try:
            conn = await engine.connect().start()
        except PoolTimeout:
            POOL_TIMEOUTS.inc(self.pool_name)
            raise ReadStoreBusy("no read-model connection is free") from None
        try:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            yield conn
        finally:
            await conn.close()

    async def _checkout(self, engine: Engine) -> Connection:
        """A connection from the pool within WAIT_S (the pool itself waits longer for others);
        one that comes later than that goes straight back."""
        gave_up = threading.Event()

        def checkout() -> Connection | None:
            if gave_up.is_set():
                return None
            return engine.connect().execution_options(isolation_level="AUTOCOMMIT")

        pending = asyncio.get_running_loop().run_in_executor(self._checkouts, checkout)
        try:
            conn = await asyncio.wait_for(asyncio.shield(pending), WAIT_S)
        except (TimeoutError, PoolTimeout):
            gave_up.set()
            if not pending.done():
                pending.add_done_callback(_close_late)
            POOL_TIMEOUTS.inc(self.pool_name)
            raise ReadStoreBusy("no read-model connection is free") from None
        assert conn is not None
        return conn

    @property
    def pool_name(self) -> str:
        return "replica" if self.owned else "primary"

    async def wait_for(self, names: tuple[str, ...], min_position: int,
                       timeout_s: float = WAIT_S) -> bool:
        """Waits, holding no connection, until every one of `names` reflects `min_position`;
        False once `timeout_s` has passed."""
        return await self.watch.wait(names, min_position, timeout_s)

    async def ping(self) -> None:
        async with self.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.watch.close()
        self._checkouts.shutdown(wait=False, cancel_futures=True)
        if isinstance(self.engine, AsyncEngine):
            await self.engine.dispose()
        elif self.owned:
            await asyncio.to_thread(self.engine.dispose)


def _close_late(pending: asyncio.Future[Connection | None]) -> None:
    if not pending.cancelled() and pending.exception() is None and (late := pending.result()):
        pending.get_loop().run_in_executor(None, late.close)
