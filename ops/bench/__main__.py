"""`python -m ops.bench`: our command path against a bare FastAPI INSERT, same machine, same run.

Both apps run under uvicorn in a subprocess; a fresh schema in the `test` database holds
everything written and is dropped at the end. Results go to ops/bench/results/ as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import uuid
from typing import Any

import httpx
import psycopg
import redis
from psycopg import sql

from infrastructure.bootstrap import init_storage
from infrastructure.settings import Settings
from ops.bench import audit_speed, baseline, chat, money, readside, report
from ops.bench.load import Call, Outcome, drive
from ops.bench.profile import profile_under_load
from ops.bench.sections import time_sections
from ops.bench.servers import Server, serve

A_SET = {"exercise": "back squat", "reps": 5, "weight_kg": "102.5", "rpe": "8"}


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m ops.bench", description=__doc__)
    p.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--sessions", type=int, default=64, help="spread evenly over the clients")
    p.add_argument("--warmup", type=float, default=3.0, help="seconds of load before measuring")
    p.add_argument("--duration", type=float, default=12.0, help="seconds measured per app")
    p.add_argument("--py-spy", default=None, help="path of a py-spy binary: also profile our app")
    p.add_argument("--suite", choices=("all", "write", "read", "money", "audit", "chat"), default="all",
                   help="write: commands against a bare INSERT; read: ops/bench/readside.py; "
                        "money: ops/bench/money.py (Razorpay webhooks); "
                        "audit: ops/bench/audit_speed.py (chain verification, export); "
                        "chat: ops/bench/chat.py (socket send to delivery); all: every one")
    readside.add_arguments(p)
    chat.add_arguments(p)
    money.add_arguments(p)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    if args.suite == "audit":
        audit_speed.main(["--database-url", args.database_url, "--redis-url", args.redis_url])
        return
    if args.suite in ("read", "money", "chat"):
        {"read": readside.run, "money": money.run, "chat": chat.run}[args.suite](args)
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    settings = Settings(  # type: ignore[call-arg]
        GYMGENIUS_PROFILE="server", GYMGENIUS_DEV_TOKENS=True, DATABASE_URL=args.database_url,
        GYMGENIUS_DB_SCHEMA=schema, REDIS_URL=args.redis_url,
    )
    try:
        init_storage(settings)
        with psycopg.connect(args.database_url, autocommit=True) as conn:
            conn.execute(baseline.create_table_sql(schema))
        results = {"ours": run_ours(args, schema), "baseline": run_baseline(args, schema),
                   "sections": time_sections(settings)}
    finally:
        cleanup(args, schema)
    report.publish(args, results)
    if args.suite == "all":
        readside.run(args)
        money.run(args)
        chat.run(args)
        audit_speed.main(["--database-url", args.database_url, "--redis-url", args.redis_url])


def run_ours(args: argparse.Namespace, schema: str) -> dict[str, Any]:
    env = {"GYMGENIUS_PROFILE": "server", "GYMGENIUS_DEV_TOKENS": "1", "GYMGENIUS_ENV": "development",
           "DATABASE_URL": args.database_url, "GYMGENIUS_DB_SCHEMA": schema, "REDIS_URL": args.redis_url}
    with serve("interfaces.asgi:create", env) as server:
        lanes = our_lanes(server, args.clients, args.sessions)
        outcome = asyncio.run(drive(server.url, lanes, args.warmup, args.duration, server.pid))
        extra = {"profile": profile(args, server, lanes, schema)} if args.py_spy else {}
    return {"route": "POST /v1/commands/workout-sessions/{id}/sets", **outcome.summary(), **extra}


def profile(args: argparse.Namespace, server: Server, lanes: list[list[Call]], schema: str) -> dict[str, Any]:
    """A second, separate run under py-spy (sampling slows the app; the figures above are clean)."""
    report.RESULTS.mkdir(exist_ok=True)
    stacks = report.RESULTS / f"stacks-{schema}.txt"
    found = profile_under_load(args.py_spy, server, lanes, args.duration, stacks)
    return {**found, "stacks_file": str(stacks)}


def our_lanes(server: Server, clients: int, sessions: int) -> list[list[Call]]:
    """Each client has its own token and its own sessions, so no command races another."""
    lanes: list[list[Call]] = []
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for n in range(clients):
            token = http.post("/v1/dev/tokens", json={"uid": f"bench-{n}", "role": "client"})
            headers = {"Authorization": f"Bearer {token.raise_for_status().json()['token']}"}
            lane = []
            for _ in range(max(1, sessions // clients)):
                started = http.post("/v1/commands/workout-sessions", json={}, headers=headers)
                session_id = started.raise_for_status().json()["id"]
                lane.append(Call(f"/v1/commands/workout-sessions/{session_id}/sets", A_SET, headers))
            lanes.append(lane)
    return lanes


def run_baseline(args: argparse.Namespace, schema: str) -> dict[str, Any]:
    env = {"BENCH_DATABASE_URL": args.database_url, "BENCH_SCHEMA": schema}
    per_client = max(1, args.sessions // args.clients)
    lanes = [[Call(f"/sets/{uuid.uuid4()}", A_SET) for _ in range(per_client)] for _ in range(args.clients)]
    with serve("ops.bench.baseline:create", env) as server:
        outcome: Outcome = asyncio.run(drive(server.url, lanes, args.warmup, args.duration, server.pid))
    return {"route": "POST /sets/{id} (one INSERT)", **outcome.summary()}


def cleanup(args: argparse.Namespace, schema: str) -> None:
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
    try:
        flags = redis.Redis.from_url(args.redis_url)
        stale = list(flags.scan_iter("gymgenius*"))
        if stale:
            flags.delete(*stale)
    except redis.RedisError as error:
        print(f"warning: could not clear the bench's Redis keys at {args.redis_url}: {error}")


if __name__ == "__main__":
    main()
