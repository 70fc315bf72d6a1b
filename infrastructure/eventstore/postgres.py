"""The PostgreSQL recorder: eventsourcing's, plus idempotency claims written in the same transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from application.idempotency import IdempotencyClaim, RememberedAnswer
from infrastructure.eventstore.keys import PostgresKeys, postgres_key_tables


class GymGeniusPostgresRecorder(PostgresApplicationRecorder):
    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.channel_name = events_channel(self.datastore.schema)  # each write's NOTIFY
        names = {
            "schema": Identifier(self.datastore.schema),
            "commands": Identifier(events_table_name.removesuffix("_events") + "_commands"),
            "events": Identifier(events_table_name),
        }
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{commands} ("
                "actor_id text NOT NULL, key text NOT NULL, fingerprint text NOT NULL, "
                "aggregate_id uuid NOT NULL, version bigint NOT NULL, created boolean NOT NULL, "
                "extra jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now(), "
                "PRIMARY KEY (actor_id, key))"
            ).format(**names)
        )
        self.sql_create_statements.extend(postgres_key_tables(self.datastore.schema))
        self.keys = PostgresKeys(self.datastore)
        self._insert_claim = SQL(
            "INSERT INTO {schema}.{commands} "
            "(actor_id, key, fingerprint, aggregate_id, version, created, extra) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)"
        ).format(**names)
        self._select_answer = SQL(
            "SELECT c.*, e.notification_id FROM {schema}.{commands} c "
            "JOIN {schema}.{events} e ON e.originator_id = c.aggregate_id "
            "AND e.originator_version = c.version WHERE c.actor_id = %s AND c.key = %s"
        ).format(**names)
        self._select_position = SQL(
            "SELECT notification_id FROM {schema}.{events} "
            "WHERE originator_id = %s AND originator_version = %s"
        ).format(**names)

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        claims: Sequence[IdempotencyClaim] = kwargs.get("idempotency", ())
        if claims:
            curs.executemany(self._insert_claim, [_claim_row(c) for c in claims])
        super()._insert_events(curs, stored_events, **kwargs)

    def find_answer(self, actor_id: str, key: str) -> RememberedAnswer | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._select_answer, (actor_id, key), prepare=True)
            row = curs.fetchone()
        if row is None:
            return None
        return RememberedAnswer(
            row["fingerprint"], row["aggregate_id"], row["version"],
            row["notification_id"], row["created"], row["extra"],
        )

    def position_of(self, aggregate_id: UUID, version: int) -> int | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._select_position, (aggregate_id, version), prepare=True)
            row = curs.fetchone()
        return None if row is None else int(row["notification_id"])


def events_channel(schema: str) -> str:
    """The channel the event store NOTIFYs as each write commits: one per schema, so that workers
    are woken by their own store's events only (PostgreSQL keeps 63 bytes of a name)."""
    return f"gymgenius_events_{schema}".encode()[:63].decode(errors="ignore")


def _claim_row(claim: IdempotencyClaim) -> tuple[Any, ...]:
    return (
        claim.actor_id, claim.key, claim.fingerprint, claim.aggregate_id,
        claim.version, claim.created, json.dumps(claim.extra),
    )
