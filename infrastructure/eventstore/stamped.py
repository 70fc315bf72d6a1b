"""How events are written: stamped with their command's metadata, alone or in a group commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import AggregateRecorder, EventStore, Mapper, Notification, Recording

from infrastructure.eventstore.group_commit import GroupCommitter


class StampedEventStore(EventStore[UUID]):
    """Writes the command's metadata into the body of every event it records.

    With a committer, a command's events wait to be written with other commands' in one
    transaction; its idempotency claims (`idempotency=[...]`) go in the same transaction.
    """

    def __init__(
        self, mapper: Mapper[UUID], recorder: AggregateRecorder, committer: GroupCommitter | None
    ) -> None:
        super().__init__(mapper, recorder)
        self.committer = committer

    def put(self, domain_events: Sequence[Any], **kwargs: Any) -> list[Recording[UUID]]:
        meta = kwargs.pop("meta", None)
        for domain_event in domain_events:
            object.__setattr__(domain_event, "meta", meta or {})
        if self.committer is None or not domain_events or kwargs.get("tracking") is not None:
            return super().put(domain_events, **kwargs)
        stored = [self.mapper.to_stored_event(e) for e in domain_events]
        positions = self.committer.write(stored, kwargs.get("idempotency", ()))
        return [
            Recording(d, Notification(id=n, originator_id=s.originator_id, topic=s.topic,
                                      originator_version=s.originator_version, state=s.state))
            for d, s, n in zip(domain_events, stored, positions, strict=True)
        ]
