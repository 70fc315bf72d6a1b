"""Runs the policies exactly once in effect, like projections: one owner at a time per policy
(an advisory lock), reading the log after its tracked position, issuing each decided command
with a key derived from its event, and moving the position only once the commands succeeded.

A command the domain refuses is that event's dead letter (logged, counted) and the policy goes
on; an outage of the store propagates, so the same events are read again at the next wake-up,
and their commands, already recorded under their keys, change nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import Engine, insert, update

from application.context import CommandContext, CommandResult, fingerprint
from application.errors import ApplicationError, VersionConflict
from application.lifecycle import Lifecycle, system_actor
from application.policies import POLICIES, Policy, policy_key
from domain.errors import DomainError
from infrastructure.lifecycle_metrics import POLICY_BUSY, POLICY_COMMANDS
from infrastructure.locks import release_policy_lock, try_policy_lock
from projections.engine import tracked_position
from projections.model import EventSource
from projections.schema import dead_letters, positions

log = structlog.get_logger("gymgenius.policies")
# What the rules refuse, or a decision no handler can carry out: the event's dead letter.
REFUSALS = (DomainError, ApplicationError, LookupError, TypeError, ValueError)
CONFLICT_RETRIES = 3
LANES = 8  # commands of one batch in flight at once (on PostgreSQL)


def tracking_name(policy: str) -> str:
    return f"policy:{policy}"


def issue(lifecycle: Lifecycle, ctx: CommandContext, command: object) -> CommandResult:
    """Issues a command; one that lost a race with another writer is decided again."""
    for _ in range(CONFLICT_RETRIES - 1):
        try:
            return lifecycle.dispatch(ctx, command)
        except VersionConflict:
            continue
    return lifecycle.dispatch(ctx, command)


def system_context(actor: str, key: str, command: object, at: datetime) -> CommandContext:
    body = asdict(command) if is_dataclass(command) and not isinstance(command, type) else repr(command)
    return CommandContext(system_actor(actor), at, key, key, fingerprint(actor, body))


@contextmanager
def claimed(engine: Engine, name: str) -> Iterator[bool]:
    """Holds the named advisory lock across processes while the block runs (True), or says it
    is held elsewhere (False). The embedded profile has one process: its callers' local locks do."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        held = try_policy_lock(conn, name)
        try:
            yield held
        finally:
            if held:
                release_policy_lock(conn, name)


def lanes(policy: Policy, events: Sequence[tuple[int, Any]]) -> list[list[tuple[int, Any]]]:
    """A batch's events the policy reacts to, in lanes: one per aggregate they concern, in log
    order within each. Lanes run side by side, so their commands share the group commit."""
    found: dict[str, list[tuple[int, Any]]] = {}
    for position, event in events:
        if isinstance(event, policy.reacts_to):
            found.setdefault(policy.lane(event), []).append((position, event))
    return list(found.values())


class PolicyRunner:
    """Catches every policy up with the log; `run_all` is what a worker's wake-up calls."""

    def __init__(self, engine: Engine, source: EventSource, lifecycle: Lifecycle,
                 clock: Callable[[], datetime], policies: Sequence[Policy] = POLICIES,
                 *, batch_size: int = 100) -> None:
        self.engine, self.source, self.lifecycle, self.clock = engine, source, lifecycle, clock
        self.policies, self.batch_size = tuple(policies), batch_size
        self._local = {p.name: threading.Lock() for p in self.policies}
        self._again: set[str] = set()
        lanes = LANES if engine.dialect.name == "postgresql" else 1
        self._lanes = ThreadPoolExecutor(lanes, thread_name_prefix="gymgenius-policy")

    def run_all(self) -> dict[str, int]:
        return {policy.name: self.run(policy) for policy in self.policies}

    def run(self, policy: Policy) -> int:
        """Reads every event after the policy's position; a wake-up that came while this process
        was running it runs once more here, so none is lost. Answers how many events it read."""
        local = self._local[policy.name]
        if not local.acquire(blocking=False):
            self._again.add(policy.name)
            return 0
        try:
            return self._run(policy)
        finally:
            local.release()

    def _run(self, policy: Policy) -> int:
        total = 0
        with claimed(self.engine, policy.name) as held:
            if not held:
                POLICY_BUSY.labels(policy.name).inc()
                return 0
            while True:
                read = self._step(policy)
                total += read
                if read < self.batch_size and policy.name not in self._again:
                    return total
                self._again.discard(policy.name)

    def _step(self, policy: Policy) -> int:
        name = tracking_name(policy.name)
        with self.engine.begin() as conn:
            after = tracked_position(conn, name)
        events = self.source.read(after, self.batch_size)
        for done in [self._lanes.submit(self._react_all, policy, lane) for lane in lanes(policy, events)]:
            done.result()  # an outage in any lane leaves the whole batch to the next run
        if events:
            with self.engine.begin() as conn:
                conn.execute(update(positions).where(positions.c.name == name)
                             .values(position=events[-1][0]))
        return len(events)

    def _react_all(self, policy: Policy, lane: list[tuple[int, Any]]) -> None:
        for position, event in lane:
            self._react(policy, position, event)

    def _react(self, policy: Policy, position: int, event: Any) -> None:
        for index, command in enumerate(policy.commands(event)):
            key = policy_key(policy.name, event, index)
            ctx = system_context(f"policy:{policy.name}", key, command, self.clock())
            try:
                issue(self.lifecycle, ctx, command)
            except REFUSALS as error:
                self._refused(policy.name, position, event, command, error)
            else:
                POLICY_COMMANDS.labels(policy.name, "done").inc()

    def _refused(self, name: str, position: int, event: Any, command: object, error: Exception) -> None:
        POLICY_COMMANDS.labels(name, "refused").inc()
        log.error("policy_command_refused", policy=name, position=position,
                  command=type(command).__name__, error=repr(error))
        with self.engine.begin() as conn:
            conn.execute(insert(dead_letters).values(
                projection=tracking_name(name), position=position,
                event_type=type(event).__qualname__[:200],
                originator_id=str(getattr(event, "originator_id", ""))[:64], error=repr(error)[:2000],
            ))

    def close(self) -> None:
        self._lanes.shutdown(wait=True)

    def positions(self) -> dict[str, int]:
        with self.engine.begin() as conn:
            return {p.name: tracked_position(conn, tracking_name(p.name)) for p in self.policies}
