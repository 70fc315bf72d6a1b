"""Group commit: concurrent commands share transactions, and every guarantee still holds."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from application.aggregates import Aggregates
from application.context import CommandContext, CommandResult
from application.errors import VersionConflict
from application.workout_sessions import LogSet, StartWorkoutSession, WorkoutSessions
from domain.values import Actor, Role
from domain.workout_session import WorkoutSession
from infrastructure.bootstrap import System
from infrastructure.eventstore import event_store_env
from infrastructure.eventstore.group_commit import GroupCommitter
from infrastructure.eventstore.log import EventLog
from tests.support import wait_until

STARTED = "domain.workout_session:WorkoutSession.Started"


def context(uid: str = "alice", key: str | None = None, trace: str | None = None) -> CommandContext:
    return CommandContext(Actor(uid, Role.CLIENT), datetime.now(UTC), trace or uuid4().hex,
                          key, "f" if key else "")


def a_set(session_id: UUID, exercise: str = "squat") -> LogSet:
    return LogSet(session_id, exercise, 5, Decimal("100"), Decimal("8"))


def start(system: System, uid: str = "alice") -> UUID:
    return system.workout_sessions.start(context(uid), StartWorkoutSession()).id


@contextmanager
def one_batch(committer: GroupCommitter, commands: list[Callable[[], Any]]) -> Iterator[list[Any]]:
    """Runs the commands while the committer is held, so that they are written as one batch.

    Yields each command's result or error once all are done.
    """
    real, entered, release = committer.insert, threading.Event(), threading.Event()

    def held(*args: Any) -> Any:
        entered.set()
        assert release.wait(timeout=30)
        return real(*args)

    def outcome(command: Callable[[], Any]) -> Any:
        try:
            return command()
        except VersionConflict as error:
            return error

    committer.insert = held  # type: ignore[method-assign]
    with ThreadPoolExecutor(max_workers=len(commands) + 1) as pool:
        blocker = pool.submit(lambda: committer.write([], []))
        wait_until(entered.is_set, what="the committer to be held")
        committer.insert = real  # type: ignore[method-assign]
        outcomes = [pool.submit(outcome, command) for command in commands]
        wait_until(lambda: committer.waiting() == len(commands), what="every command to wait")
        release.set()
        blocker.result(timeout=30)
        yield [o.result(timeout=30) for o in outcomes]


def test_commands_on_many_sessions_are_committed_together_each_with_its_own_metadata(system):
    sessions, log = system.workout_sessions, system.log
    ids = [start(system, f"client-{n}") for n in range(24)]
    hooks = []
    log.after_commit.append(lambda: hooks.append(log.recorder.max_notification_id()))
    before = (log.committer.transactions, log.committer.commands)
    commands = [lambda n=n: sessions.log_set(context(f"client-{n}", trace=f"trace-{n}"), a_set(ids[n]))
                for n in range(24)]
    with one_batch(log.committer, commands) as outcomes:
        pass
    assert [(o.id, o.version) for o in outcomes] == [(session, 2) for session in ids]
    positions = sorted(o.position for o in outcomes)
    assert positions == list(range(positions[0], positions[0] + 24))
    assert (log.committer.transactions - before[0], log.committer.commands - before[1]) == (2, 25)
    assert 1 <= len(hooks) <= 24 and max(hooks) == positions[-1]  # after the commit, coalesced
    for n, session in enumerate(ids):
        logged = list(log.events.get(session, gt=1))
        assert [e.meta["trace_id"] for e in logged] == [f"trace-{n}"]
        assert log.recorder.select_notifications(outcomes[n].position, 1)[0].originator_id == session


def test_a_stale_command_in_a_batch_fails_alone_and_leaves_no_key_behind(system):
    sessions, log = system.workout_sessions, system.log
    stale_id, *others = [start(system) for _ in range(6)]
    stale = system.aggregates.load(WorkoutSession, stale_id)
    sessions.log_set(context(), a_set(stale_id, "first"))
    stale.log_set("stale", 5, Decimal(100), None, datetime.now(UTC))
    stale_command = lambda: system.aggregates.execute(context(key="stale-1"), lambda: stale)  # noqa: E731
    commands: list[Callable[[], Any]] = [stale_command]
    commands += [lambda s=s: sessions.log_set(context(), a_set(s)) for s in others]
    with one_batch(log.committer, commands) as outcomes:
        pass
    assert isinstance(outcomes[0], VersionConflict)
    assert all(isinstance(o, CommandResult) and o.version == 2 for o in outcomes[1:])
    assert [s.exercise for s in system.aggregates.load(WorkoutSession, stale_id).sets] == ["first"]
    assert log.find_answer("alice", "stale-1") is None


def test_one_idempotency_key_twice_in_a_batch_writes_once_and_replays_the_first_answer(system):
    sessions, log = system.workout_sessions, system.log
    other = start(system, "bob")
    repeat = StartWorkoutSession(day="Legs")
    commands: list[Callable[[], Any]] = [
        lambda: sessions.start(context(key="start-1"), repeat) for _ in range(3)]
    commands.append(lambda: sessions.log_set(context("bob"), a_set(other)))
    with one_batch(log.committer, commands) as outcomes:
        pass
    first = log.find_answer("alice", "start-1")
    assert first is not None
    assert {(o.id, o.version, o.position, o.created) for o in outcomes[:3]} == {
        (first.aggregate_id, 1, first.position, True)}
    assert (outcomes[3].id, outcomes[3].version) == (other, 2)
    started = log.recorder.select_notifications(1, 100, topics=[STARTED])
    assert sorted(n.originator_id for n in started) == sorted([other, first.aggregate_id])


def test_a_tailing_reader_sees_every_grouped_event_once_and_in_order(server_system):
    writers, commands_each = 16, 40
    written: list[list[tuple[int, UUID, int]]] = [[] for _ in range(writers)]
    done, seen = threading.Event(), []
    committer = server_system.log.committer

    def write(n: int) -> None:
        ctx = context(f"writer-{n}")
        started = server_system.workout_sessions.start(ctx, StartWorkoutSession())
        written[n].append((started.position, started.id, started.version))
        for _ in range(commands_each - 1):
            r = server_system.workout_sessions.log_set(ctx, a_set(started.id))
            written[n].append((r.position, r.id, r.version))

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
        with ThreadPoolExecutor(max_workers=writers) as pool:
            list(pool.map(write, range(writers)))
    finally:
        done.set()
        reader.join(timeout=60)
    assert not reader.is_alive()
    positions = [s[0] for s in seen]
    assert positions == sorted(set(positions))
    assert sorted(seen) == sorted(e for events in written for e in events)
    assert len(seen) == writers * commands_each
    assert committer.transactions < committer.commands == writers * commands_each


def test_with_group_commit_off_commands_are_written_one_transaction_each(system):
    log = EventLog(env={**event_store_env(system.settings), "GROUP_COMMIT": "n"})
    try:
        sessions = WorkoutSessions(Aggregates(log))
        session_id = sessions.start(context(key="start-1"), StartWorkoutSession()).id
        assert log.committer is None
        assert sessions.log_set(context(), a_set(session_id)).version == 2
        assert sessions.start(context(key="start-1"), StartWorkoutSession()).id == session_id
    finally:
        log.close()
