"""An in-memory event store (eventsourcing's POPO) that keeps idempotency keys with the events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory

from application.idempotency import IdempotencyClaim, RememberedAnswer
from infrastructure.eventstore.keys import MemoryKeys


class MemoryRecorder(POPOApplicationRecorder):
    """Events and claims are checked and written under one lock, as one transaction."""

    def __init__(self) -> None:
        super().__init__()
        self._claims: dict[tuple[str, str], IdempotencyClaim] = {}
        self.keys = MemoryKeys()

    def _assert_uniqueness(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        claims: Sequence[IdempotencyClaim] = kwargs.get("idempotency", ())
        keys = [(c.actor_id, c.key) for c in claims]
        if len(set(keys)) < len(keys) or any(key in self._claims for key in keys):
            raise IntegrityError(f"idempotency key already claimed: {keys}")
        super()._assert_uniqueness(stored_events, **kwargs)

    def _update_table(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids = super()._update_table(stored_events, **kwargs)
        for claim in kwargs.get("idempotency", ()):
            self._claims[(claim.actor_id, claim.key)] = claim
        return ids

    def find_answer(self, actor_id: str, key: str) -> RememberedAnswer | None:
        with self._database_lock:
            claim = self._claims.get((actor_id, key))
            if claim is None:
                return None
            position = self.position_of(claim.aggregate_id, claim.version) or 0
        return RememberedAnswer(claim.fingerprint, claim.aggregate_id, claim.version,
                                position, claim.created, claim.extra)

    def position_of(self, aggregate_id: UUID, version: int) -> int | None:
        with self._database_lock:
            index = self._stored_events_index[str(aggregate_id)].get(version)
        return None if index is None else index + 1


class MemoryFactory(POPOFactory):
    def application_recorder(self) -> MemoryRecorder:
        return MemoryRecorder()
