"""Conversations read model: one row per conversation, with its last message and how far each
of its two participants has read; a participant's unread count is the messages after that.

Sending a message reads everything before it, so every message after a participant's read seq
is the other's. Its changes are not pushed: the messages are (`chat.message`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    or_,
    select,
    update,
)

from domain.conversation import Conversation
from domain.personal import ERASED
from domain.user import User
from domain.values import Actor
from projections.messages import show as show_message
from projections.model import Change, ReadModel, Row
from projections.pages import Page, page
from projections.reading import ReadConnection
from projections.schema import metadata
from projections.users import erased_uids
from projections.values import utc

conversations = Table(
    "conversations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("participant_a", String(128), nullable=False, index=True),
    Column("participant_b", String(128), nullable=False, index=True),
    Column("read_a", BigInteger, nullable=False),
    Column("read_b", BigInteger, nullable=False),
    Column("last_seq", BigInteger, nullable=False),
    Column("last_message", JSON, nullable=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
)


class ConversationsModel(ReadModel):
    name = "conversations"
    table = conversations
    created_by = Conversation.Started
    event_types = (Conversation.Started, Conversation.MessageSent, Conversation.ReadUpTo, User.Erased)
    push_event = "conversation.updated"

    erased: set[str] = set()  # senders erased in the batch being folded

    def prepare(self, conn: Connection, events: Sequence[tuple[int, Any]]) -> None:
        """An erased sender's last message loses its text, as in the messages read model."""
        a, b = conversations.c.participant_a, conversations.c.participant_b
        self.erased = erased_uids(conn, events, (a, b))
        for uid in self.erased:
            held = conn.execute(select(conversations.c.id, conversations.c.last_message)
                                .where(or_(a == uid, b == uid)))
            for row_id, last in held.all():
                if last and last.get("sender_id") == uid:
                    conn.execute(update(conversations).where(conversations.c.id == row_id)
                                 .values(last_message={**last, "text": ERASED}))

    def key(self, event: Any) -> str:
        if isinstance(event, User.Erased):
            return f"erased:{event.originator_id}"  # no row of its own: `prepare` did its work
        return super().key(event)

    def fold(self, row: Row | None, event: Any, position: int) -> Row | None:
        return None if isinstance(event, User.Erased) else super().fold(row, event, position)

    def create(self, event: Conversation.Started, position: int) -> Row:
        a, b = event.participants
        return {"id": str(event.originator_id), "seq": position, "participant_a": a,
                "participant_b": b, "read_a": 0, "read_b": 0, "last_seq": 0, "last_message": None,
                "started_at": utc(event.at)}

    def change(self, row: Row, event: Any) -> Row:
        match event:
            case Conversation.MessageSent():
                last = show_message({"id": str(event.message_id), "seq": event.seq,
                                     "sender_id": event.sender_id,
                                     "text": ERASED if event.sender_id in self.erased else event.text,
                                     "client_message_id": event.client_message_id,
                                     "sent_at": utc(event.at)})
                return {"last_seq": event.seq, "last_message": last, **_read(row, event.sender_id, event.seq)}
            case Conversation.ReadUpTo():
                return _read(row, event.uid, event.seq)
        raise TypeError(f"conversations do not fold {type(event).__name__}")

    def out(self, row: Row) -> dict[str, Any]:
        return shown_to(row["participant_a"])(row)

    def changes(self, row: Row) -> list[Change]:
        return []


def _read(row: Row, uid: str, seq: int) -> Row:
    column = "read_a" if row["participant_a"] == uid else "read_b"
    return {column: max(int(row[column]), seq)}


def shown_to(uid: str) -> Any:
    def show(row: Row) -> dict[str, Any]:
        read = row["read_a"] if row["participant_a"] == uid else row["read_b"]
        return {"id": row["id"], "participants": [row["participant_a"], row["participant_b"]],
                "last_message": row["last_message"], "unread": int(row["last_seq"]) - int(read),
                "version": row["version"]}

    return show


def taking_part(actor: Actor) -> Any:
    return or_(conversations.c.participant_a == actor.uid, conversations.c.participant_b == actor.uid)


async def list_conversations(conn: ReadConnection, actor: Actor, *, limit: int,
                             cursor: str | None) -> Page:
    """The caller's conversations, newest first."""
    query = select(conversations).where(taking_part(actor))
    return await page(conn, query, conversations.c.seq, limit, cursor, shown_to(actor.uid))


async def get_conversation(conn: ReadConnection, actor: Actor,
                           conversation_id: str) -> dict[str, Any] | None:
    """The conversation as its participant sees it; None for anyone else."""
    query = select(conversations).where(conversations.c.id == conversation_id, taking_part(actor))
    row = (await conn.execute(query)).mappings().first()
    return None if row is None else shown_to(actor.uid)(dict(row))
