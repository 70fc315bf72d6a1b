"""How every command reaches the event store: a repeat is answered, a change is loaded, decided, recorded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.context import CommandContext, CommandResult
from application.errors import IdempotencyKeyReused, NotFound, VersionConflict
from application.idempotency import IdempotencyClaim
from application.ports import EventStore, StaleWrite

A = TypeVar("A", bound=Aggregate)


class Aggregates:
    """The aggregates as command handlers see them. Every command is all or nothing.

    A command with an Idempotency-Key that was already answered gets the first answer again
    (the same key with another body is refused); the key is recorded with the events.
    """

    def __init__(self, store: EventStore) -> None:
        self.store = store

    def load(self, kind: type[A], aggregate_id: UUID, expected_version: int | None = None, *,
             checked_within: float = 0.0) -> A:
        aggregate = self.store.latest(aggregate_id, checked_within=checked_within)
        if not isinstance(aggregate, kind):
            raise NotFound(kind.__name__, aggregate_id)
        if expected_version is not None and aggregate.version != expected_version:
            raise VersionConflict(f"expected version {expected_version}, is {aggregate.version}")
        return aggregate

    def create(self, ctx: CommandContext, decide: Callable[[], Aggregate]) -> CommandResult:
        return self.execute(ctx, decide, created=True)

    def change(
        self, ctx: CommandContext, kind: type[A], aggregate_id: UUID, version: int | None,
        act: Callable[[A], object],
    ) -> CommandResult:
        """Loads the aggregate (at the expected version, if given), lets `act` change it, records it."""

        def decide() -> A:
            aggregate = self.load(kind, aggregate_id, version)
            act(aggregate)
            return aggregate

        return self.execute(ctx, decide)

    def execute(
        self, ctx: CommandContext, decide: Callable[[], Aggregate], *, created: bool = False,
        extra: Callable[[Aggregate], dict[str, Any]] | None = None, optimistic: bool = False,
    ) -> CommandResult:
        """Replays a remembered answer, or decides, records and answers.

        `optimistic` (for commands that are seldom repeated, such as chat messages, whose key the
        server derives): the answers are read only when deciding fails or the write conflicts, since
        a repeat's claim conflicts with the first's; a repeat still gets the first answer.
        """
        with self.store.command_scope():
            return self._execute(ctx, decide, created, extra, optimistic)

    def _execute(
        self, ctx: CommandContext, decide: Callable[[], Aggregate], created: bool,
        extra: Callable[[Aggregate], dict[str, Any]] | None, optimistic: bool,
    ) -> CommandResult:
        if not optimistic and (remembered := self._remembered(ctx)) is not None:
            return remembered
        try:
            aggregate = decide()
        except Exception:
            if optimistic and (remembered := self._remembered(ctx)) is not None:
                return remembered
            raise
        details = extra(aggregate) if extra else {}
        if not aggregate.pending_events:  # nothing to record: answer where the aggregate stands
            position = self.store.position_of(aggregate.id, aggregate.version) or 0
            return CommandResult(aggregate.id, aggregate.version, position, created, details)
        try:
            position = self.store.commit(aggregate, ctx.metadata(), _claims(ctx, aggregate, created, details))
        except StaleWrite:
            remembered = self._remembered(ctx)
            if remembered is not None:
                return remembered
            raise VersionConflict("another command changed this aggregate first") from None
        return CommandResult(aggregate.id, aggregate.version, position, created, details)

    def _remembered(self, ctx: CommandContext) -> CommandResult | None:
        if not ctx.idempotency_key:
            return None
        answer = self.store.find_answer(ctx.actor.uid, ctx.idempotency_key)
        if answer is None:
            return None
        if answer.fingerprint != ctx.fingerprint:
            raise IdempotencyKeyReused("this Idempotency-Key was used with another request")
        return CommandResult(
            answer.aggregate_id, answer.version, answer.position, answer.created, answer.extra
        )


def _claims(
    ctx: CommandContext, aggregate: Aggregate, created: bool, extra: dict[str, Any]
) -> list[IdempotencyClaim]:
    if not ctx.idempotency_key:
        return []
    return [IdempotencyClaim(ctx.actor.uid, ctx.idempotency_key, ctx.fingerprint,
                             aggregate.id, aggregate.version, created, extra)]
