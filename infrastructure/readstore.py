"""The read-model database: a sync engine for projections, an async one for queries."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from infrastructure.settings import Settings
from projections.schema import positions


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
        max_overflow=settings.db_max_overflow, pool_pre_ping=True,
    )


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


class ReadStore:
    """The query side's view of the read models: an async engine and their positions."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def position(self, name: str) -> int:
        async with self.engine.connect() as conn:
            found = await conn.scalar(select(positions.c.position).where(positions.c.name == name))
        return int(found or 0)

    async def wait_for(self, name: str, min_position: int, timeout_s: float = 5.0) -> int | None:
        """Waits (bounded) until a read model reflects `min_position`; None if it did not."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        pause = 0.002
        while True:
            position = await self.position(name)
            if position >= min_position:
                return position
            if loop.time() >= deadline:
                return None
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    async def close(self) -> None:
        await self.engine.dispose()
