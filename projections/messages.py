"""Chat messages read model: one row per message, paged newest first within its conversation.

A message's push (`chat.message`) goes to its conversation's room once the row is committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    select,
    update,
)

from domain.conversation import Conversation
from domain.personal import ERASED
from domain.user import User
from projections.model import Change, ReadModel, Row
from projections.pages import Page, page
from projections.reading import ReadConnection
from projections.schema import metadata
from projections.users import erased_uids
from projections.values import iso, utc

messages = Table(
    "chat_messages",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("conversation_id", String(36), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("sender_id", String(128), nullable=False),
    Column("text", Text, nullable=False),
    Column("client_message_id", String(128), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
    Index("ix_chat_messages_conversation_seq", "conversation_id", "seq", unique=True),
)

CHAT_ROOM = "chat:"


class MessagesModel(ReadModel):
    name = "chat_messages"
    table = messages
    created_by = Conversation.MessageSent
    event_types = (Conversation.MessageSent, User.Erased)
    push_event = "chat.message"
    hot = True  # the other participant is waiting for it

    erased: set[str] = set()  # senders erased in the batch being folded

    def prepare(self, conn: Connection, events: Sequence[tuple[int, Any]]) -> None:
        """An erased sender's messages lose their text (a rebuild could not read it either): those
        stored now, and those folded in the same batch."""
        self.erased = erased_uids(conn, events, (messages.c.sender_id,))
        for uid in self.erased:
            conn.execute(update(messages).where(messages.c.sender_id == uid).values(text=ERASED))

    def key(self, event: Any) -> str:
        if isinstance(event, User.Erased):
            return f"erased:{event.originator_id}"  # no row of its own: `prepare` did its work
        return str(event.message_id)

    def fold(self, row: Row | None, event: Any, position: int) -> Row | None:
        return None if isinstance(event, User.Erased) else super().fold(row, event, position)

    def create(self, event: Conversation.MessageSent, position: int) -> Row:
        return {"id": str(event.message_id), "conversation_id": str(event.originator_id),
                "seq": event.seq, "sender_id": event.sender_id,
                "text": ERASED if event.sender_id in self.erased else event.text,
                "client_message_id": event.client_message_id, "sent_at": utc(event.at)}

    def change(self, row: Row, event: Any) -> Row:
        raise TypeError(f"a message is never changed; chat_messages do not fold {type(event).__name__}")

    def out(self, row: Row) -> dict[str, Any]:
        return show(row)

    def rooms(self, row: Row) -> tuple[str, ...]:
        return (CHAT_ROOM + str(row["conversation_id"]),)

    def changes(self, row: Row) -> list[Change]:
        return [Change(self.push_event, str(row["id"]), int(row["position"]), self.rooms(row),
                       self.out(row), fields=(("conversation_id", str(row["conversation_id"])),))]


def show(row: Row) -> dict[str, Any]:
    kept = ("id", "seq", "sender_id", "text", "client_message_id")
    return {**{k: row[k] for k in kept}, "sent_at": iso(row["sent_at"])}


async def list_messages(conn: ReadConnection, conversation_id: str, *, limit: int,
                        cursor: str | None) -> Page:
    """A conversation's messages, newest first (the caller was checked to take part)."""
    query = select(messages).where(messages.c.conversation_id == conversation_id)
    return await page(conn, query, messages.c.seq, limit, cursor, show)
