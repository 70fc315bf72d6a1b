"""Commands at a steady rate, straight through the command handlers (no HTTP), in a process of
their own: `python -m ops.bench.commander RATE SECONDS SESSIONS OUT` with the server settings in
the environment. Writes one JSON line per command: session, sent, committed (time.monotonic(),
comparable across processes), position, outcome. The first line lists the sessions.

Open loop: command n is due at start + n / RATE whatever happened to the ones before; a pool of
threads takes them, so a slow commit delays no other command.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from application.context import CommandContext
from application.errors import VersionConflict
from application.workout_sessions import LogSet, StartWorkoutSession
from domain.values import Actor, Role
from infrastructure.bootstrap import System, bootstrap
from infrastructure.settings import Settings

OWNER = "bench-reader"


def context(system: System) -> CommandContext:
    return CommandContext(Actor(OWNER, Role.CLIENT), system.clock(), uuid.uuid4().hex)


def log_a_set(system: System, session: str, sent: float) -> dict[str, Any]:
    command = LogSet(uuid.UUID(session), "back squat", 5, Decimal("102.5"), Decimal(8))
    try:
        result = system.workout_sessions.log_set(context(system), command)
        outcome, position = "ok", result.position
    except VersionConflict:
        outcome, position = "conflict", 0
    return {"session": session, "sent": sent, "committed": time.monotonic(), "position": position,
            "outcome": outcome}


def steady(system: System, sessions: list[str], rate: float, seconds: float) -> list[Any]:
    with ThreadPoolExecutor(max_workers=16) as pool:
        began, futures = time.monotonic(), []
        for n in range(int(rate * seconds)):
            time.sleep(max(0.0, began + n / rate - time.monotonic()))
            futures.append(pool.submit(log_a_set, system, sessions[n % len(sessions)], time.monotonic()))
        return [f.result() for f in futures]


def main(rate: float, seconds: float, count: int, out: Path) -> None:
    system = bootstrap(Settings())
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            started = pool.map(lambda _: system.workout_sessions.start(
                context(system), StartWorkoutSession()), range(count))
            sessions = [str(result.id) for result in started]
        records = steady(system, sessions, rate, seconds)
        with out.open("w") as file:
            file.write(json.dumps({"sessions": sessions, "at": datetime.now(UTC).isoformat()}) + "\n")
            file.writelines(json.dumps(record) + "\n" for record in records)
    finally:
        system.close()


if __name__ == "__main__":
    main(float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]))
