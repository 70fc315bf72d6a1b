"""The event log as projections and policies read it: decoded events after a position."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import MapperDeserialisationError
from eventsourcing.utils import TopicError

from application.event_log import EventLog


class Undecodable:
    """A stored event that could not be decoded; projections dead-letter it."""

    def __init__(self, topic: str, originator_id: Any, error: Exception) -> None:
        self.topic, self.originator_id, self.error = topic, originator_id, error


class EventLogSource:
    def __init__(self, log: EventLog) -> None:
        self.log = log

    def read(self, after: int, limit: int) -> Sequence[tuple[int, Any]]:
        notifications = self.log.recorder.select_notifications(
            after + 1, limit, inclusive_of_start=True
        )
        return [(n.id, self._decode(n)) for n in notifications]

    def head(self) -> int:
        return self.log.recorder.max_notification_id() or 0

    def _decode(self, notification: Any) -> Any:
        try:
            return self.log.mapper.to_domain_event(notification)
        except (MapperDeserialisationError, TopicError, ValueError, TypeError, KeyError) as error:
            return Undecodable(notification.topic, notification.originator_id, error)
