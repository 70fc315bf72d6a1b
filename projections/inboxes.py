"""Inboxes read model: what each user has read of their notifications, folded from their inbox's
events (so it survives a rebuild of either read model): read up to an order, and the ones read
by id after it (one `inbox_reads` row each)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, String, Table

from domain.inbox import Inbox
from projections.model import Change, ReadModel, Row
from projections.schema import metadata

inboxes = Table(
    "inboxes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("uid", String(128), nullable=False, unique=True),
    Column("read_up_to", BigInteger, nullable=False),
    Column("read", JSON, nullable=False),  # [[notification id, seq], ...] read after read_up_to
    Column("version", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
)

inbox_reads = Table(
    "inbox_reads",
    metadata,
    Column("parent_id", String(36), nullable=False, index=True),
    Column("uid", String(128), nullable=False),
    Column("notification_id", String(36), nullable=False),
    Index(None, "uid", "notification_id"),
)


class InboxesModel(ReadModel):
    name = "inboxes"
    table = inboxes
    child_table = inbox_reads
    created_by = Inbox.Opened
    event_types = (Inbox.Opened, Inbox.ReadUpTo, Inbox.Read)
    push_event = "inbox.updated"

    def create(self, event: Any, position: int) -> Row:
        return {"id": str(event.originator_id), "uid": event.uid, "read_up_to": 0, "read": []}

    def change(self, row: Row, event: Any) -> Row:
        match event:
            case Inbox.ReadUpTo():
                return {"read_up_to": event.seq, "read": [r for r in row["read"] if r[1] > event.seq]}
            case Inbox.Read():
                known = {r[0] for r in row["read"]}
                return {"read": [*row["read"], *([k, s] for k, s in event.items if k not in known)]}
        raise TypeError(f"inboxes do not fold {type(event).__name__}")

    def out(self, row: Row) -> dict[str, Any]:
        return {"uid": row["uid"], "read_up_to": row["read_up_to"], "version": row["version"]}

    def changes(self, row: Row) -> list[Change]:
        return []  # reading is not pushed: the reader's own answer says it

    def children(self, row: Row) -> list[Row]:
        return [{"parent_id": row["id"], "uid": row["uid"], "notification_id": r[0]} for r in row["read"]]
