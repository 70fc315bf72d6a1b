"""Event-store features in both profiles: transcodings, snapshots, upcasting, metadata."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from application.aggregates import Aggregates
from application.context import CommandContext
from application.workout_sessions import CompleteSession, LogSet, StartWorkoutSession
from domain.values import Actor, Money, Role
from domain.workout_session import LoggedSet, SessionStatus, SessionSummary, WorkoutSession
from infrastructure.bootstrap import System
from infrastructure.eventstore import event_store_env
from infrastructure.eventstore.log import EventLog

T0 = datetime(2026, 11, 20, 6, 30, tzinfo=UTC)


def context(at: datetime = T0, key: str | None = None, trace: str = "trace") -> CommandContext:
    return CommandContext(Actor("alice", Role.CLIENT), at, trace, key, "f" if key else "")


def a_set(session_id: UUID, weight: str = "102.5", rpe: str | None = "8.5") -> LogSet:
    return LogSet(session_id, "squat", 5, Decimal(weight), Decimal(rpe) if rpe else None)


def started(system: System, **kwargs: Any) -> UUID:
    return system.workout_sessions.start(context(), StartWorkoutSession(**kwargs)).id


def replayed(system: System, session_id: UUID) -> Any:
    """The session folded from every stored event, with no snapshot."""
    aggregate: Aggregate | None = None
    for domain_event in system.log.events.get(session_id):
        aggregate = domain_event.mutate(aggregate)  # type: ignore[attr-defined]
    return aggregate


def test_domain_types_come_back_from_the_store_as_their_own_types(system):
    plan_id = uuid4()
    session_id = started(system, plan_id=plan_id, day="Legs")
    system.workout_sessions.log_set(context(T0 + timedelta(minutes=1)), a_set(session_id))
    done = CompleteSession(session_id)
    system.workout_sessions.complete(context(T0 + timedelta(minutes=40)), done)
    fresh = EventLog(env=event_store_env(system.settings))
    try:
        session = Aggregates(fresh).load(WorkoutSession, session_id)
    finally:
        fresh.close()
    assert session.plan_id == plan_id and isinstance(session.plan_id, UUID)
    assert session.status is SessionStatus.COMPLETED
    logged = LoggedSet("squat", 1, 5, Decimal("102.5"), Decimal("8.5"), T0 + timedelta(minutes=1))
    assert session.sets == [logged] and isinstance(session.sets[0], LoggedSet)
    assert session.sets[0].at.tzinfo is not None
    assert session.summary == SessionSummary(1, Decimal("512.5"), 2400)
    assert isinstance(session.summary, SessionSummary)
    assert (session.started_at, session.ended_at) == (T0, T0 + timedelta(minutes=40))


def test_value_objects_round_trip_through_the_transcoder(system):
    transcoder = system.log.mapper.transcoder
    values = {"money": Money(49900), "status": SessionStatus.PAUSED, "id": uuid4(),
              "at": T0, "weight": Decimal("0.125")}
    assert transcoder.decode(transcoder.encode(values)) == values


def test_a_long_session_is_snapshotted_and_loads_as_a_full_replay_would(system):
    session_id = started(system)
    for n in range(120):
        at = T0 + timedelta(seconds=30 * n)
        system.workout_sessions.log_set(context(at), a_set(session_id, weight=str(40 + n)))
    assert system.log.snapshots is not None
    snapshots = list(system.log.snapshots.get(session_id))
    assert [s.originator_version for s in snapshots] == [50, 100]
    loaded = system.aggregates.load(WorkoutSession, session_id)
    assert loaded == replayed(system, session_id)
    assert loaded.version == 121 and loaded.status is SessionStatus.ACTIVE
    assert system.log.repository.get(session_id, version=75) == _replayed_to(system, session_id, 75)


def _replayed_to(system: System, session_id: UUID, version: int) -> Any:
    aggregate: Aggregate | None = None
    for domain_event in system.log.events.get(session_id, lte=version):
        aggregate = domain_event.mutate(aggregate)  # type: ignore[attr-defined]
    return aggregate


def test_a_version_one_set_loads_with_no_rpe(system):
    session_id = started(system)
    at = T0 + timedelta(minutes=2)
    state = {"timestamp": at, "exercise": "squat", "set_number": 1, "reps": 5,
             "weight_kg": Decimal("60"), "at": at}
    system.log.recorder.insert_events([StoredEvent(
        originator_id=session_id, originator_version=2,
        topic=get_topic(WorkoutSession.SetLogged), state=system.log.mapper.transcoder.encode(state),
    )])
    session = system.aggregates.load(WorkoutSession, session_id)
    assert session.sets == [LoggedSet("squat", 1, 5, Decimal("60"), None, at)]
    after = system.workout_sessions.log_set(context(at), a_set(session_id))
    assert after.version == 3
    assert system.aggregates.load(WorkoutSession, session_id).sets[1].rpe == Decimal("8.5")


def test_every_stored_event_carries_who_which_trace_and_which_key(system):
    session_id = started(system)
    system.workout_sessions.log_set(context(key="set-1", trace="trace-2"), a_set(session_id))
    system.workout_sessions.log_set(context(trace="trace-3"), a_set(session_id, rpe=None))
    notifications = system.log.recorder.select_notifications(1, 100)
    metas = [system.log.mapper.transcoder.decode(n.state)["meta"] for n in notifications]
    base = {"actor_id": "alice", "role": "client"}
    assert metas == [
        {**base, "trace_id": "trace"},
        {**base, "trace_id": "trace-2", "idempotency_key": "set-1"},
        {**base, "trace_id": "trace-3"},
    ]
