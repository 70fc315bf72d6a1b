"""The one event store every aggregate writes to: eventsourcing's Application, set up for GymGenius."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from copy import deepcopy
from typing import Any, ClassVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import EventStore, IntegrityError, JSONTranscoder, Mapper, StoredEvent
from eventsourcing.utils import strtobool

from application.idempotency import CommandLedger, IdempotencyClaim, RememberedAnswer
from application.ports import StaleWrite
from domain import conversation, workout_session
from infrastructure.eventstore.cache import CommittedAggregates
from infrastructure.eventstore.commit_hooks import CommitHooks
from infrastructure.eventstore.group_commit import GroupCommitter
from infrastructure.eventstore.keys import KeyStore, MemoryKeys
from infrastructure.eventstore.personal import KeyRing, PersonalDataMapper
from infrastructure.eventstore.stamped import StampedEventStore
from infrastructure.eventstore.transcodings import DOMAIN_TYPES, register_domain_types


def _fold(aggregate: Any, domain_events: Iterable[Any]) -> Any:
    """Replays events onto an aggregate (the library's default also checks a slow protocol)."""
    for domain_event in domain_events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


class EventLog(Application[UUID]):
    """GymGenius's event store: one ordered log of every aggregate's events (the EventStore port)."""

    name = "GymGenius"
    snapshotting_intervals: ClassVar = {workout_session.WorkoutSession: 50, conversation.Conversation: 100}

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_domain_types(transcoder, DOMAIN_TYPES)

    def __init__(self, env: Any = None) -> None:
        super().__init__(env)
        self.after_commit = CommitHooks()
        # Told each commit's recordings (metrics of what was recorded); they must not raise.
        self.observers: list[Callable[[Sequence[Any]], None]] = []
        self.cache = CommittedAggregates(int(self.env.get("COMMITTED_AGGREGATES_CACHED", "20000")))
        store: KeyStore = getattr(self.recorder, "keys", None) or MemoryKeys()
        self.keys = KeyRing(store, float(self.env.get("PERSONAL_KEYS_RECHECK_S", "0")))
        cast(PersonalDataMapper, self.mapper).keys = self.keys

    def construct_mapper(self) -> Mapper[UUID]:
        """Personal fields of events are sealed with their subject's key (crypto-shredding)."""
        return self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=PersonalDataMapper)

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

    def latest(self, aggregate_id: UUID, *, checked_within: float = 0.0) -> Aggregate | None:
        """A private copy of the aggregate as committed: from the cache plus newer events; or
        the cached copy alone, if this process wrote it or confirmed it within `checked_within` s."""
        with self.keys.scope():
            aggregate, fresh = self.cache.copy_of(aggregate_id, checked_within)
            if aggregate is not None and fresh:
                return aggregate
            if aggregate is not None:
                newer = list(self.events.get(aggregate_id, gt=aggregate.version))
                if not newer:
                    self.cache.confirm(aggregate_id, aggregate.version)
                    return aggregate
                aggregate = _fold(aggregate, newer)
            else:
                try:
                    aggregate = self.repository.get(aggregate_id, projector_func=_fold)
                except AggregateNotFoundError:
                    return None
        self.cache.keep(deepcopy(aggregate))  # as committed: the next reader reads only what is newer
        return aggregate

    def command_scope(self) -> AbstractContextManager[None]:
        """One command's reads and writes: the erasure epoch is read once for all of them."""
        return self.keys.scope()

    def commit(
        self, aggregate: Aggregate, meta: dict[str, Any], claims: Sequence[IdempotencyClaim]
    ) -> int:
        return self.commit_all([aggregate], meta, claims)

    def commit_all(
        self, aggregates: Sequence[Aggregate], meta: dict[str, Any], claims: Sequence[IdempotencyClaim]
    ) -> int:
        """One insert (one transaction, one group-commit entry) for every aggregate's events."""
        try:
            recordings = self.save(*aggregates, meta=meta, idempotency=list(claims))
        except IntegrityError as conflict:
            raise StaleWrite(str(conflict)) from conflict
        for aggregate in aggregates:
            self.cache.keep(aggregate)
        for observe in self.observers:
            observe(recordings)
        self.after_commit.committed()
        return recordings[-1].notification.id

    def find_answer(self, actor_id: str, key: str) -> RememberedAnswer | None:
        return self._ledger.find_answer(actor_id, key)

    def position_of(self, aggregate_id: UUID, version: int) -> int | None:
        return self._ledger.position_of(aggregate_id, version)

    @property
    def _ledger(self) -> CommandLedger:
        return cast(CommandLedger, self.recorder)
