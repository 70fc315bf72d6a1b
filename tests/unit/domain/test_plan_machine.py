"""Random command sequences on a Plan never break its invariants, and its events rebuild it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from eventsourcing.domain import Snapshot
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from domain.errors import DomainError
from domain.plan import Plan, PlanKind, PlanStatus
from domain.values import Actor, Role
from infrastructure.eventstore.log import EventLog

LATE = 6  # ending steps come after a few others, so histories grow before they end
T0 = datetime(2026, 11, 1, tzinfo=UTC)
MAPPER = EventLog(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
names = st.sampled_from(["Push", "Pull", "Legs", "Rest", "Mon", "Tue"])
exercise = st.fixed_dictionaries(
    {"name": names, "sets": st.integers(1, 20), "reps": st.integers(1, 1000)},
    optional={"rest_s": st.integers(0, 3600)},
)
meal = st.integers(0, 300).flatmap(lambda g: st.fixed_dictionaries(
    {"name": names, "calories": st.integers(13 * g, 10_000), "protein_g": st.just(g),
     "carbs_g": st.just(g), "fat_g": st.integers(0, g // 2)}))
INVALID = st.sampled_from([{"days": []}, {}, {"days": [{"name": "A"}]}, "text"])


def _content(kind: PlanKind) -> st.SearchStrategy[dict[str, Any]]:
    items, entry = ("exercises", exercise) if kind is PlanKind.WORKOUT else ("meals", meal)
    day = st.fixed_dictionaries({"name": names, items: st.lists(entry, min_size=1, max_size=3)})
    unique_days = st.lists(day, min_size=1, max_size=3, unique_by=lambda d: d["name"].casefold())
    return st.builds(lambda days: {"days": days}, unique_days)


def state_of(plan: Plan) -> dict[str, str]:
    """The whole state, with types (a plain str is not the enum it stood for)."""
    return {k: repr(v) for k, v in vars(plan).items() if k != "_pending_events"}


class PlanMachine(RuleBasedStateMachine):
    plan: Plan

    @initialize(kind=st.sampled_from(PlanKind), data=st.data(),
                role=st.sampled_from([Role.TRAINER, Role.NUTRITIONIST, Role.ADMIN]))
    def draft(self, kind: PlanKind, data: st.DataObject, role: Role) -> None:
        content = data.draw(_content(kind))
        self.plan = Plan.draft(kind, "A plan", content, None, Actor("author", role), T0)
        self.events = list(self.plan.collect_events())
        self.revisions = [1]
        self.clock = T0
        self.steps = 0
        self.archived: dict[str, str] | None = None

    def _try(self, change: Any) -> None:
        before = state_of(self.plan)
        self.steps += 1
        self.clock += timedelta(minutes=1)
        try:
            change()
        except DomainError:
            assert state_of(self.plan) == before
        self.events.extend(self.plan.collect_events())
        event(f"{self.plan.status.value}, {len(self.plan.client_ids)} clients")
        self.revisions.append(self.plan.revision)

    @rule(title=st.none() | st.sampled_from(["New title", " ", "x" * 201]), data=st.data(),
          valid=st.booleans())
    def revise(self, title: str | None, data: st.DataObject, valid: bool) -> None:
        content = data.draw(st.none() | (_content(self.plan.kind) if valid else INVALID))
        self._try(lambda: self.plan.revise(title, content, self.clock))

    @rule()
    def publish(self) -> None:
        self._try(lambda: self.plan.publish(self.clock))

    @rule(clients=st.lists(st.sampled_from(["c1", "c2", "c3", ""]), min_size=1, max_size=4))
    def assign(self, clients: list[str]) -> None:
        for client in clients:
            self._try(lambda c=client: self.plan.assign(c, self.clock))

    @precondition(lambda self: self.steps >= LATE)
    @rule()
    def archive(self) -> None:
        self._try(lambda: self.plan.archive(self.clock))

    @invariant()
    def revisions_count_the_revised_events_and_only_grow(self) -> None:
        revised = sum(1 for e in self.events if type(e).__name__ == "Revised")
        assert self.plan.revision == 1 + revised
        assert all(a <= b for a, b in zip(self.revisions, self.revisions[1:], strict=False))

    @invariant()
    def client_ids_are_unique_and_only_on_published_plans(self) -> None:
        assert len(set(self.plan.client_ids)) == len(self.plan.client_ids)
        assert not self.plan.client_ids or self.plan.status is not PlanStatus.DRAFT

    @invariant()
    def an_archived_plan_never_changes(self) -> None:
        if self.plan.status is PlanStatus.ARCHIVED:
            self.archived = self.archived or state_of(self.plan)
            assert state_of(self.plan) == self.archived

    @invariant()
    def the_events_rebuild_the_same_plan_directly_and_through_the_store_mapper(self) -> None:
        for events in (self.events, [MAPPER.to_domain_event(MAPPER.to_stored_event(e))
                                     for e in self.events]):
            replayed = None
            for e in events:
                replayed = e.mutate(replayed)
            assert replayed is not None and state_of(replayed) == state_of(self.plan)

    @invariant()
    def a_snapshot_through_the_store_mapper_restores_the_same_plan(self) -> None:
        stored = MAPPER.to_stored_event(Snapshot.take(self.plan))
        restored = MAPPER.to_domain_event(stored).mutate(None)
        assert state_of(restored) == state_of(self.plan)


PlanMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=20, deadline=None)
test_plan_state_machine = PlanMachine.TestCase
