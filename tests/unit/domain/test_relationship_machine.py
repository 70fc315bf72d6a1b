"""Random command sequences on a Relationship never break its invariants, and its events rebuild it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from eventsourcing.domain import Snapshot
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.errors import DomainError
from domain.relationship import (
    ACTIVE,
    ADMIN,
    CARRIED_OVER,
    DECLINED,
    ENDED,
    INVITED,
    PURCHASE,
    Relationship,
)
from domain.values import Actor, Role
from infrastructure.eventstore.log import EventLog

T0 = datetime(2026, 11, 1, tzinfo=UTC)
MAPPER = EventLog(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
ACTORS = st.sampled_from([Actor("alice", Role.CLIENT), Actor("bob", Role.CLIENT),
                          Actor("tom", Role.TRAINER), Actor("tina", Role.TRAINER),
                          Actor("root", Role.ADMIN), Actor("su", Role.SUPERADMIN)])
ALLOWED = {INVITED: {ACTIVE, DECLINED}, ACTIVE: {ENDED}, DECLINED: set(), ENDED: set()}


def state_of(rel: Relationship) -> dict[str, str]:
    return {k: repr(v) for k, v in vars(rel).items() if k != "_pending_events"}


class RelationshipMachine(RuleBasedStateMachine):
    rel: Relationship

    @initialize(origin=st.sampled_from([None, PURCHASE, ADMIN, CARRIED_OVER]),
                role=st.sampled_from([Role.TRAINER, Role.NUTRITIONIST]))
    def begin(self, origin: str | None, role: Role) -> None:
        staff = Actor("tom", role)
        self.rel = (Relationship.invite(staff, "alice", 0, T0) if origin is None
                    else Relationship.start("alice", "tom", role, 0, origin, "root", T0))
        self.events = list(self.rel.collect_events())
        self.statuses = [self.rel.status]
        self.clock = T0

    def _try(self, change: Any) -> None:
        before = state_of(self.rel)
        self.clock += timedelta(minutes=1)
        try:
            change()
        except DomainError:
            assert state_of(self.rel) == before
        self.events.extend(self.rel.collect_events())
        self.statuses.append(self.rel.status)
        event(self.rel.status)

    @rule(actor=ACTORS)
    def accept(self, actor: Actor) -> None:
        self._try(lambda: self.rel.accept(actor, self.clock))

    @rule(actor=ACTORS)
    def decline(self, actor: Actor) -> None:
        self._try(lambda: self.rel.decline(actor, self.clock))

    @rule(actor=ACTORS)
    def end(self, actor: Actor) -> None:
        self._try(lambda: self.rel.end(actor, self.clock))

    @rule(origin=st.sampled_from([PURCHASE, ADMIN]))
    def consent(self, origin: str) -> None:
        self._try(lambda: self.rel.consent(origin, self.clock))

    @invariant()
    def statuses_only_move_forward(self) -> None:
        for before, after in zip(self.statuses, self.statuses[1:], strict=False):
            assert after == before or after in ALLOWED[before], (before, after)

    @invariant()
    def only_the_client_answers_and_only_a_side_or_an_admin_ends(self) -> None:
        ended = [e for e in self.events if isinstance(e, Relationship.Ended)]
        assert len(ended) <= 1
        assert all(e.by in ("alice", "tom") or e.by_role in ("admin", "superadmin") for e in ended)
        assert (self.rel.status == ENDED) == bool(ended)

    @invariant()
    def an_active_relationship_always_says_how_it_started(self) -> None:
        if self.rel.status in (ACTIVE, ENDED):
            assert self.rel.origin is not None

    @invariant()
    def the_events_rebuild_it_directly_and_through_the_store_mapper(self) -> None:
        for events in (self.events, [MAPPER.to_domain_event(MAPPER.to_stored_event(e))
                                     for e in self.events]):
            replayed = None
            for e in events:
                replayed = e.mutate(replayed)
            assert replayed is not None and state_of(replayed) == state_of(self.rel)

    @invariant()
    def a_snapshot_through_the_store_mapper_restores_it(self) -> None:
        stored = MAPPER.to_stored_event(Snapshot.take(self.rel))
        assert state_of(MAPPER.to_domain_event(stored).mutate(None)) == state_of(self.rel)


RelationshipMachine.TestCase.settings = settings(max_examples=80, stateful_step_count=15, deadline=None)
test_relationship_state_machine = RelationshipMachine.TestCase
