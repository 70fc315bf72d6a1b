"""Random command sequences on a WorkoutSession never break its invariants; its events rebuild it."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Snapshot
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from domain.errors import DomainError
from domain.workout_session import IDLE_LIMIT, SessionStatus, WorkoutSession
from infrastructure.eventstore import memory_env
from infrastructure.eventstore.log import EventLog

LATE = 6  # ending steps come after a few others, so histories grow before they end
T0 = datetime(2026, 11, 1, tzinfo=UTC)
MAPPER = EventLog(env=memory_env()).mapper
OVER = (SessionStatus.COMPLETED, SessionStatus.ABANDONED)
minutes = st.integers(0, 90).map(lambda m: timedelta(minutes=m))
exercises = st.sampled_from(["squat", "bench", "row", " ", "x" * 101])
reps = st.sampled_from([1, 5, 12, 1000, 0, 1001])
weights = st.sampled_from(["0", "20", "102.5", "1000", "-1", "1000.001"]).map(Decimal)
rpes = st.none() | st.sampled_from(["1", "7.5", "10", "0", "10.5"]).map(Decimal)


def state_of(session: WorkoutSession) -> dict[str, str]:
    return {k: repr(v) for k, v in vars(session).items() if k != "_pending_events"}


class WorkoutSessionMachine(RuleBasedStateMachine):
    session: WorkoutSession

    @initialize(day=st.none() | st.sampled_from(["Legs", "Push"]))
    def start(self, day: str | None) -> None:
        self.session = WorkoutSession.start("alice", None, day, T0)
        self.events = list(self.session.collect_events())
        self.clock = T0
        self.steps = 0
        self.ended: dict[str, str] | None = None

    def _try(self, elapsed: timedelta, change: Any) -> None:
        before = state_of(self.session)
        self.steps += 1
        self.clock += elapsed
        try:
            change()
        except DomainError:
            assert state_of(self.session) == before
        self.events.extend(self.session.collect_events())
        event(f"{self.session.status.value}, {len(self.session.sets)} sets")

    @rule(elapsed=minutes, exercise=exercises, reps=reps, weight=weights, rpe=rpes)
    def log_set(
        self, elapsed: timedelta, exercise: str, reps: int, weight: Decimal, rpe: Decimal | None
    ) -> None:
        self._try(elapsed, lambda: self.session.log_set(exercise, reps, weight, rpe, self.clock))

    @rule(elapsed=minutes)
    def pause(self, elapsed: timedelta) -> None:
        self._try(elapsed, lambda: self.session.pause(self.clock))

    @rule(elapsed=minutes)
    def resume(self, elapsed: timedelta) -> None:
        self._try(elapsed, lambda: self.session.resume(self.clock))

    @precondition(lambda self: self.steps >= LATE)
    @rule(elapsed=minutes)
    def complete(self, elapsed: timedelta) -> None:
        self._try(elapsed, lambda: self.session.complete(self.clock))

    @precondition(lambda self: self.steps >= LATE)
    @rule(elapsed=minutes, idle=st.booleans())
    def abandon(self, elapsed: timedelta, idle: bool) -> None:
        self._try(elapsed + (IDLE_LIMIT if idle else timedelta(0)),
                  lambda: self.session.abandon(self.clock, "idle" if idle else "client"))

    @invariant()
    def the_status_agrees_with_the_pause_the_end_and_the_summary(self) -> None:
        s = self.session
        # a session that ends while paused keeps the time its pause began
        assert s.paused_at is not None if s.status is SessionStatus.PAUSED else True
        assert s.paused_at is None if s.status is SessionStatus.ACTIVE else True
        assert (s.ended_at is not None) == (s.status in OVER)
        assert (s.summary is not None) == (s.status is SessionStatus.COMPLETED)
        assert s.paused_s >= 0 and s.version == len(self.events)

    @invariant()
    def sets_are_numbered_one_up_per_exercise_and_within_bounds(self) -> None:
        seen: Counter[str] = Counter()
        for logged in self.session.sets:
            seen[logged.exercise] += 1
            assert logged.set_number == seen[logged.exercise]
            assert 1 <= logged.reps <= 1000 and 0 <= logged.weight_kg <= 1000
            assert logged.rpe is None or 1 <= logged.rpe <= 10

    @invariant()
    def a_summary_counts_every_set_and_no_more_time_than_has_passed(self) -> None:
        summary = self.session.summary
        if summary is not None:
            assert summary.sets == len(self.session.sets) > 0
            assert summary.total_volume_kg == self.session.total_volume_kg
            assert 0 <= summary.duration_s <= (self.clock - T0).total_seconds()

    @invariant()
    def an_ended_session_never_changes(self) -> None:
        if self.session.status in OVER:
            self.ended = self.ended or state_of(self.session)
            assert state_of(self.session) == self.ended

    @invariant()
    def the_events_rebuild_the_same_session_directly_and_through_the_store_mapper(self) -> None:
        for events in (self.events, [MAPPER.to_domain_event(MAPPER.to_stored_event(e))
                                     for e in self.events]):
            replayed = None
            for e in events:
                replayed = e.mutate(replayed)
            assert replayed is not None and state_of(replayed) == state_of(self.session)

    @invariant()
    def a_snapshot_through_the_store_mapper_restores_the_same_session(self) -> None:
        stored = MAPPER.to_stored_event(Snapshot.take(self.session))
        restored = MAPPER.to_domain_event(stored).mutate(None)
        assert state_of(restored) == state_of(self.session)


WorkoutSessionMachine.TestCase.settings = settings(max_examples=80, stateful_step_count=25, deadline=None)
test_workout_session_state_machine = WorkoutSessionMachine.TestCase
