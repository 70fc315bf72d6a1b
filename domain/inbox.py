"""A user's inbox: which of their notifications they have read.

Notifications themselves are a read model (folded from the events of payments, subscriptions,
plans ...), so what a user has read is recorded here, as events, and survives a rebuild. Each
notification has an order (`seq`) in its recipient's list; reading "up to" one reads every
notification up to that order, reading some by id reads just those.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.values import MAX_ID, require_text

NAMESPACE = UUID("9d2b6c1e-4f7a-4e3b-8a51-2c7e0f9b3d64")
MAX_READ_AT_ONCE = 100  # ids in one Read


def inbox_id(uid: str) -> UUID:
    return uuid5(NAMESPACE, uid)


class Inbox(Aggregate):
    """One user's reading of their notifications: read up to an order, and read one by one after it."""

    class Opened(Aggregate.Created):
        uid: str
        at: datetime

    class ReadUpTo(Aggregate.Event):
        notification_id: str
        seq: int
        at: datetime

    class Read(Aggregate.Event):
        items: list[list[str | int]]  # [notification id, seq] pairs, each after `read_up_to`
        at: datetime

    @staticmethod
    def create_id(uid: str) -> UUID:  # type: ignore[override]
        return inbox_id(uid)

    @event(Opened)
    def __init__(self, uid: str, at: datetime) -> None:
        self.uid = uid
        self.read_up_to = 0
        self.read: dict[str, int] = {}  # notification id -> seq, for those read after `read_up_to`

    @classmethod
    def open(cls, uid: str, at: datetime) -> Inbox:
        return cls(uid=require_text("uid", uid, MAX_ID), at=at)

    def mark_up_to(self, notification_id: str, seq: int, at: datetime) -> None:
        """Everything up to this notification is read; an earlier one changes nothing."""
        if seq > self.read_up_to:
            self._read_up_to(notification_id=notification_id, seq=seq, at=at)

    @event(ReadUpTo)
    def _read_up_to(self, notification_id: str, seq: int, at: datetime) -> None:
        self.read_up_to = seq
        self.read = {k: s for k, s in self.read.items() if s > seq}

    def mark(self, found: dict[str, int], at: datetime) -> None:
        """These notifications are read; those already read change nothing."""
        new = sorted((s, k) for k, s in found.items() if s > self.read_up_to and k not in self.read)
        if new:
            self._read(items=[[k, s] for s, k in new], at=at)

    @event(Read)
    def _read(self, items: list[list[str | int]], at: datetime) -> None:
        self.read.update({str(k): int(s) for k, s in items})
