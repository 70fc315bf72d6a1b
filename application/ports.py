"""What commands need of the event store, as the application sees it."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.idempotency import CommandLedger, IdempotencyClaim


class StaleWrite(Exception):
    """The store refused a write: an event at that version, or that idempotency key, is there."""


class EventStore(CommandLedger, Protocol):
    def latest(self, aggregate_id: UUID, *, checked_within: float = 0.0) -> Aggregate | None:
        """A private copy of the aggregate as last committed, or None if there is none.

        `checked_within` > 0 accepts this process's copy without reading the store, if the
        process wrote it or found it the latest less than that many seconds ago: for a command
        whose write conflicts when the copy is behind (float("inf")), or a check that may lag.
        """

    def command_scope(self) -> AbstractContextManager[None]:
        """Wraps one command: what it reads and writes sees one erasure epoch of personal keys."""

    def commit(
        self, aggregate: Aggregate, meta: dict[str, Any], claims: Sequence[IdempotencyClaim]
    ) -> int:
        """Writes the pending events and the claims in one transaction; the last event's position.

        Raises StaleWrite when another command wrote first.
        """

    def commit_all(
        self, aggregates: Sequence[Aggregate], meta: dict[str, Any], claims: Sequence[IdempotencyClaim]
    ) -> int:
        """Writes the pending events of several aggregates and the claims in one transaction (all
        or nothing); the last event's position. Raises StaleWrite when any of them was written first.
        """
