"""Where each user's personal-data key lives: its own table beside the events, never in them.

`user_keys` holds one AES-256 key per subject (a User's id); erasing deletes the row and records
the subject in `user_key_erasures`, whose growing `seq` is the erasure epoch every process's key
cache checks, and which keeps an erased subject from ever getting a key again.
"""

from __future__ import annotations

import threading
from typing import Protocol
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from psycopg.sql import SQL, Composed, Identifier


class KeyStore(Protocol):
    def get(self, subject: UUID) -> bytes | None: ...

    def create(self, subject: UUID, key: bytes) -> bytes | None:
        """Stores `key` unless the subject has one (answers that) or was erased (None)."""

    def delete(self, subject: UUID) -> None:
        """Deletes the subject's key for good and moves the erasure epoch on."""

    def epoch(self) -> int: ...


def postgres_key_tables(schema: str) -> list[Composed]:
    names = {"schema": Identifier(schema)}
    return [
        SQL("CREATE TABLE IF NOT EXISTS {schema}.user_keys (subject uuid PRIMARY KEY, "
            "key bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now())").format(**names),
        SQL("CREATE TABLE IF NOT EXISTS {schema}.user_key_erasures (seq bigserial PRIMARY KEY, "
            "subject uuid NOT NULL UNIQUE, erased_at timestamptz NOT NULL DEFAULT now())").format(**names),
    ]


SQLITE_KEY_TABLES = [
    "CREATE TABLE IF NOT EXISTS user_keys (subject TEXT PRIMARY KEY, key BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS user_key_erasures (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
    "subject TEXT NOT NULL UNIQUE)",
]


class PostgresKeys:
    def __init__(self, datastore: PostgresDatastore) -> None:
        self.datastore = datastore
        names = {"s": Identifier(datastore.schema)}
        self._get = SQL("SELECT key FROM {s}.user_keys WHERE subject = %s").format(**names)
        self._create = SQL(
            "INSERT INTO {s}.user_keys (subject, key) SELECT %s, %s WHERE NOT EXISTS "
            "(SELECT 1 FROM {s}.user_key_erasures WHERE subject = %s) ON CONFLICT (subject) DO NOTHING"
        ).format(**names)
        self._erased = SQL("INSERT INTO {s}.user_key_erasures (subject) VALUES (%s) "
                           "ON CONFLICT (subject) DO NOTHING").format(**names)
        self._delete = SQL("DELETE FROM {s}.user_keys WHERE subject = %s").format(**names)
        self._epoch = SQL("SELECT coalesce(max(seq), 0) AS epoch FROM {s}.user_key_erasures").format(**names)

    def get(self, subject: UUID) -> bytes | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._get, (subject,), prepare=True)
            row = curs.fetchone()
        return None if row is None else bytes(row["key"])

    def create(self, subject: UUID, key: bytes) -> bytes | None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._create, (subject, key, subject))
        return self.get(subject)

    def delete(self, subject: UUID) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._erased, (subject,))
            curs.execute(self._delete, (subject,))

    def epoch(self) -> int:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._epoch, prepare=True)
            row = curs.fetchone()
        return int(row["epoch"]) if row else 0


class SQLiteKeys:
    def __init__(self, datastore: SQLiteDatastore) -> None:
        self.datastore = datastore

    def get(self, subject: UUID) -> bytes | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT key FROM user_keys WHERE subject = ?", (subject.hex,))
            row = c.fetchone()
        return None if row is None else bytes(row[0])

    def create(self, subject: UUID, key: bytes) -> bytes | None:
        with self.datastore.transaction(commit=True) as c:
            c.execute("INSERT OR IGNORE INTO user_keys (subject, key) SELECT ?, ? WHERE NOT EXISTS "
                      "(SELECT 1 FROM user_key_erasures WHERE subject = ?)", (subject.hex, key, subject.hex))
        return self.get(subject)

    def delete(self, subject: UUID) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute("INSERT OR IGNORE INTO user_key_erasures (subject) VALUES (?)", (subject.hex,))
            c.execute("DELETE FROM user_keys WHERE subject = ?", (subject.hex,))

    def epoch(self) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT coalesce(max(seq), 0) FROM user_key_erasures")
            row = c.fetchone()
        return int(row[0]) if row else 0


class MemoryKeys:
    """Keys in this process only (the in-memory event store of unit tests)."""

    def __init__(self) -> None:
        self._keys: dict[UUID, bytes] = {}
        self._erased: list[UUID] = []
        self._guard = threading.Lock()

    def get(self, subject: UUID) -> bytes | None:
        return self._keys.get(subject)

    def create(self, subject: UUID, key: bytes) -> bytes | None:
        with self._guard:
            if subject in self._erased:
                return None
            return self._keys.setdefault(subject, key)

    def delete(self, subject: UUID) -> None:
        with self._guard:
            self._keys.pop(subject, None)
            if subject not in self._erased:
                self._erased.append(subject)

    def epoch(self) -> int:
        return len(self._erased)
