"""Edits the stored events directly in the database (PostgreSQL or SQLite), as an intruder would."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import sql

from infrastructure.bootstrap import System
from tests.support import PG_URL


class StoredRows:
    """The event store's rows by position (notification id), reached around the application."""

    def __init__(self, system: System) -> None:
        self.settings = system.settings
        self.table = system.log.recorder.events_table_name  # type: ignore[attr-defined]

    def _run(self, pg: str, lite: str, *params: Any) -> list[Any]:
        if self.settings.profile == "embedded":
            with sqlite3.connect(self.settings.data_dir / "events.sqlite3") as conn:
                return conn.execute(lite.format(table=self.table), params).fetchall()
        query = sql.SQL(pg).format(table=sql.Identifier(self.settings.database_schema, self.table))
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def state(self, position: int) -> tuple[str, dict[str, Any]]:
        ((topic, state),) = self._run(
            "SELECT topic, state FROM {table} WHERE notification_id = %s",
            "SELECT topic, state FROM {table} WHERE rowid = ?",
            position,
        )
        return topic, json.loads(bytes(state))

    def write(self, position: int, topic: str, state: dict[str, Any]) -> None:
        body = json.dumps(state).encode()
        self._run(
            "UPDATE {table} SET topic = %s, state = %s WHERE notification_id = %s",
            "UPDATE {table} SET topic = ?, state = ? WHERE rowid = ?",
            topic,
            body,
            position,
        )

    def edit(self, position: int, change: Callable[[dict[str, Any]], None]) -> None:
        topic, state = self.state(position)
        change(state)
        self.write(position, topic, state)

    def delete(self, position: int) -> None:
        self._run(
            "DELETE FROM {table} WHERE notification_id = %s", "DELETE FROM {table} WHERE rowid = ?", position
        )

    def swap(self, first: int, second: int) -> None:
        """The two rows keep their places and versions but trade contents: the events are reordered."""
        a, b = self.state(first), self.state(second)
        self.write(first, *b)
        self.write(second, *a)
