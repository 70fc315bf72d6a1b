"""The embedded profile's SQLite recorder, with idempotency keys in the same transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from application.idempotency import IdempotencyClaim, RememberedAnswer
from infrastructure.eventstore.keys import SQLITE_KEY_TABLES, SQLiteKeys


class GymGeniusSQLiteRecorder(SQLiteApplicationRecorder):
    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        self.commands_table = events_table_name.removesuffix("_events") + "_commands"
        super().__init__(datastore, events_table_name)
        self.keys = SQLiteKeys(datastore)

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {self.commands_table} ("
            "actor_id TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, "
            "aggregate_id TEXT NOT NULL, version INTEGER NOT NULL, created INTEGER NOT NULL, "
            "extra TEXT NOT NULL, PRIMARY KEY (actor_id, key))",
            *SQLITE_KEY_TABLES,
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        claims: Sequence[IdempotencyClaim] = kwargs.get("idempotency", ())
        c.executemany(
            f"INSERT INTO {self.commands_table} VALUES (?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
            [(claim.actor_id, claim.key, claim.fingerprint, claim.aggregate_id.hex,
              claim.version, int(claim.created), json.dumps(claim.extra)) for claim in claims],
        )
        return ids

    def find_answer(self, actor_id: str, key: str) -> RememberedAnswer | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT c.fingerprint, c.aggregate_id, c.version, c.created, c.extra, e.rowid "  # noqa: S608
                f"FROM {self.commands_table} c JOIN {self.events_table_name} e "
                "ON e.originator_id = c.aggregate_id AND e.originator_version = c.version "
                "WHERE c.actor_id = ? AND c.key = ?",
                (actor_id, key),
            )
            row = c.fetchone()
        if row is None:
            return None
        return RememberedAnswer(
            row[0], UUID(row[1]), row[2], row[5], bool(row[3]), json.loads(row[4])
        )

    def position_of(self, aggregate_id: UUID, version: int) -> int | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT rowid FROM {self.events_table_name} "  # noqa: S608
                "WHERE originator_id = ? AND originator_version = ?",
                (aggregate_id.hex, version),
            )
            row = c.fetchone()
        return None if row is None else int(row[0])
