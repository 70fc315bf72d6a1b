"""The one event store every aggregate writes to, and how a command reaches it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import EventStore, IntegrityError, JSONTranscoder, StoredEvent
from eventsourcing.utils import strtobool

from application.aggregate_cache import CommittedAggregates
from application.commit_hooks import CommitHooks
from application.context import CommandContext, CommandResult
from application.errors import IdempotencyKeyReused, NotFound, VersionConflict
from application.event_store import StampedEventStore
from application.group_commit import GroupCommitter
from application.idempotency import CommandLedger, IdempotencyClaim
from application.transcodings import register_domain_types
from domain import payment, plan, subscription, values, workout_session

A = TypeVar("A", bound=Aggregate)

DOMAIN_TYPES: list[type] = [
    values.Role,
    values.Money,
    workout_session.SessionStatus,
    workout_session.LoggedSet,
    workout_session.SessionSummary,
    *plan.VALUE_TYPES,
    *subscription.VALUE_TYPES,
    *payment.VALUE_TYPES,
]


def _fold(aggregate: Any, domain_events: Iterable[Any]) -> Any:
    """Replays events onto an aggregate (the library's default also checks a slow protocol)."""
    for domain_event in domain_events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


class EventLog(Application[UUID]):
    """GymGenius's event store: one ordered log of every aggregate's events."""

    name = "GymGenius"
    snapshotting_intervals: ClassVar = {workout_session.WorkoutSession: 50}

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_domain_types(transcoder, DOMAIN_TYPES)

    def __init__(self, env: Any = None) -> None:
        super().__init__(env)
        self.after_commit = CommitHooks()
        self.cache = CommittedAggregates(int(self.env.get("COMMITTED_AGGREGATES_CACHED", "1000")))

    def construct_event_store(self) -> EventStore[UUID]:
        """Commands are written in groups unless GROUP_COMMIT is off."""
        grouped = strtobool(self.env.get("GROUP_COMMIT", "y"))
        self.committer = GroupCommitter(self._insert) if grouped else None
        return StampedEventStore(self.mapper, self.recorder, self.committer)

    def _insert(
        self, stored_events: list[StoredEvent], claims: list[IdempotencyClaim]
    ) -> Sequence[int] | None:
        return self.recorder.insert_events(stored_events, idempotency=claims)

    def close(self) -> None:
        if self.committer is not None:
            self.committer.close()
        super().close()

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """Snapshots each saved aggregate that reached a multiple of its interval, as it stands.

        (The library would first rebuild it from the store; the aggregate in hand is the same.)
        """
        due: dict[UUID, Any] = {}
        for event in processing_event.events:
            aggregate: Any = processing_event.aggregates.get(event.originator_id)
            interval = self.snapshotting_intervals.get(type(aggregate), 0)
            if interval and event.originator_version % interval == 0:
                due[event.originator_id] = aggregate
        for aggregate in due.values():
            if self.snapshots is not None:
                self.snapshots.put([type(aggregate).Snapshot.take(aggregate)])

    @property
    def ledger(self) -> CommandLedger:
        return cast(CommandLedger, self.recorder)

    def load(self, kind: type[A], aggregate_id: UUID, expected_version: int | None = None) -> A:
        aggregate = self._latest(aggregate_id)
        if not isinstance(aggregate, kind):
            raise NotFound(kind.__name__, aggregate_id)
        if expected_version is not None and aggregate.version != expected_version:
            raise VersionConflict(f"expected version {expected_version}, is {aggregate.version}")
        return aggregate

    def _latest(self, aggregate_id: UUID) -> Aggregate | None:
        """A private copy of the aggregate as committed: from the cache plus newer events."""
        aggregate = self.cache.copy_of(aggregate_id)
        if aggregate is not None:
            return _fold(aggregate, self.events.get(aggregate_id, gt=aggregate.version))
        try:
            return self.repository.get(aggregate_id, projector_func=_fold)
        except AggregateNotFoundError:
            return None

    def execute(
        self,
        ctx: CommandContext,
        decide: Callable[[], Aggregate],
        *,
        created: bool = False,
        extra: Callable[[Aggregate], dict[str, Any]] | None = None,
    ) -> CommandResult:
        """Replays a remembered answer, or decides, records and answers, all or nothing."""
        remembered = self._remembered(ctx)
        if remembered is not None:
            return remembered
        aggregate = decide()
        details = extra(aggregate) if extra else {}
        try:
            return self._commit(ctx, aggregate, created, details)
        except IntegrityError:
            remembered = self._remembered(ctx)
            if remembered is not None:
                return remembered
            raise VersionConflict("another command changed this aggregate first") from None

    def _commit(
        self, ctx: CommandContext, aggregate: Aggregate, created: bool, extra: dict[str, Any]
    ) -> CommandResult:
        claims = []
        if ctx.idempotency_key and aggregate.pending_events:
            claims.append(IdempotencyClaim(
                ctx.actor.uid, ctx.idempotency_key, ctx.fingerprint,
                aggregate.id, aggregate.version, created, extra,
            ))
        recordings = self.save(aggregate, meta=ctx.metadata(), idempotency=claims)
        if recordings:
            position = recordings[-1].notification.id
            self.cache.keep(aggregate)
            self.after_commit.committed()
        else:
            position = self.ledger.position_of(aggregate.id, aggregate.version) or 0
        return CommandResult(aggregate.id, aggregate.version, position, created, extra)

    def _remembered(self, ctx: CommandContext) -> CommandResult | None:
        if not ctx.idempotency_key:
            return None
        answer = self.ledger.find_answer(ctx.actor.uid, ctx.idempotency_key)
        if answer is None:
            return None
        if answer.fingerprint != ctx.fingerprint:
            raise IdempotencyKeyReused("this Idempotency-Key was used with another request")
        return CommandResult(
            answer.aggregate_id, answer.version, answer.position, answer.created, answer.extra
        )
