"""What every command carries besides its own fields: who, when, which trace, which key."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.values import Actor


@dataclass(frozen=True)
class CommandContext:
    actor: Actor
    at: datetime
    trace_id: str
    idempotency_key: str | None = None
    fingerprint: str = ""

    def metadata(self) -> dict[str, Any]:
        meta = {"actor_id": self.actor.uid, "role": self.actor.role.value, "trace_id": self.trace_id}
        if self.idempotency_key:
            meta["idempotency_key"] = self.idempotency_key
        return meta


@dataclass(frozen=True)
class CommandResult:
    """The answer to a command: the aggregate, its new version, the last event's position."""

    id: UUID
    version: int
    position: int
    created: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def fingerprint(route: str, body: Any) -> str:
    """A stable digest of a command's route and body, to tell a repeat from a reuse of a key."""
    canonical = json.dumps([route, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def step(ctx: CommandContext, name: str) -> CommandContext:
    """The context of one step of a command that records several aggregates: its own key,
    derived from the command's, so a repeat finishes an interrupted command, never doubles it."""
    key = f"{ctx.idempotency_key}:{name}" if ctx.idempotency_key else None
    return replace(ctx, idempotency_key=key)
