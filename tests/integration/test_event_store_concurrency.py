"""The write side under concurrency, on real PostgreSQL: no lost update, no skipped event."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.domain import Aggregate

from application.context import CommandContext, CommandResult
from application.errors import IdempotencyKeyReused, VersionConflict
from application.workout_sessions import LogSet, StartWorkoutSession
from domain.values import Actor, Role
from domain.workout_session import WorkoutSession
from infrastructure.bootstrap import System
from tests.support import PG_URL

STARTED = "domain.workout_session:WorkoutSession.Started"


def context(uid: str = "alice", key: str | None = None, fingerprint: str = "") -> CommandContext:
    return CommandContext(Actor(uid, Role.CLIENT), datetime.now(UTC), uuid4().hex, key, fingerprint)


def a_set(session_id: UUID, exercise: str = "squat", version: int | None = None) -> LogSet:
    return LogSet(session_id, exercise, 5, Decimal("100"), Decimal("8"), version)


def all_at_once(count: int, command: Callable[[int], CommandResult]) -> list[Any]:
    """Runs `command(i)` in `count` threads released together; answers results or errors."""
    gate = threading.Barrier(count)

    def run(i: int) -> Any:
        gate.wait(timeout=30)
        try:
            return command(i)
        except (VersionConflict, IdempotencyKeyReused) as error:
            return error

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def replayed(system: System, session_id: UUID) -> Any:
    """The session folded from every stored event, with no snapshot and no cache."""
    aggregate: Aggregate | None = None
    for domain_event in system.log.events.get(session_id):
        aggregate = domain_event.mutate(aggregate)  # type: ignore[attr-defined]
    return aggregate


def test_fifty_writers_at_one_version_make_exactly_one_winner_each_round(server_system):
    sessions = server_system.workout_sessions
    session_id = sessions.start(context(), StartWorkoutSession()).id
    for round_ in range(1, 4):
        seen = server_system.aggregates.load(WorkoutSession, session_id).version
        stale = a_set(session_id, version=seen)
        outcomes = all_at_once(50, lambda i, cmd=stale: sessions.log_set(context(), cmd))
        wins = [o for o in outcomes if isinstance(o, CommandResult)]
        assert [w.version for w in wins] == [seen + 1]
        assert sum(isinstance(o, VersionConflict) for o in outcomes) == 49
        assert len(server_system.aggregates.load(WorkoutSession, session_id).sets) == round_
    final = server_system.aggregates.load(WorkoutSession, session_id)
    assert (final.version, final.sets) == (4, replayed(server_system, session_id).sets)


def test_fifty_writers_without_if_match_lose_no_update(server_system):
    sessions = server_system.workout_sessions
    session_id = sessions.start(context(), StartWorkoutSession()).id
    outcomes = all_at_once(50, lambda i: sessions.log_set(context(), a_set(session_id, f"lift {i}")))
    won = {f"lift {i}" for i, o in enumerate(outcomes) if isinstance(o, CommandResult)}
    conflicts = sum(isinstance(o, VersionConflict) for o in outcomes)
    final = server_system.aggregates.load(WorkoutSession, session_id)
    assert len(won) + conflicts == 50 and won
    assert sorted(s.exercise for s in final.sets) == sorted(won)
    assert final.version == 1 + len(won)
    assert final.sets == replayed(server_system, session_id).sets


def test_fifty_writers_retrying_after_conflicts_each_land_exactly_once(server_system):
    sessions = server_system.workout_sessions
    session_id = sessions.start(context(), StartWorkoutSession()).id

    def until_it_lands(i: int) -> CommandResult:
        for _ in range(500):
            try:
                return sessions.log_set(context(), a_set(session_id, f"lift {i}"))
            except VersionConflict:
                continue
        raise AssertionError(f"writer {i} never landed")

    outcomes = all_at_once(50, until_it_lands)
    final = server_system.aggregates.load(WorkoutSession, session_id)
    assert sorted(o.version for o in outcomes) == list(range(2, 52))
    assert sorted(s.exercise for s in final.sets) == sorted(f"lift {i}" for i in range(50))
    assert final.sets == replayed(server_system, session_id).sets


def test_a_tailing_reader_sees_every_event_of_concurrent_writers_once_and_in_order(server_system):
    written: list[list[tuple[int, UUID, int]]] = [[] for _ in range(6)]
    done = threading.Event()

    def write(n: int) -> None:
        ctx = context(f"writer-{n}")
        started = server_system.workout_sessions.start(ctx, StartWorkoutSession())
        written[n].append((started.position, started.id, started.version))
        for _ in range(199):
            r = server_system.workout_sessions.log_set(ctx, a_set(started.id))
            written[n].append((r.position, r.id, r.version))

    seen: list[tuple[int, UUID, int]] = []

    def tail() -> None:
        recorder, last, finished = server_system.log.recorder, 0, False
        while True:
            page = recorder.select_notifications(last, 500, inclusive_of_start=False)
            seen.extend((n.id, n.originator_id, n.originator_version) for n in page)
            last = page[-1].id if page else last
            if finished and not page:
                return
            finished = done.is_set()  # one more full pass after the writers stop
            if not page:
                done.wait(0.002)

    reader = threading.Thread(target=tail)
    reader.start()
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(write, range(6)))
    finally:
        done.set()
        reader.join(timeout=60)
    assert not reader.is_alive()
    positions = [s[0] for s in seen]
    assert positions == sorted(set(positions))
    assert sorted(seen) == sorted(e for events in written for e in events)
    assert len(seen) == 1200


def test_twenty_concurrent_repeats_of_one_key_create_one_session(server_system):
    sessions = server_system.workout_sessions
    start = StartWorkoutSession(day="Legs")
    outcomes = all_at_once(20, lambda i: sessions.start(context(key="k-1", fingerprint="f"), start))
    answers = {(o.id, o.version, o.position, o.created) for o in outcomes}
    assert len(answers) == 1 and all(isinstance(o, CommandResult) for o in outcomes)
    started = server_system.log.recorder.select_notifications(1, 100, topics=[STARTED])
    assert [n.originator_id for n in started] == [outcomes[0].id]
    with pytest.raises(IdempotencyKeyReused):
        sessions.start(context(key="k-1", fingerprint="another body"), start)


def test_twenty_concurrent_repeats_of_a_logged_set_log_it_once(server_system):
    sessions = server_system.workout_sessions
    session_id = sessions.start(context(), StartWorkoutSession()).id
    repeat = a_set(session_id)
    outcomes = all_at_once(20, lambda i: sessions.log_set(context(key="set-1", fingerprint="f"), repeat))
    assert {(o.id, o.version, o.position) for o in outcomes} == {(session_id, 2, outcomes[0].position)}
    assert len(server_system.aggregates.load(WorkoutSession, session_id).sets) == 1


def test_a_failed_save_leaves_no_idempotency_key_behind(server_system):
    sessions, log = server_system.workout_sessions, server_system.aggregates
    session_id = sessions.start(context(), StartWorkoutSession()).id
    stale = log.load(WorkoutSession, session_id)
    sessions.log_set(context(), a_set(session_id, "first"))
    stale.log_set("stale", 5, Decimal(100), None, datetime.now(UTC))
    with pytest.raises(VersionConflict):
        log.execute(context(key="crash-1", fingerprint="f"), lambda: stale)
    assert log.store.find_answer("alice", "crash-1") is None
    assert _command_rows(server_system, "crash-1") == 0
    retried = sessions.log_set(context(key="crash-1", fingerprint="f"), a_set(session_id, "retried"))
    assert retried.version == 3 and _command_rows(server_system, "crash-1") == 1


def _command_rows(system: System, key: str) -> int:
    schema = system.settings.database_schema
    with psycopg.connect(PG_URL) as conn:
        query = f'SELECT count(*) FROM "{schema}".gymgenius_commands WHERE key = %s'
        row = conn.execute(query, (key,)).fetchone()  # type: ignore[arg-type]
    return int(row[0]) if row else 0
