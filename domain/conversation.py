"""A conversation between two people: a client and one of their staff (or an admin and anyone).

One pair has one conversation: its id derives from the two uids, so two requests racing to open
it write the same aggregate. Messages are its events; the aggregate keeps only what a decision
needs (who takes part, the last seq, how far each side has read), never the messages, so a long
conversation stays as cheap to change as a new one.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue, RuleViolation

NAMESPACE = UUID("6b0f5a4e-1c2d-4e8f-9a3b-7d5e2c1f0a94")
MAX_MESSAGE = 4000
MAX_CLIENT_MESSAGE_ID = 128


def conversation_id(one: str, other: str) -> UUID:
    return uuid5(NAMESPACE, "\x1f".join(sorted((one, other))))


def message_id(conversation: UUID, sender_id: str, client_message_id: str) -> UUID:
    """A message's id: the same for a repeat of the same sender's client_message_id."""
    return uuid5(conversation, f"{sender_id}\x1f{client_message_id}")


class NotParticipant(RuleViolation):
    """Only the two participants may send or read."""


class Conversation(Aggregate):
    """Two participants exchanging messages; each reads up to a message's seq."""

    class Started(Aggregate.Created):
        participants: list[str]
        pair: list[str] | None  # (client, staff): the relationship it is opened under, if any
        started_by: str
        at: datetime

    class MessageSent(Aggregate.Event):
        personal: ClassVar[tuple[str, ...]] = ("text",)
        personal_subject: ClassVar[str] = "sender_id"
        message_id: UUID
        seq: int
        sender_id: str
        text: str
        client_message_id: str
        at: datetime

    class ReadUpTo(Aggregate.Event):
        uid: str
        seq: int
        at: datetime

    @staticmethod
    def create_id(participants: list[str], pair: list[str] | None, started_by: str,  # type: ignore[override]
                  at: datetime) -> UUID:
        return conversation_id(*participants)

    @event(Started)
    def __init__(self, participants: list[str], pair: list[str] | None, started_by: str,
                 at: datetime) -> None:
        self.participants = list(participants)
        self.pair = list(pair) if pair else None
        self.seq = 0
        self.last_message_id: UUID | None = None
        self.read: dict[str, int] = dict.fromkeys(participants, 0)

    @classmethod
    def start(cls, one: str, other: str, pair: list[str] | None, at: datetime) -> Conversation:
        """`one` opens a conversation with `other`, under their relationship `pair` if any."""
        if one == other:
            raise InvalidValue("with", "a conversation needs two people")
        return cls(participants=sorted((one, other)), pair=pair, started_by=one, at=at)

    def takes_part(self, uid: str) -> bool:
        return uid in self.participants

    def other_than(self, uid: str) -> str:
        return next(p for p in self.participants if p != uid)

    def send(self, sender_id: str, text: str, client_message_id: str, at: datetime) -> int:
        """A participant's message gets the next seq; sending also reads everything before it."""
        self._require_participant(sender_id)
        if not text.strip() or len(text) > MAX_MESSAGE:
            raise InvalidValue("text", f"must be 1 to {MAX_MESSAGE} characters")
        if not client_message_id or len(client_message_id) > MAX_CLIENT_MESSAGE_ID:
            raise InvalidValue("client_message_id", f"must be 1 to {MAX_CLIENT_MESSAGE_ID} characters")
        self._message_sent(message_id=message_id(self.id, sender_id, client_message_id),
                           seq=self.seq + 1, sender_id=sender_id, text=text,
                           client_message_id=client_message_id, at=at)
        return self.seq

    @event(MessageSent)
    def _message_sent(self, message_id: UUID, seq: int, sender_id: str, text: str,
                      client_message_id: str, at: datetime) -> None:
        self.seq, self.last_message_id = seq, message_id
        self.read[sender_id] = seq

    def read_up_to(self, uid: str, seq: int, at: datetime) -> None:
        """Reads up to a sent message's seq; reading back (or again) changes nothing."""
        self._require_participant(uid)
        if not 0 <= seq <= self.seq:
            raise InvalidValue("up_to", f"must be a message's seq, 0 to {self.seq}")
        if seq > self.read.get(uid, 0):
            self._read_up_to(uid=uid, seq=seq, at=at)

    @event(ReadUpTo)
    def _read_up_to(self, uid: str, seq: int, at: datetime) -> None:
        self.read[uid] = seq

    def _require_participant(self, uid: str) -> None:
        if not self.takes_part(uid):
            raise NotParticipant("only the conversation's participants may do this")
