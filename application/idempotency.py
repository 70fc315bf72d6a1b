"""The port through which commands remember their idempotency keys, atomically with events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID


@dataclass(frozen=True)
class IdempotencyClaim:
    """Written by the recorder in the same transaction as the command's events."""

    actor_id: str
    key: str
    fingerprint: str
    aggregate_id: UUID
    version: int
    created: bool
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RememberedAnswer:
    fingerprint: str
    aggregate_id: UUID
    version: int
    position: int
    created: bool
    extra: dict[str, Any]


class CommandLedger(Protocol):
    def find_answer(self, actor_id: str, key: str) -> RememberedAnswer | None: ...

    def position_of(self, aggregate_id: UUID, version: int) -> int | None: ...
