"""The read side's benchmark (`python -m ops.bench --suite read`), every figure beside a baseline
measured in the same run: freshness at a steady command rate (against the NOTIFY and Socket.IO
floors), full rebuild speed (against batched INSERTs of the same rows), and reading one session
(against a bare SELECT by key).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import httpx
import psycopg
from psycopg import sql

from infrastructure.bootstrap import bootstrap, init_storage
from infrastructure.settings import Settings
from ops.bench import floors, freshness, query_speed, read_report, rebuild_speed
from ops.bench.commander import OWNER
from ops.bench.servers import ROOT, serve


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rates", default="500,100",
                   help="commands/s of each freshness run; the first is the target rate")
    p.add_argument("--fresh-duration", type=float, default=20.0, help="seconds measured per rate")
    p.add_argument("--read-sessions", type=int, default=2000, help="sessions the commands go to")
    p.add_argument("--commanders", type=int, default=2, help="processes sending those commands")
    p.add_argument("--rebuild-sessions", type=int, default=10_000, help="11 events each")


def run(args: argparse.Namespace) -> dict[str, Any]:
    schema = f"benchread_{uuid.uuid4().hex[:10]}"
    settings = settings_for(args, schema)
    env = environment(args, schema)
    try:
        init_storage(settings)
        with serve("interfaces.asgi:create", env) as server, worker(env):
            token = prepare(server.url)
            rates = [float(rate) for rate in args.rates.split(",")]
            runs = [asyncio.run(freshness.measure(
                server.url, {**os.environ, **env}, token, rate=rate, sessions=args.read_sessions,
                processes=args.commanders, warmup_s=args.warmup, duration_s=args.fresh_duration))
                for rate in rates]
            sessions, fresh = runs[0][0][:200], [run[1] for run in runs]
            floor = {"notify_to_listen_ms": floors.notify_to_listen(args.database_url, rates[0]),
                     "emit_to_socket_ms": asyncio.run(floors.emit_to_socket(
                         server.url, args.redis_url, token, OWNER, rates[0]))}
            ours = query_speed.ours(server.url, server.pid, token, sessions, args.clients,
                                    args.warmup, args.duration)
        base = query_speed.baseline(args.database_url, schema, sessions, args.clients, args.warmup,
                                    args.duration)
    finally:
        drop(args.database_url, schema)
    results = {"freshness": fresh, "floors": floor, "query": {"ours": ours, "baseline": base},
               "rebuild": rebuild(args)}
    read_report.publish(args, results)
    return results


def settings_for(args: argparse.Namespace, schema: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        GYMGENIUS_PROFILE="server", GYMGENIUS_DEV_TOKENS=True, DATABASE_URL=args.database_url,
        GYMGENIUS_DB_SCHEMA=schema, REDIS_URL=args.redis_url, GYMGENIUS_LOG_JSON=True,
    )


def environment(args: argparse.Namespace, schema: str) -> dict[str, str]:
    return {"GYMGENIUS_PROFILE": "server", "GYMGENIUS_DEV_TOKENS": "1", "GYMGENIUS_ENV": "development",
            "DATABASE_URL": args.database_url, "GYMGENIUS_DB_SCHEMA": schema, "REDIS_URL": args.redis_url,
            "dramatiq_worker_timeout": "100"}


@contextmanager
def worker(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """The projection worker as `make worker` runs it (one process), quiet, in its own group."""
    command = [sys.executable, "-m", "dramatiq", "interfaces.workers.actors", "--processes", "1",
               "--threads", "2"]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield process
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def prepare(url: str) -> str:
    """A token for the sessions' owner, once the served app answers."""
    with httpx.Client(base_url=url, timeout=30) as http:
        answer = http.post("/v1/dev/tokens", json={"uid": OWNER, "role": "client"})
        return str(answer.raise_for_status().json()["token"])


def rebuild(args: argparse.Namespace) -> dict[str, Any]:
    schema = f"benchrebuild_{uuid.uuid4().hex[:8]}"
    settings = settings_for(args, schema)
    init_storage(settings)
    system = bootstrap(settings)
    try:
        return rebuild_speed.measure(system, args.rebuild_sessions)
    finally:
        system.close()
        drop(args.database_url, schema)


def drop(database_url: str, schema: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
