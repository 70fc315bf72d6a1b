"""How fresh the read side is under a steady command rate: commit to read model, commit to socket.

A commander process (ops/bench/commander.py) runs log-a-set commands through the command
handlers at a fixed rate, open loop, and notes when each one committed; a real worker process
projects them. A poller thread sees the read model's position pass each command's position, and
a `socketio.AsyncClient`, connected to the served app as the sessions' owner, receives the
`workout_session.updated` push carrying it. All times are time.monotonic(), one clock for every
process on the machine.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import socketio

from ops.bench.latencies import summary
from ops.bench.servers import ROOT


@dataclass
class Seen:
    """When the read model's position moved, and when each push arrived."""

    moves: list[tuple[float, int]] = field(default_factory=list)
    pushes: defaultdict[str, list[tuple[float, int]]] = field(default_factory=lambda: defaultdict(list))

    def read_model_at(self, position: int) -> float | None:
        """When the read model first reflected `position` (positions only grow)."""
        at = bisect.bisect_left(self.moves, position, key=lambda move: move[1])
        return self.moves[at][0] if at < len(self.moves) else None

    def push_at(self, session: str, position: int) -> float | None:
        return next((t for t, p in self.pushes[session] if p >= position), None)


class PositionPoller(threading.Thread):
    """Reads the read model's position every `interval` s on its own connection."""

    def __init__(self, url: str, schema: str, seen: Seen, interval: float = 0.001) -> None:
        super().__init__(name="position-poller", daemon=True)
        self.url, self.seen, self.interval = url, seen, interval
        self.query = f'SELECT position FROM "{schema}".projection_positions WHERE name = %s'
        self.stopping = threading.Event()

    def run(self) -> None:
        last = -1
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stopping.wait(self.interval):
                row = conn.execute(self.query, ("workout_sessions",), prepare=True).fetchone()
                now = time.monotonic()
                if row and row[0] != last:
                    last = row[0]
                    self.seen.moves.append((now, last))


async def commands(env: dict[str, str], rate: float, seconds: float, sessions: int, processes: int
                   ) -> tuple[list[str], list[dict[str, Any]]]:
    """Runs `processes` commanders, each at rate / processes on sessions of its own."""
    with tempfile.TemporaryDirectory() as folder:
        outs = [Path(folder) / f"commands-{n}.jsonl" for n in range(processes)]
        started = [await asyncio.create_subprocess_exec(
            sys.executable, "-m", "ops.bench.commander", str(rate / processes), str(seconds),
            str(max(1, sessions // processes)), str(out), cwd=ROOT, env=env) for out in outs]
        for process in started:
            if await process.wait() != 0:
                raise RuntimeError(f"a commander exited with {process.returncode}")
        ids: list[str] = []
        sent: list[dict[str, Any]] = []
        for out in outs:
            head, *lines = out.read_text().splitlines()
            ids += json.loads(head)["sessions"]
            sent += [json.loads(line) for line in lines]
    return ids, sorted(sent, key=lambda record: record["sent"])


async def measure(url: str, env: dict[str, str], token: str, *, rate: float, sessions: int,
                  processes: int, warmup_s: float, duration_s: float) -> tuple[list[str], dict[str, Any]]:
    seen = Seen()
    client = socketio.AsyncClient(reconnection=False)

    @client.on("workout_session.updated")
    async def pushed(payload: dict[str, Any]) -> None:
        seen.pushes[payload["id"]].append((time.monotonic(), int(payload["position"])))

    await client.connect(url, auth={"token": token}, transports=["websocket"])
    poller = PositionPoller(env["DATABASE_URL"], env["GYMGENIUS_DB_SCHEMA"], seen)
    poller.start()
    try:
        ids, sent = await commands(env, rate, warmup_s + duration_s, sessions, processes)
        await _settle(seen, sent)
    finally:
        poller.stopping.set()
        await client.disconnect()
    measured = [s for s in sent if s["sent"] >= sent[0]["sent"] + warmup_s]
    return ids, figures(measured, seen, rate)


async def _settle(seen: Seen, sent: list[dict[str, Any]], timeout: float = 15.0) -> None:
    last = max((s["position"] for s in sent), default=0)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (
            seen.read_model_at(last) is None
            or not any(p >= last for pushes in seen.pushes.values() for _, p in pushes)):
        await asyncio.sleep(0.05)


def figures(measured: list[dict[str, Any]], seen: Seen, rate: float) -> dict[str, Any]:
    ok = [s for s in measured if s["outcome"] == "ok"]
    to_model = [_after(s, seen.read_model_at(s["position"])) for s in ok]
    to_socket = [_after(s, seen.push_at(s["session"], s["position"])) for s in ok]
    span = max(s["committed"] for s in ok) - min(s["sent"] for s in ok) if ok else 1.0
    return {
        "target_rate": rate, "commands": len(measured), "ok": len(ok),
        "achieved_rate": round(len(ok) / span, 1),
        "outcomes": dict(Counter(s["outcome"] for s in measured)),
        "command_ms": summary([1000 * (s["committed"] - s["sent"]) for s in ok]),
        "commit_to_read_model_ms": summary([x for x in to_model if x is not None]),
        "commit_to_socket_ms": summary([x for x in to_socket if x is not None]),
        "missing": {"read_model": to_model.count(None), "socket": to_socket.count(None)},
    }


def _after(record: dict[str, Any], at: float | None) -> float | None:
    return None if at is None else max(0.0, 1000 * (at - record["committed"]))
