"""The event log as projections and policies read it: decoded events after a position."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import MapperDeserialisationError
from eventsourcing.utils import TopicError

from domain.personal import personal_fields
from infrastructure.eventstore.log import EventLog


class Undecodable:
    """A stored event that could not be decoded; projections dead-letter it."""

    def __init__(self, topic: str, originator_id: Any, error: Exception) -> None:
        self.topic, self.originator_id, self.error = topic, originator_id, error


class EventLogSource:
    """Reads the log; recently decoded events are kept, so the read models that each read the
    same new events after a wake-up decode them once (events never change once stored). Those
    holding personal data are kept with the erasure epoch they were opened in, and served again
    only while the epoch is the same (read once per batch, as opening them reads it): once any
    subject is erased, they are opened afresh, and an erased subject's read `<erased>`."""

    def __init__(self, log: EventLog, remember: int = 4096) -> None:
        self.log = log
        self._decoded: OrderedDict[int, Any] = OrderedDict()
        self._opened: OrderedDict[int, tuple[int, Any]] = OrderedDict()  # position -> (epoch, event)
        self._traces: OrderedDict[int, str] = OrderedDict()  # position -> the trace id in its metadata
        self._remember = remember
        self._guard = threading.Lock()

    def read(self, after: int, limit: int) -> Sequence[tuple[int, Any]]:
        notifications = self.log.recorder.select_notifications(
            after + 1, limit, inclusive_of_start=True
        )
        with self.log.keys.scope():
            return [(n.id, self._recall(n)) for n in notifications]

    def trace_of(self, position: int) -> str:
        """The trace id of the event at a position recently read ("" if unknown)."""
        with self._guard:
            return self._traces.get(position, "")

    def _recall(self, notification: Any) -> Any:
        with self._guard:
            found = self._decoded.get(notification.id)
            opened = self._opened.get(notification.id)
        if found is not None:
            return found
        if opened is not None and opened[0] == self.log.keys.epoch():
            return opened[1]
        before = self.log.keys.epoch(fresh=False)  # the keys it is opened with are at least this new
        event = self._decode(notification)
        trace_id = (getattr(event, "meta", None) or {}).get("trace_id")
        if isinstance(trace_id, str) and trace_id:
            with self._guard:
                self._traces[notification.id] = trace_id
                while len(self._traces) > self._remember:
                    self._traces.popitem(last=False)
        if personal_fields(type(event)):  # kept with its epoch: an erasure must take effect at once
            with self._guard:  # served again only if no subject was erased since `before`
                self._opened[notification.id] = (before, event)
                while len(self._opened) > self._remember:
                    self._opened.popitem(last=False)
            return event
        with self._guard:
            self._decoded[notification.id] = event
            while len(self._decoded) > self._remember:
                self._decoded.popitem(last=False)
        return event

    def head(self) -> int:
        return self.log.recorder.max_notification_id() or 0

    def _decode(self, notification: Any) -> Any:
        try:
            return self.log.mapper.to_domain_event(notification)
        except (MapperDeserialisationError, TopicError, ValueError, TypeError, KeyError) as error:
            return Undecodable(notification.topic, notification.originator_id, error)
