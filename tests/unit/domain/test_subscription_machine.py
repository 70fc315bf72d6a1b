"""Random command sequences on a Subscription never break its invariants; its events rebuild it."""

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
from domain.subscription import DUNNING_ATTEMPTS, Subscription, SubscriptionStatus, TierCatalogue
from infrastructure.eventstore.log import EventLog

LATE = 6  # ending steps come after a few others, so histories grow before they end
T0 = datetime(2026, 11, 1, tzinfo=UTC)
MAPPER = EventLog(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
OVER = (SubscriptionStatus.CANCELLED, SubscriptionStatus.EXPIRED)
payments = st.sampled_from([None, "pay-1", "pay-2", "pay-3"])
hours = st.integers(0, 24 * 40).map(lambda h: timedelta(hours=h))


def state_of(sub: Subscription) -> dict[str, str]:
    return {k: repr(v) for k, v in vars(sub).items() if k != "_pending_events"}


class SubscriptionMachine(RuleBasedStateMachine):
    sub: Subscription

    @initialize(tier=st.sampled_from([t.code for t in TierCatalogue()]),
                renewal=st.sampled_from(["manual", "autopay"]))
    def request(self, tier: str, renewal: str) -> None:
        self.sub = Subscription.request("alice", TierCatalogue().get(tier), T0, renewal)
        self.events = list(self.sub.collect_events())
        self.clock = T0
        self.steps = 0
        self.ends: list[datetime] = []
        self.ended: dict[str, str] | None = None

    def _try(self, elapsed: timedelta, change: Any) -> None:
        before = state_of(self.sub)
        self.steps += 1
        self.clock += elapsed
        try:
            change()
        except DomainError:
            assert state_of(self.sub) == before
        self.events.extend(self.sub.collect_events())
        event(f"{self.sub.status.value}, {self.sub.dunning_attempts} failed renewals")
        if self.sub.current_period_end is not None:
            self.ends.append(self.sub.current_period_end)

    @rule(elapsed=hours, payment=payments)
    def activate(self, elapsed: timedelta, payment: str | None) -> None:
        self._try(elapsed, lambda: self.sub.activate(self.clock, self.clock, payment))

    @rule(elapsed=hours, named=st.booleans(), payment=payments)
    def renew(self, elapsed: timedelta, named: bool, payment: str | None) -> None:
        start = self.sub.current_period_end if named else None
        self._try(elapsed, lambda: self.sub.renew(self.clock, start, payment))

    @rule(elapsed=hours, payment=payments.filter(bool), named=st.booleans())
    def order_renewal(self, elapsed: timedelta, payment: str, named: bool) -> None:
        start = self.sub.current_period_end if named else self.clock
        self._try(elapsed, lambda: self.sub.order_renewal(payment, start or self.clock, self.clock))

    @rule(elapsed=hours, mandate=st.sampled_from(["sub_A", "sub_B"]), authenticate=st.booleans())
    def mandate(self, elapsed: timedelta, mandate: str, authenticate: bool) -> None:
        self._try(elapsed, lambda: self.sub.create_mandate(mandate, self.clock))
        if authenticate:
            self._try(timedelta(0), lambda: self.sub.authenticate_mandate(self.clock))

    @precondition(lambda self: self.steps >= LATE)
    @rule(elapsed=hours, halt=st.booleans())
    def end_period_or_halt(self, elapsed: timedelta, halt: bool) -> None:
        self._try(elapsed, lambda: self.sub.halt(self.clock) if halt else self.sub.end_period(self.clock))

    @rule(elapsed=hours, base_h=st.integers(1, 48), failures=st.integers(1, 4))
    def mark_past_due(self, elapsed: timedelta, base_h: int, failures: int) -> None:
        for _ in range(failures):
            self._try(elapsed, lambda: self.sub.mark_past_due(self.clock, timedelta(hours=base_h)))
            elapsed = timedelta(hours=base_h)

    @precondition(lambda self: self.steps >= LATE)
    @rule(elapsed=hours, at_period_end=st.booleans())
    def cancel(self, elapsed: timedelta, at_period_end: bool) -> None:
        self._try(elapsed, lambda: self.sub.cancel(at_period_end, self.clock))

    @precondition(lambda self: self.steps >= LATE)
    @rule(elapsed=hours)
    def expire(self, elapsed: timedelta) -> None:
        self._try(elapsed, lambda: self.sub.expire(self.clock))

    @invariant()
    def the_period_end_only_moves_forward(self) -> None:
        assert all(a <= b for a, b in zip(self.ends, self.ends[1:], strict=False))

    @invariant()
    def dunning_stays_within_three_reminders_with_growing_backoff(self) -> None:
        sub = self.sub
        assert 0 <= sub.dunning_attempts <= DUNNING_ATTEMPTS + 1  # past due, then the reminders
        if sub.next_retry_at is not None:
            assert sub.status is SubscriptionStatus.PAST_DUE
            assert sub.dunning_attempts <= DUNNING_ATTEMPTS
        if sub.status is SubscriptionStatus.ACTIVE:
            assert sub.dunning_attempts == 0 and sub.current_period_end is not None

    @invariant()
    def renewal_is_due_only_while_running_with_a_payment_ordered(self) -> None:
        sub = self.sub
        if sub.renewal_due:
            assert sub.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE)
            assert sub.renewal_payment_id is not None
        if sub.grace_until is not None:
            assert sub.status is not SubscriptionStatus.ACTIVE
        if sub.mandate_authenticated:
            assert sub.gateway_subscription_id is not None

    @invariant()
    def an_ended_subscription_never_changes(self) -> None:
        if self.sub.status in OVER:
            self.ended = self.ended or state_of(self.sub)
            assert state_of(self.sub) == self.ended
            assert self.sub.ended_at is not None and self.sub.next_retry_at is None

    @invariant()
    def the_events_rebuild_the_same_subscription_directly_and_through_the_store_mapper(self) -> None:
        for events in (self.events, [MAPPER.to_domain_event(MAPPER.to_stored_event(e))
                                     for e in self.events]):
            replayed = None
            for e in events:
                replayed = e.mutate(replayed)
            assert replayed is not None and state_of(replayed) == state_of(self.sub)

    @invariant()
    def a_snapshot_through_the_store_mapper_restores_the_same_subscription(self) -> None:
        stored = MAPPER.to_stored_event(Snapshot.take(self.sub))
        restored = MAPPER.to_domain_event(stored).mutate(None)
        assert state_of(restored) == state_of(self.sub)


SubscriptionMachine.TestCase.settings = settings(
    max_examples=50, stateful_step_count=25, deadline=None
)
test_subscription_state_machine = SubscriptionMachine.TestCase
