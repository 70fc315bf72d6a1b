"""The chat benchmark (`python -m ops.bench --suite chat`): a message sent on one participant's
socket to its delivery on the other's, p50 / p99 at a steady offered rate (200/s by default)
spread over 1,000 conversations, each a client and their trainer with both sockets in the room.

Ours runs the server profile for real: uvicorn serving the app (Socket.IO through Redis), a
Dramatiq worker projecting the messages, and the push after the projection commits. The
baseline, measured in the same run at the same rate over as many sockets, is a bare Socket.IO
relay (ops/bench/chat_baseline.py). Setting up (relationships, conversations, connections) is
not measured. Each user sends 200 / 2,000 per second (6 a minute), within the chat limit; the
general and per-IP limits are raised for the set-up's burst of calls from one address.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import socketio

from domain.values import Role
from infrastructure.bootstrap import init_storage
from infrastructure.dev_tokens import DevTokens
from infrastructure.settings import Settings
from ops.bench import report
from ops.bench.latencies import summary
from ops.bench.readside import drop, worker
from ops.bench.servers import serve

ADMIN = "bench-admin"
TARGET_P99_MS = 100.0


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--chat-rate", type=float, default=200.0, help="messages/s offered")
    p.add_argument("--chat-conversations", type=int, default=1000)
    p.add_argument("--chat-duration", type=float, default=10.0, help="seconds measured at that rate")


class Pair:
    """One conversation: the client's and the trainer's sockets, and when each message left."""

    def __init__(self, conversation: str, tokens: tuple[str, str]) -> None:
        self.conversation, self.tokens = conversation, tokens
        self.sockets: list[socketio.AsyncClient] = []


class Clock:
    """Sent and delivered times by client_message_id, and the acknowledgements."""

    def __init__(self) -> None:
        self.sent: dict[str, float] = {}
        self.delivered: dict[str, float] = {}
        self.acked: dict[str, float] = {}
        self.refused: list[Any] = []

    def on_message(self, me: int) -> Callable[[dict[str, Any]], None]:
        def received(push: dict[str, Any]) -> None:
            key = push["data"]["client_message_id"]
            if key.endswith(f":{1 - me}") and key not in self.delivered:  # the other side's
                self.delivered[key] = time.perf_counter()
        return received

    def latencies(self, key_set: set[str]) -> dict[str, Any]:
        delivered = [(self.delivered[k] - self.sent[k]) * 1000 for k in key_set if k in self.delivered]
        acked = [(self.acked[k] - self.sent[k]) * 1000 for k in key_set if k in self.acked]
        return {"delivered": summary(delivered), "acked": summary(acked),
                "lost": len(key_set) - len(delivered), "refused": len(self.refused)}


async def connect_all(url: str, pairs: list[Pair], clock: Clock, concurrency: int = 32) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(pair: Pair, me: int) -> socketio.AsyncClient:
        async with gate:
            sock = socketio.AsyncClient(reconnection=False)
            sock.on("chat.message", clock.on_message(me))
            await sock.connect(url, auth={"token": pair.tokens[me]}, transports=["websocket"],
                               wait_timeout=30)
            joined = await sock.call("join", {"room": f"chat:{pair.conversation}"}, timeout=30)
            assert joined == {"ok": True}, joined
            return sock

    for pair in pairs:
        pair.sockets = []
    made = await asyncio.gather(*(one(p, me) for p in pairs for me in (0, 1)))
    for n, pair in enumerate(pairs):
        pair.sockets = [made[2 * n], made[2 * n + 1]]


async def steady(pairs: list[Pair], clock: Clock, rate: float, seconds: float, tag: str) -> set[str]:
    """Open loop: one message every 1/rate s, conversations in turn, sides alternating."""
    keys: set[str] = set()
    pending: set[asyncio.Task[None]] = set()
    start, n = time.perf_counter(), 0
    while (due := start + n / rate) < start + seconds:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        pair = pairs[n % len(pairs)]
        me = (n // len(pairs)) % 2
        key = f"{tag}-{n}:{me}"
        keys.add(key)
        task = asyncio.create_task(_send(pair, me, key, clock))
        pending.add(task)
        task.add_done_callback(pending.discard)
        n += 1
    await _settle(clock, keys, 15.0)
    return keys


async def _send(pair: Pair, me: int, key: str, clock: Clock) -> None:
    body = {"conversation_id": pair.conversation, "text": f"set {key} done", "client_message_id": key}
    clock.sent[key] = time.perf_counter()
    ack = await pair.sockets[me].call("send", body, timeout=30)
    clock.acked[key] = time.perf_counter()
    if not ack.get("ok"):
        clock.refused.append(ack)


async def _settle(clock: Clock, keys: set[str], seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline and not keys <= clock.delivered.keys():
        await asyncio.sleep(0.05)


async def disconnect_all(pairs: list[Pair]) -> None:
    await asyncio.gather(*(s.disconnect() for p in pairs for s in p.sockets))


async def measure(url: str, pairs: list[Pair], args: argparse.Namespace) -> dict[str, Any]:
    clock = Clock()
    await connect_all(url, pairs, clock)
    try:
        await steady(pairs, clock, args.chat_rate, 2.0, "warm")
        keys = await steady(pairs, clock, args.chat_rate, args.chat_duration, "run")
    finally:
        await disconnect_all(pairs)
    return clock.latencies(keys)


def environment(args: argparse.Namespace, schema: str) -> dict[str, str]:
    return {"GYMGENIUS_PROFILE": "server", "GYMGENIUS_DEV_TOKENS": "1", "GYMGENIUS_ENV": "development",
            "DATABASE_URL": args.database_url, "GYMGENIUS_DB_SCHEMA": schema, "REDIS_URL": args.redis_url,
            "GYMGENIUS_RATE_LIMIT_GENERAL": "100000/minute",
            "GYMGENIUS_RATE_LIMIT_ANONYMOUS": "100000/minute", "dramatiq_worker_timeout": "100"}


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
                    return Pair(opened.raise_for_status().json()["id"], pair)

            return list(await asyncio.gather(*(one(c, t) for c, t in people)))

    return asyncio.run(setup())


def run(args: argparse.Namespace) -> dict[str, Any]:
    schema = f"benchchat_{uuid.uuid4().hex[:10]}"
    env = environment(args, schema)
    try:
        init_storage(Settings(  # type: ignore[call-arg]
            GYMGENIUS_PROFILE="server", DATABASE_URL=args.database_url, GYMGENIUS_DB_SCHEMA=schema,
            REDIS_URL=args.redis_url))
        with serve("interfaces.asgi:create", env) as server, worker(env):
            pairs = prepare(server.url, args.chat_conversations)
            ours = asyncio.run(measure(server.url, pairs, args))
        with serve("ops.bench.chat_baseline:create", {}) as server:
            base = asyncio.run(measure(server.url, pairs, args))
    finally:
        drop(args.database_url, schema)
    return publish(args, {"ours": ours, "baseline": base})


def publish(args: argparse.Namespace, results: dict[str, Any]) -> dict[str, Any]:
    ours, base = results["ours"]["delivered"], results["baseline"]["delivered"]
    ratio = {q: round(ours[q] / base[q], 2) if base[q] else None for q in ("p50", "p99")}
    document = {"at": datetime.now(UTC).isoformat(timespec="seconds"),
                "load": {"rate": args.chat_rate, "conversations": args.chat_conversations,
                         "duration_s": args.chat_duration},
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
