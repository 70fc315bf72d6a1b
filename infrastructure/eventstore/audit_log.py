"""The auditors' view of the event store: events with their log positions, read as stored."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import TopicError, get_topic

from application.audit import Audit, LoggedEvent, unreadable
from domain.payment import Payment
from domain.reconciliation import Reconciliation
from infrastructure.eventstore import event_store_env
from infrastructure.eventstore.log import EventLog
from infrastructure.settings import Settings

PAYMENT_TOPICS = sorted(
    get_topic(v)
    for v in vars(Payment).values()
    if isinstance(v, type)
    and issubclass(v, Payment.Event)
    and v not in (Payment.Event, Payment.Created, Payment.Linked)
)


class LogReader:
    """Reads the log for auditors: an event that no longer decodes is given as None, never raised."""

    def __init__(self, log: EventLog) -> None:
        self.log = log

    def events_of(self, aggregate_id: UUID) -> list[LoggedEvent]:
        recorder: Any = self.log.recorder
        stored = recorder.select_events(aggregate_id)
        positioned = [(recorder.position_of(aggregate_id, s.originator_version), s) for s in stored]
        return sorted((self._logged(p or 0, s) for p, s in positioned), key=lambda e: e.position)

    def payment_events(self, after_position: int, limit: int) -> list[LoggedEvent]:
        found = self.log.recorder.select_notifications(after_position + 1, limit, topics=PAYMENT_TOPICS)
        return [self._logged(n.id, n) for n in found]

    def payment_records(self, after_position: int, limit: int) -> list[dict[str, Any]]:
        found = self.log.recorder.select_notifications(after_position + 1, limit, topics=PAYMENT_TOPICS)
        return [stored_record(n.id, n) for n in found]

    def reconciliation_ids(self) -> list[UUID]:
        return reconciliation_ids(self.log)

    def _logged(self, position: int, stored: StoredEvent) -> LoggedEvent:
        aggregate_id = UUID(str(stored.originator_id))
        try:
            event = self.log.mapper.to_domain_event(stored)
        except (ValueError, TypeError, KeyError, AttributeError, TopicError):
            event = None
        return LoggedEvent(position, aggregate_id, stored.originator_version, event)


def open_audit(settings: Settings) -> tuple[Audit, EventLog]:
    """The auditors' application over the configured event store, without the rest of the system
    (the caller closes the log)."""
    log = EventLog(env=event_store_env(settings))
    return Audit(LogReader(log)), log


REQUESTED = [get_topic(Reconciliation.Requested)]


def reconciliation_ids(log: EventLog, page: int = 500) -> list[UUID]:
    """Every reconciliation run, oldest first (from its Requested events)."""
    found: list[UUID] = []
    after = 0
    while batch := log.recorder.select_notifications(after + 1, page, topics=REQUESTED):
        found += [UUID(str(n.originator_id)) for n in batch]
        after = batch[-1].id
    return found


NOT_DATA = frozenset(
    {
        "timestamp",
        "originator_topic",
        "originator_id",
        "originator_version",
        "prev_hash",
        "hash",
        "meta",
        "class_version",
    }
)
LATER: dict[str, frozenset[str]] = {
    topic: getattr(getattr(Payment, topic.rsplit(".", 1)[1]), "added_later", frozenset())
    for topic in PAYMENT_TOPICS
}


def stored_record(position: int, stored: StoredEvent) -> dict[str, Any]:
    """A payment event's chain record read straight from its stored JSON: each transcoded value
    (`{"_type_", "_data_"}`) is its `_data_`, which is the canonical form's value."""
    payment_id, version = str(stored.originator_id), stored.originator_version
    try:
        state = json.loads(stored.state.decode(), object_hook=_unwrapped)
        later = LATER[stored.topic]
        data = {k: v for k, v in state.items() if k not in NOT_DATA and not (k in later and v is None)}
        return {
            "position": position,
            "payment_id": payment_id,
            "version": version,
            "type": stored.topic.rsplit(".", 1)[1],
            "timestamp": state["timestamp"],
            "data": data,
            "prev_hash": state["prev_hash"],
            "hash": state["hash"],
        }
    except (ValueError, TypeError, KeyError, AttributeError):
        return unreadable(position, UUID(payment_id), version) | {"payment_id": payment_id}


def _unwrapped(value: dict[str, Any]) -> Any:
    return value["_data_"] if "_type_" in value else value
