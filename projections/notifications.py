"""Notifications read model: one row per thing a user should know, folded by the notifiers.

Each *source* (a payment, a subscription, a client's plan ...) is a row holding what its events
taught (`facts`: the recipient above all) and its latest KEEP notices; each notice is a row of
`notifications`. A notification's id derives from the position of the event that made it, its
kind and its recipient, and its order (`seq`) from that position, so a rebuild gives the same ids
in the same order. Whether it was read is the recipient's inbox (`projections/inboxes.py`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import uuid5

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Connection,
    DateTime,
    Index,
    String,
    Table,
    func,
    not_,
    or_,
    select,
)

from projections.inboxes import inbox_reads, inboxes
from projections.model import Change, ReadModel, Row
from projections.notifiers import NOTIFIERS, SOURCES, Notice, Notifier
from projections.pages import Page, page
from projections.reading import ReadConnection
from projections.schema import metadata
from projections.values import iso, utc

KEEP = 100  # notices a source keeps (its oldest beyond that are dropped)
PER_EVENT = 8  # seq = position * PER_EVENT + the notice's index among its event's
PUSH_EVENT = "notification"

notification_sources = Table(
    "notification_sources",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("facts", JSON, nullable=False),
    Column("notices", JSON, nullable=False),
    Column("position", BigInteger, nullable=False),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("parent_id", String(36), nullable=False, index=True),
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("recipient_id", String(128), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("title", String(200), nullable=False),
    Column("data", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("settled", Boolean, nullable=False),  # read by an event of its source (a notifier's say)
    Column("position", BigInteger, nullable=False),
    Index(None, "recipient_id", "seq"),
)


def notification_id(position: int, kind: str, recipient: str) -> str:
    return str(uuid5(SOURCES, f"{position}\x1f{kind}\x1f{recipient}"))


class NotificationsModel(ReadModel):
    name = "notifications"
    table = notification_sources
    child_table = notifications
    created_by = object
    event_types = tuple(t for n in NOTIFIERS for t in n.event_types)
    push_event = PUSH_EVENT

    def notifier(self, event: Any) -> Notifier:
        for notifier in NOTIFIERS:
            if isinstance(event, notifier.event_types):
                return notifier
        raise TypeError(f"notifications do not fold {type(event).__name__}")

    def key(self, event: Any) -> str:
        return self.notifier(event).source(event)

    def fold(self, row: Row | None, event: Any, position: int) -> Row | None:
        """The source after the event: what it learnt, and the notices it made (the last KEEP)."""
        notifier = self.notifier(event)
        row = row or {"id": notifier.source(event), "facts": {}, "notices": []}
        facts = {**row["facts"], **notifier.learn(row["facts"], event)}
        settled = notifier.settled(row["notices"], event)
        kept = [{**n, "settled": True} if n["id"] in settled else n for n in row["notices"]]
        made = [_stamp(n, facts, event, position, i) for i, n in enumerate(notifier.notices(facts, event))]
        return {**row, "facts": facts, "notices": [*kept, *made][-KEEP:], "position": position}

    def change(self, row: Row, event: Any) -> Row:
        return self.fold(row, event, int(row.get("position", 0))) or {}

    def children(self, row: Row) -> list[Row]:
        return [{**n, "parent_id": row["id"], "created_at": datetime.fromisoformat(n["created_at"])}
                for n in row["notices"]]

    def changes(self, row: Row) -> list[Change]:
        """Each notice the source's latest event made, to its recipient's room."""
        return [Change(PUSH_EVENT, n["id"], n["position"], (f"user:{n['recipient_id']}",), show(n))
                for n in row["notices"] if n["position"] == row["position"]]


def _stamp(notice: Notice, facts: dict[str, Any], event: Any, position: int, index: int) -> Row:
    recipient = notice.recipient or facts.get("recipient")
    if not recipient:
        raise LookupError(f"no recipient known for {type(event).__name__} at position {position}")
    return {"id": notification_id(position, notice.kind, recipient), "seq": position * PER_EVENT + index,
            "recipient_id": recipient, "kind": notice.kind, "title": notice.title[:200],
            "data": notice.data, "created_at": iso(utc(_at(event))), "settled": False, "position": position}


def _at(event: Any) -> datetime:
    at = getattr(event, "at", None)
    return at if isinstance(at, datetime) else event.timestamp


def show(row: Row, read: bool = False) -> dict[str, Any]:
    """A notification as the query API and the push show it."""
    created = row["created_at"]
    return {"id": row["id"], "kind": row["kind"], "title": row["title"], "data": row["data"],
            "created_at": created if isinstance(created, str) else iso(created), "read": read}


def is_read(uid: str) -> ColumnElement[bool]:
    """Whether a notification of this uid's is read: up to their inbox's order, by its id, or
    settled by its source."""
    up_to = select(inboxes.c.read_up_to).where(inboxes.c.uid == uid).scalar_subquery()
    by_id = select(inbox_reads.c.notification_id).where(inbox_reads.c.uid == uid)
    return or_(notifications.c.seq <= func.coalesce(up_to, 0), notifications.c.id.in_(by_id),
               notifications.c.settled)


async def list_notifications(conn: ReadConnection, uid: str, *, unread: bool | None, limit: int,
                             cursor: str | None) -> dict[str, Any]:
    """The uid's notifications, newest first (`unread` true: only unread; false: only read),
    with how many are unread in all."""
    read = is_read(uid)
    query = select(notifications, read.label("is_read")).where(notifications.c.recipient_id == uid)
    if unread is not None:
        query = query.where(not_(read) if unread else read)
    listed: Page = await page(conn, query, notifications.c.seq, limit, cursor,
                              lambda row: show(row, bool(row["is_read"])))
    count = select(func.count()).select_from(notifications).where(
        notifications.c.recipient_id == uid, not_(read))
    return {**listed, "unread_count": int((await conn.execute(count)).scalar_one())}


def seqs_of(conn: Connection, uid: str, ids: list[str]) -> dict[str, int]:
    """The order of each of these notifications that is the uid's (others' and unknown ones left out)."""
    query = select(notifications.c.id, notifications.c.seq).where(
        notifications.c.recipient_id == uid, notifications.c.id.in_(ids))
    return {str(found.id): int(found.seq) for found in conn.execute(query)}
