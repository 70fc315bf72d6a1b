"""The money benchmark (`python -m ops.bench --suite money`): Razorpay's webhook under load, beside
a bare receiver (HMAC over the raw body, one INSERT keyed by event id) measured in the same run.

- Deliveries acknowledged per second, closed loop: first deliveries (every event once, the write
  path), then repeats (every event again, the duplicate path).
- p50 / p99 at a steady offered rate (open loop, 200/s by default; target p99 <= 100 ms).
- Capture webhook acknowledged -> subscription `active` in the read model, p50 / p99, with a real
  worker process running the settlement policy and the projections.

Clients first subscribe and pay through the served API and the sandbox's Checkout (not measured);
the same signed events then go to ours and to the baseline, each served by uvicorn alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import uuid
from typing import Any

import psycopg

from infrastructure.bootstrap import init_storage
from infrastructure.razorpay.sandbox import LoopbackServer, create_sandbox
from infrastructure.razorpay.sandbox.webhooks import Sent
from infrastructure.settings import Settings
from ops.bench import floors, money_report, webhook_baseline
from ops.bench.load import cpu_seconds
from ops.bench.money_latency import ActivePoller, capture_to_active, settle, steady_figures
from ops.bench.paying_clients import Paid, pay_all
from ops.bench.readside import drop, worker
from ops.bench.servers import Server, serve
from ops.bench.webhook_traffic import Answer, flood, steady

KEY_ID, KEY_SECRET, WEBHOOK_SECRET = "rzp_test_bench", "bench-key-secret", "bench-webhook-secret"
EVENTS_PER_PAYMENT = 3  # payment.authorized, payment.captured, order.paid


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--money-rate", type=float, default=200.0, help="webhook deliveries/s offered")
    p.add_argument("--money-duration", type=float, default=10.0, help="seconds measured at that rate")
    p.add_argument("--money-flood", type=int, default=1800, help="first deliveries in the throughput run")


def run(args: argparse.Namespace) -> dict[str, Any]:
    schema = f"benchmoney_{uuid.uuid4().hex[:10]}"
    app, sandbox = create_sandbox(KEY_ID, KEY_SECRET, WEBHOOK_SECRET, None)
    try:
        with LoopbackServer(app) as served:
            init_storage(Settings(  # type: ignore[call-arg]
                GYMGENIUS_PROFILE="server", DATABASE_URL=args.database_url, GYMGENIUS_DB_SCHEMA=schema,
                REDIS_URL=args.redis_url))
            with psycopg.connect(args.database_url, autocommit=True) as conn:
                conn.execute(webhook_baseline.create_table_sql(schema))
            results = measure_both(args, schema, served.url, sandbox.webhooks.sent)
    finally:
        sandbox.close()
        drop(args.database_url, schema)
    money_report.publish(args, results)
    return results


def measure_both(args: argparse.Namespace, schema: str, sandbox_url: str, sent: list[Sent]) -> dict[str, Any]:
    env = ours_env(args, schema, sandbox_url)
    steady_count = math.ceil(args.money_rate * (args.warmup + args.money_duration) / EVENTS_PER_PAYMENT)
    clients = [f"bench-payer-{n}" for n in range(steady_count + args.money_flood // EVENTS_PER_PAYMENT)]
    with serve("interfaces.asgi:create", env) as server, worker(env):
        paid = asyncio.run(pay_all([server.url], sandbox_url, clients))
        settled_s = settle(Settings(**env))  # type: ignore[arg-type]
        steadily, flooded = split(sent, paid[:steady_count])
        with ActivePoller(args.database_url, schema) as poller:  # only while the steady run lasts
            answers = asyncio.run(steady(server.url, steadily, args.money_rate))
            ours = {"steady": steady_figures(answers, args.money_rate, args.warmup),
                    "capture_to_active_ms": capture_to_active(poller, paid[:steady_count], answers,
                                                              order_of(sent), args.warmup)}
        ours |= floods(args, server, steadily, flooded)
    base_env = {"BENCH_DATABASE_URL": args.database_url, "BENCH_SCHEMA": schema,
                "BENCH_WEBHOOK_SECRET": WEBHOOK_SECRET}
    with serve("ops.bench.webhook_baseline:create", base_env) as server:
        answers = asyncio.run(steady(server.url, steadily, args.money_rate))
        base = {"steady": steady_figures(answers, args.money_rate, args.warmup),
                **floods(args, server, steadily, flooded)}
    floor = floors.notify_to_listen(args.database_url, args.money_rate, 3.0)
    return {"ours": ours, "baseline": base, "notify_to_listen_ms": floor, "payments": len(paid),
            "worker_settled_after_paying_s": settled_s}


def ours_env(args: argparse.Namespace, schema: str, sandbox_url: str) -> dict[str, str]:
    return {"GYMGENIUS_PROFILE": "server", "GYMGENIUS_DEV_TOKENS": "1", "GYMGENIUS_ENV": "development",
            "DATABASE_URL": args.database_url, "GYMGENIUS_DB_SCHEMA": schema, "REDIS_URL": args.redis_url,
            "dramatiq_worker_timeout": "100", "RAZORPAY_BASE_URL": sandbox_url, "RAZORPAY_KEY_ID": KEY_ID,
            "RAZORPAY_KEY_SECRET": KEY_SECRET, "RAZORPAY_WEBHOOK_SECRET": WEBHOOK_SECRET}


def order_of(sent: list[Sent]) -> dict[str, str]:
    """Each signed event's gateway order (every event here carries the payment entity)."""
    return {s.event_id: json.loads(s.body)["payload"]["payment"]["entity"]["order_id"] for s in sent}


def split(sent: list[Sent], steadily_paid: list[Paid]) -> tuple[list[Sent], list[Sent]]:
    """The events of the first payments, shuffled, for the steady run; the others for the flood."""
    orders, of = {p.order_id for p in steadily_paid}, order_of(sent)
    first = [s for s in sent if of[s.event_id] in orders]
    rest = [s for s in sent if of[s.event_id] not in orders]
    random.Random(7).shuffle(first)
    random.Random(8).shuffle(rest)
    return first, rest


def floods(args: argparse.Namespace, server: Server, steadily: list[Sent], flooded: list[Sent]
           ) -> dict[str, Any]:
    """The most deliveries acknowledged per second: every flood event once, then every event again."""
    again = [*steadily, *flooded]
    random.Random(9).shuffle(again)
    return {"first_deliveries": throughput(server, flooded, args.clients),
            "repeats": throughput(server, again, args.clients)}


def throughput(server: Server, batch: list[Sent], concurrency: int) -> dict[str, Any]:
    before = cpu_seconds(server.pid)
    answers: list[Answer] = asyncio.run(flood([server.url], batch, concurrency))
    cpu = cpu_seconds(server.pid) - before
    ok = [a for a in answers if a.ok]
    seconds = max(a.ended for a in answers) - min(a.began for a in answers)
    return {"deliveries": len(batch), "acked": len(ok), "seconds": round(seconds, 2),
            "acked_per_s": round(len(ok) / seconds, 1), "concurrency": concurrency,
            "server_cpu_ms_per_ack": round(1000 * cpu / len(ok), 3) if ok else 0.0,
            **steady_figures(answers, 0.0, 0.0)}
