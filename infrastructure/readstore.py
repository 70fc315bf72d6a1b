"""The read-model database: a sync engine for projections, an async one for queries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from infrastructure.pool_metrics import POOL_TIMEOUTS
from infrastructure.position_watch import WAIT_S, PositionWatch
from infrastructure.settings import Settings


def _pg_url(url: str, driver: str = "psycopg") -> str:
    for prefix in ("postgresql+psycopg://", "postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return f"postgresql+{driver}://" + url[len(prefix):]
    return url


def _pg_args(settings: Settings) -> dict[str, Any]:
    options = f"-c search_path={settings.database_schema} -c lock_timeout={settings.db_lock_timeout_s}s"
    return {"options": options}


def sync_engine(settings: Settings) -> Engine:
    if settings.profile == "embedded":
        engine = create_engine(f"sqlite:///{settings.data_dir / 'read.sqlite3'}",
                               connect_args={"timeout": 30, "check_same_thread": False})
        _sqlite_pragmas(engine)
        return engine
    return create_engine(
        _pg_url(settings.database_url), connect_args=_pg_args(settings),
        pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow, pool_pre_ping=True,
    )


def async_engine(settings: Settings) -> AsyncEngine:
    if settings.profile == "embedded":
        engine = create_async_engine(
            f"sqlite+aiosqlite:///{settings.data_dir / 'read.sqlite3'}", poolclass=NullPool,
            connect_args={"timeout": 30},
        )
        _sqlite_pragmas(engine.sync_engine)
        return engine
    url = settings.query_database_url or settings.database_url
    return create_async_engine(
        _pg_url(url), connect_args=_pg_args(settings), pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow, pool_pre_ping=True, pool_timeout=WAIT_S,
    )


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


class ReadStoreBusy(Exception):
    """No read-model connection came free in time."""


class ReadStore:
    """The query side's view of the read models: an async engine, and one watch of positions."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.watch = PositionWatch(engine)

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        """A connection reading each statement on its own (autocommit); ReadStoreBusy when the
        pool has none free within its timeout."""
        try:
            conn = await self.engine.connect().start()
        except PoolTimeout:
            POOL_TIMEOUTS.inc("reads")
            raise ReadStoreBusy("no read-model connection is free") from None
        try:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            yield conn
        finally:
            await conn.close()

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
        await self.engine.dispose()
