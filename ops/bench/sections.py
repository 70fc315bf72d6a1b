"""One command at a time, in process: wall and CPU time of each section of the write path.

No HTTP and no concurrency: what remains of a command's cost once the server, the thread pool
and the table-lock queue are taken away. Sections nest (load and save are inside execute).
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from application.context import CommandContext
from application.workout_sessions import LogSet, StartWorkoutSession
from domain.values import Actor, Role
from infrastructure.bootstrap import System, bootstrap
from infrastructure.settings import Settings


class Stopwatch:
    def __init__(self) -> None:
        self.wall: defaultdict[str, list[float]] = defaultdict(list)
        self.cpu: defaultdict[str, list[float]] = defaultdict(list)

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.wall[name].append(time.perf_counter() - wall)
                self.cpu[name].append(time.thread_time() - cpu)

        return timed

    def per_command(self, commands: int) -> dict[str, dict[str, float]]:
        return {name: {"calls_per_command": round(len(self.wall[name]) / commands, 2),
                       "wall_ms": round(1000 * sum(self.wall[name]) / commands, 3),
                       "cpu_ms": round(1000 * sum(self.cpu[name]) / commands, 3),
                       "p50_wall_ms": round(1000 * statistics.median(self.wall[name]), 3)}
                for name in self.wall}


def time_sections(settings: Settings, commands: int = 300) -> dict[str, dict[str, float]]:
    system = bootstrap(settings)
    try:
        watch = instrument(system)
        token = system.dev_tokens.issue("sections", Role.CLIENT) if system.dev_tokens else ""
        session = system.workout_sessions.start(_context(system), StartWorkoutSession()).id
        watch.wall.clear()
        watch.cpu.clear()
        for _ in range(commands):
            system.tokens.verify(token)
            cmd = LogSet(session, "back squat", 5, Decimal("102.5"), Decimal(8))
            system.workout_sessions.log_set(_context(system), cmd)
        return watch.per_command(commands)
    finally:
        system.close()


def instrument(system: System) -> Stopwatch:
    watch, log = Stopwatch(), system.log
    sessions = system.workout_sessions
    sessions.log_set = watch.wrap("command (execute)", sessions.log_set)  # type: ignore[method-assign]
    system.tokens.verify = watch.wrap("verify bearer token", system.tokens.verify)  # type: ignore[method-assign]
    log.latest = watch.wrap("load aggregate", log.latest)  # type: ignore[method-assign]
    log.mapper.to_domain_event = watch.wrap("  decode one event", log.mapper.to_domain_event)  # type: ignore[method-assign]
    log.save = watch.wrap("save", log.save)  # type: ignore[method-assign]
    log.recorder.insert_events = watch.wrap("  insert (lock, NOTIFY, commit)", log.recorder.insert_events)  # type: ignore[method-assign]
    if log.snapshots is not None:
        log.snapshots.put = watch.wrap("  take snapshot", log.snapshots.put)  # type: ignore[method-assign]
    log.after_commit[:] = [watch.wrap("after-commit hooks", hook) for hook in log.after_commit]
    return watch


def _context(system: System) -> CommandContext:
    return CommandContext(Actor("sections", Role.CLIENT), system.clock(), "bench")


def render(sections: dict[str, dict[str, float]]) -> str:
    lines = ["one command at a time, in process (per command: wall ms, CPU ms, calls):"]
    lines += [f"  {v['wall_ms']:8.3f} {v['cpu_ms']:8.3f} {v['calls_per_command']:6.2f}  {name}"
              for name, v in sections.items()]
    return "\n".join(lines)
