"""Reading one workout session: our query route against a bare FastAPI SELECT by key.

Closed loop: each client GETs its sessions back to back, with the same rows behind both apps.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import aiohttp

from ops.bench.load import Outcome, cpu_seconds
from ops.bench.servers import serve

Lane = list[tuple[str, dict[str, str]]]


async def get_load(url: str, lanes: list[Lane], warmup_s: float, duration_s: float,
                   pid: int | None) -> Outcome:
    connector = aiohttp.TCPConnector(limit=len(lanes), limit_per_host=len(lanes))
    async with aiohttp.ClientSession(url, connector=connector) as http:
        await _phase(http, lanes, warmup_s)
        cpu_before = cpu_seconds(pid)
        outcome = await _phase(http, lanes, duration_s)
        outcome.server_cpu_s = cpu_seconds(pid) - cpu_before
    return outcome


async def _phase(http: aiohttp.ClientSession, lanes: list[Lane], seconds: float) -> Outcome:
    stop = time.perf_counter() + seconds
    outcome = Outcome(0.0, [], Counter())

    async def client(calls: Lane) -> None:
        n = 0
        while time.perf_counter() < stop:
            path, headers = calls[n % len(calls)]
            n += 1
            began = time.perf_counter()
            async with http.get(path, headers=headers) as answer:
                await answer.read()
            outcome.latencies_s.append(time.perf_counter() - began)
            outcome.statuses[answer.status] += 1

    began = time.perf_counter()
    await asyncio.gather(*(client(calls) for calls in lanes))
    outcome.seconds = time.perf_counter() - began
    return outcome


def lanes_for(paths: list[str], headers: dict[str, str], clients: int) -> list[Lane]:
    return [[(paths[(n + k) % len(paths)], headers) for k in range(len(paths))] for n in range(clients)]


def ours(url: str, pid: int, token: str, sessions: list[str], clients: int, warmup_s: float,
         duration_s: float) -> dict[str, Any]:
    paths = [f"/v1/queries/workout-sessions/{s}" for s in sessions]
    lanes = lanes_for(paths, {"Authorization": f"Bearer {token}"}, clients)
    outcome = asyncio.run(get_load(url, lanes, warmup_s, duration_s, pid))
    return {"route": "GET /v1/queries/workout-sessions/{id}", **outcome.summary()}


def baseline(database_url: str, schema: str, sessions: list[str], clients: int, warmup_s: float,
             duration_s: float) -> dict[str, Any]:
    env = {"BENCH_DATABASE_URL": database_url, "BENCH_SCHEMA": schema}
    lanes = lanes_for([f"/sessions/{s}" for s in sessions], {}, clients)
    with serve("ops.bench.select_baseline:create", env) as server:
        outcome = asyncio.run(get_load(server.url, lanes, warmup_s, duration_s, server.pid))
    return {"route": "GET /sessions/{id} (one SELECT by key)", **outcome.summary()}
