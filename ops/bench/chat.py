"""The chat benchmark (`python -m ops.bench --suite chat`): a message sent on one participant's
socket to its delivery on the other's, p50 / p99 at a steady offered rate (200/s by default)
spread over 1,000 conversations, each a client and their trainer with both sockets in the room.

Ours runs the server profile for real, as deployed: uvicorn serving the app (Socket.IO through
Redis), a Dramatiq worker, the hot-lane process projecting the messages
(`--chat-hot-lane thread` puts that in the worker instead), and the push after the projection
commits. The
baseline, measured in the same run at the same rate over as many sockets, is a bare Socket.IO
relay (ops/bench/chat_baseline.py). The load is the JavaScript socket.io-client in one Node
process (ops/bench/chat_load.cjs), so the generator is not the bottleneck. Setting up
(relationships, conversations, a first message from each participant, connections) is not
measured: a user's first message also makes their personal-data key, once in their life.
Each user sends 200 / 2,000 per second (6 a minute), within the chat limit; the general and
per-IP limits are raised for the set-up's burst of calls from one address.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql

from domain.values import Role
from infrastructure.bootstrap import init_storage
from infrastructure.dev_tokens import DevTokens
from infrastructure.settings import Settings
from ops.bench import report
from ops.bench.latencies import summary
from ops.bench.readside import drop, worker
from ops.bench.servers import ROOT, serve, stop

ADMIN = "bench-admin"
LOAD = Path(__file__).with_name("chat_load.cjs")
NODE_MODULES = Path(__file__).resolve().parents[2] / "tests" / "e2e" / "realtime" / "node" / "node_modules"
TARGET_P99_MS = 100.0


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--chat-rate", type=float, default=200.0, help="messages/s offered")
    p.add_argument("--chat-conversations", type=int, default=1000)
    p.add_argument("--chat-duration", type=float, default=10.0, help="seconds measured at that rate")
    p.add_argument("--chat-api-processes", type=int, default=1,
                   help="uvicorn processes serving the app (websocket-only sockets need no stickiness)")
    p.add_argument("--chat-hot-lane", choices=("thread", "process"), default="process",
                   help="GYMGENIUS_HOT_LANE: chat messages caught up in a process of their own, as deployed "
                        "(ops/k8s, ops/compose.yaml), or in a thread of the worker")


@dataclass(frozen=True)
class Pair:
    """One conversation and its two participants' tokens (client, trainer)."""

    conversation: str
    tokens: tuple[str, str]


def measure(url: str, pairs: list[Pair], args: argparse.Namespace) -> dict[str, Any]:
    """The JavaScript load (ops/bench/chat_load.cjs): socket.io-client, one socket per participant."""
    node = shutil.which("node")
    assert node, "Node.js is required (and `make node` for socket.io-client)"
    with tempfile.TemporaryDirectory() as work:
        listed, out = Path(work) / "pairs.json", Path(work) / "out.json"
        listed.write_text(json.dumps([{"conversation": p.conversation, "tokens": list(p.tokens)}
                                      for p in pairs]))
        run = subprocess.run(
            [node, str(LOAD), url, str(listed), str(args.chat_rate), str(args.chat_duration), str(out)],
            capture_output=True, text=True, timeout=600, check=False,
            env={**os.environ, "NODE_PATH": str(NODE_MODULES)})
        if run.returncode != 0:
            raise RuntimeError(f"the chat load failed: {run.stderr[-2000:]}")
        found = json.loads(out.read_text())
    return {"delivered": summary(found["delivered"]), "acked": summary(found["acked"]),
            "lost": found["lost"], "refused": found["refusedCount"], "refusals": found["refused"],
            "slowest": found.get("slowest", [])}


def environment(args: argparse.Namespace, schema: str) -> dict[str, str]:
    return {"GYMGENIUS_PROFILE": "server", "GYMGENIUS_DEV_TOKENS": "1", "GYMGENIUS_ENV": "development",
            "DATABASE_URL": args.database_url, "GYMGENIUS_DB_SCHEMA": schema, "REDIS_URL": args.redis_url,
            "GYMGENIUS_RATE_LIMIT_GENERAL": "100000/minute",
            "GYMGENIUS_RATE_LIMIT_ANONYMOUS": "100000/minute", "dramatiq_worker_timeout": "100",
            "GYMGENIUS_HOT_LANE": args.chat_hot_lane}


@contextmanager
def hot_lane(env: dict[str, str], wanted: bool) -> Iterator[None]:
    """`python -m interfaces.workers.hot` beside the worker, when the hot lane is a process."""
    if not wanted:
        yield
        return
    process = subprocess.Popen([sys.executable, "-m", "interfaces.workers.hot"], cwd=ROOT,
                               env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        stop(process, timeout=20)


def prepare(url: str, count: int) -> list[Pair]:
    """Pairs related by an admin, each with its conversation opened by the client."""
    tokens = DevTokens(Settings().dev_token_secret, lambda: datetime.now(UTC))  # type: ignore[call-arg]
    admin = {"Authorization": f"Bearer {tokens.issue(ADMIN, Role.ADMIN)}"}
    run = uuid.uuid4().hex[:6]
    people = [(f"bc-{run}-{n}", f"bt-{run}-{n}") for n in range(count)]

    async def setup() -> list[Pair]:
        gate = asyncio.Semaphore(32)
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            async def one(client: str, trainer: str) -> Pair:
                async with gate:
                    pair = (tokens.issue(client, Role.CLIENT), tokens.issue(trainer, Role.TRAINER))
                    mine = {"Authorization": f"Bearer {pair[0]}"}
                    started = await http.post("/v1/commands/relationships", headers=admin, json={
                        "client_id": client, "staff_id": trainer, "staff_role": "trainer"})
                    started.raise_for_status()
                    opened = await http.post("/v1/commands/conversations", json={"with": trainer},
                                             headers=mine)
                    conversation = opened.raise_for_status().json()["id"]
                    for token in pair:  # a first message each: their keys exist, as in a running chat
                        said = await http.post(f"/v1/commands/conversations/{conversation}/messages",
                                               headers={"Authorization": f"Bearer {token}"},
                                               json={"text": "hello", "client_message_id": uuid.uuid4().hex})
                        said.raise_for_status()
                    return Pair(conversation, pair)

            return list(await asyncio.gather(*(one(c, t) for c, t in people)))

    return asyncio.run(setup())


def settle(database_url: str, schema: str, deadline_s: float = 600) -> None:
    """Waits until every read model and policy has caught up with the set-up's events, so that
    the measurement does not share the machine with that backlog."""
    ends = time.monotonic() + deadline_s
    with psycopg.connect(database_url, autocommit=True) as conn:
        found = conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                             "AND table_name LIKE %s", (schema, "%\\_events")).fetchone()
        assert found is not None, f"no event table in {schema}"
        while time.monotonic() < ends:
            behind = conn.execute(sql.SQL(
                "SELECT (SELECT max(notification_id) FROM {s}.{e}) - min(position) "
                "FROM {s}.projection_positions").format(s=sql.Identifier(schema),
                                                       e=sql.Identifier(found[0]))).fetchone()
            if behind is not None and behind[0] is not None and behind[0] <= 0:
                return
            time.sleep(0.2)
    raise RuntimeError(f"the read models did not catch up with the set-up within {deadline_s} s")


def run(args: argparse.Namespace) -> dict[str, Any]:
    schema = f"benchchat_{uuid.uuid4().hex[:10]}"
    env = environment(args, schema)
    try:
        init_storage(Settings(  # type: ignore[call-arg]
            GYMGENIUS_PROFILE="server", DATABASE_URL=args.database_url, GYMGENIUS_DB_SCHEMA=schema,
            REDIS_URL=args.redis_url))
        with (serve("interfaces.asgi:create", env, workers=args.chat_api_processes) as server, worker(env),
              hot_lane(env, args.chat_hot_lane == "process")):
            pairs = prepare(server.url, args.chat_conversations)
            settle(args.database_url, schema)
            ours = measure(server.url, pairs, args)
        with serve("ops.bench.chat_baseline:create", {}) as server:
            base = measure(server.url, pairs, args)
    finally:
        drop(args.database_url, schema)
    return publish(args, {"ours": ours, "baseline": base})


def publish(args: argparse.Namespace, results: dict[str, Any]) -> dict[str, Any]:
    ours, base = results["ours"]["delivered"], results["baseline"]["delivered"]
    ratio = {q: round(ours[q] / base[q], 2) if base[q] else None for q in ("p50", "p99")}
    document = {"at": datetime.now(UTC).isoformat(timespec="seconds"),
                "load": {"rate": args.chat_rate, "conversations": args.chat_conversations,
                         "duration_s": args.chat_duration, "api_processes": args.chat_api_processes,
                         "hot_lane": args.chat_hot_lane},
                **results, "ratio": ratio, "target_p99_ms": TARGET_P99_MS,
                "meets_target": ours["p99"] <= TARGET_P99_MS}
    print(f"chat: socket send -> delivered to the other participant, {args.chat_rate:.0f} msg/s over "
          f"{args.chat_conversations} conversations, {args.chat_duration:.0f} s")
    for name in ("ours", "baseline"):
        d, a = results[name]["delivered"], results[name]["acked"]
        print(f"  {name:9} delivered p50 {d['p50']:7.2f} ms  p99 {d['p99']:7.2f} ms  max {d['max']:7.2f} ms"
              f"  (ack p50 {a['p50']:.2f}, p99 {a['p99']:.2f})  n={d['count']} lost={results[name]['lost']}"
              f" refused={results[name]['refused']}")
    print(f"  ratio ours/baseline: p50 x{ratio['p50']}, p99 x{ratio['p99']}; target p99 <= "
          f"{TARGET_P99_MS:.0f} ms: {'met' if document['meets_target'] else 'NOT met'}")
    report.RESULTS.mkdir(exist_ok=True)
    path = report.RESULTS / f"chat-{document['at'].replace(':', '')}.json"
    path.write_text(json.dumps(document, indent=2))
    print(f"written to {path}")
    return document
