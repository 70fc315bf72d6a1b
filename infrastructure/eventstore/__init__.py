"""Event-store configuration for both profiles; tables are made by one init step only."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql

from infrastructure.settings import Settings

TRANSCODER = "infrastructure.eventstore.storable:StorableJSONTranscoder"
RECORDERS = {
    "postgres": "infrastructure.eventstore.postgres:GymGeniusPostgresRecorder",
    "sqlite": "infrastructure.eventstore.sqlite:GymGeniusSQLiteRecorder",
}


def event_store_env(settings: Settings, *, create_tables: bool = False) -> dict[str, str]:
    """The eventsourcing environment for a profile. Web and workers never create tables."""
    common = {
        "CREATE_TABLE": "y" if create_tables else "n", "COMPRESSOR_TOPIC": "",
        "TRANSCODER_TOPIC": TRANSCODER,
        "GROUP_COMMIT": "y" if settings.group_commit else "n",
        "COMMITTED_AGGREGATES_CACHED": str(settings.aggregates_cached),
    }
    if settings.profile == "embedded":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return common | {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(settings.data_dir / "events.sqlite3"),
            "SQLITE_LOCK_TIMEOUT": str(settings.db_lock_timeout_s),
            "APPLICATION_RECORDER_TOPIC": RECORDERS["sqlite"],
        }
    url = urlsplit(settings.database_url)
    return common | {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": url.path.lstrip("/") or "postgres",
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
        "POSTGRES_SCHEMA": settings.database_schema,
        "POSTGRES_LOCK_TIMEOUT": str(settings.db_lock_timeout_s),
        # Servers lend the event store their one pool (infrastructure/db_pool.py); this one is
        # opened only by one-off tools, and by the init step with a connection or two.
        "POSTGRES_POOL_SIZE": "1" if create_tables else str(settings.db_pool_size),
        "POSTGRES_MAX_OVERFLOW": "1" if create_tables else str(settings.db_max_overflow),
        "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
        "POSTGRES_PRE_PING": "y",
        "APPLICATION_RECORDER_TOPIC": RECORDERS["postgres"],
    }


def memory_env(*, group_commit: bool = False) -> dict[str, str]:
    """An event store in this process's memory (for unit tests): nothing survives it."""
    return {
        "PERSISTENCE_MODULE": "infrastructure.eventstore.memory:MemoryFactory",
        "GROUP_COMMIT": "y" if group_commit else "n",
    }


def ensure_schema(settings: Settings) -> None:
    """Creates the PostgreSQL schema if it is missing (part of the init step)."""
    if settings.profile != "server":
        return
    with psycopg.connect(psycopg_url(settings), autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(settings.database_schema))
        )


def psycopg_url(settings: Settings) -> str:
    return settings.database_url.replace("postgresql+psycopg://", "postgresql://")
