"""A steady stream of WorkoutSession commands that rides out outages and knows what succeeded.

Each command carries its own Idempotency-Key and is retried with that key until it succeeds, so a
command whose answer was lost in an outage is never applied twice and the stream's record of what
succeeded is exact. The truth the read models are held to is still the event store itself.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import PersistenceError
from sqlalchemy import text

from application.context import CommandContext, CommandResult
from application.workout_sessions import AbandonSession, CompleteSession, LogSet, StartWorkoutSession
from domain.values import Actor, Role
from domain.workout_session import WorkoutSession
from infrastructure.bootstrap import System

ROOT = Path(__file__).resolve().parents[2]
TRANSIENT = (PersistenceError, psycopg.Error, OSError)
SESSION_TOPIC = "domain.workout_session:WorkoutSession.%"


@dataclass
class Expected:
    sets: int = 0
    status: str = "active"
    version: int = 1


def context(client: str, key: str | None = None) -> CommandContext:
    """A client's command context; with a key, a retry of the same command is recognised."""
    return CommandContext(Actor(client, Role.CLIENT), datetime.now(UTC), key or uuid.uuid4().hex,
                          key, key or "")


class CommandStream(threading.Thread):
    """Starts sessions, logs sets, ends them, round after round, at about `rate` commands/s."""

    def __init__(self, system: System, client: str = "streamer", *, rate: float = 150.0,
                 open_sessions: int = 4, sets_per_session: int = 5, retry_for_s: float = 60.0) -> None:
        super().__init__(name=f"command-stream-{client}", daemon=True)
        self.system, self.client, self.rate = system, client, rate
        self.open_sessions, self.sets_per_session, self.retry_for_s = (
            open_sessions, sets_per_session, retry_for_s)
        self.expected: dict[UUID, Expected] = {}
        self.succeeded = self.retried = 0
        self.last_position = 0
        self.error: BaseException | None = None
        self.stopping = threading.Event()
        self._open: list[UUID] = []

    def __enter__(self) -> CommandStream:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def run(self) -> None:
        began = time.monotonic()
        try:
            while not self.stopping.is_set():
                self.step()
                self.stopping.wait(max(0.0, began + self.succeeded / self.rate - time.monotonic()))
        except BaseException as error:
            self.error = error

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=self.retry_for_s + 10)
        assert not self.is_alive(), "the command stream did not stop"
        if self.error is not None:
            raise AssertionError(f"the command stream failed: {self.error!r}") from self.error

    def step(self) -> None:
        """One command: a new session while fewer than `open_sessions` are open, else the next move."""
        if len(self._open) < self.open_sessions:
            result = self._retrying(lambda ctx: self.system.workout_sessions.start(
                ctx, StartWorkoutSession(day="stream")))
            self.expected[result.id] = Expected()
            self._open.append(result.id)
            return
        session_id = self._open[self.succeeded % len(self._open)]
        expected = self.expected[session_id]
        if expected.sets < self.sets_per_session:
            self._retrying(lambda ctx: self.system.workout_sessions.log_set(ctx, LogSet(
                session_id, "squat", 5, Decimal("102.5"), Decimal("8"))))
            expected.sets += 1
        else:
            action = "complete" if len(self.expected) % 2 else "abandon"
            sessions = self.system.workout_sessions
            if action == "complete":
                self._retrying(lambda ctx: sessions.complete(ctx, CompleteSession(session_id)))
            else:
                self._retrying(lambda ctx: sessions.abandon(ctx, AbandonSession(session_id)))
            expected.status = {"complete": "completed", "abandon": "abandoned"}[action]
            self._open.remove(session_id)
        expected.version += 1

    def _retrying(self, command: Callable[[CommandContext], CommandResult]) -> CommandResult:
        key = uuid.uuid4().hex
        deadline = time.monotonic() + self.retry_for_s
        while True:
            try:
                result = command(context(self.client, key))
            except TRANSIENT:
                if time.monotonic() > deadline:
                    raise
                self.retried += 1
                threading.Event().wait(0.05)  # back off while the store is away
                continue
            self.succeeded += 1
            self.last_position = max(self.last_position, result.position)
            return result

    def wait_for(self, more: int, timeout: float = 30.0) -> None:
        """Until `more` further commands have succeeded (or the deadline passes)."""
        target = self.succeeded + more
        deadline = time.monotonic() + timeout
        while self.succeeded < target:
            assert self.error is None, f"the command stream failed: {self.error!r}"
            assert time.monotonic() < deadline, f"only {self.succeeded} of {target} commands succeeded"
            self.stopping.wait(0.01)


def write_backlog(system: System, events: int, client: str = "backlog") -> int:
    """Saves about `events` session events at once (a burst of traffic); returns the last position."""
    now = datetime.now(UTC)
    sessions = [WorkoutSession.start(client, None, "backlog", now) for _ in range(max(1, events // 15))]
    for session in sessions:
        for n in range(14):
            session.log_set(f"row {n % 3}", 10, Decimal("50"), None, now)
    recordings = system.log.save(*sessions)
    return recordings[-1].notification.id


def stored_sessions(system: System) -> dict[str, tuple[int, int]]:
    """Per session in the event store: how many sets were logged, and its last version."""
    table = system.log.recorder.events_table_name
    query = text(
        f"SELECT originator_id, count(*) FILTER (WHERE topic LIKE '%SetLogged'), "
        f"max(originator_version) FROM {table} WHERE topic LIKE :topic GROUP BY originator_id")
    with system.projections.engine.connect() as conn:
        found = conn.execute(query, {"topic": SESSION_TOPIC}).all()
    return {str(session): (int(sets), int(version)) for session, sets, version in found}


def assert_sessions_match_the_store(system: System, stream: CommandStream | None = None) -> None:
    """Every session row has exactly the sets and version its stored events say; none is missing."""
    from projections.workout_sessions import sessions

    with system.projections.engine.connect() as conn:
        rows: dict[str, Any] = {r["id"]: r for r in conn.execute(sessions.select()).mappings()}
    shown = {key: (len(row["sets"]), row["version"]) for key, row in rows.items()}
    assert shown == stored_sessions(system)
    for session_id, expected in (stream.expected.items() if stream else ()):
        row = rows[str(session_id)]
        assert (len(row["sets"]), row["status"], row["version"]) == (
            expected.sets, expected.status, expected.version)
