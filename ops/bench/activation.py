"""`python -m ops.bench.activation`: capture webhook to subscription `active` in the read model.

Subscriptions and their payments are made in this process (the gateway: the sandbox on loopback,
through the real `razorpay` client); the client pays each in the sandbox's Checkout; then each
`payment.captured` webhook is handled at a steady rate, open loop, while one real worker process
(`dramatiq interfaces.workers.actors`) projects the capture, runs the settlement policy and
projects the activation. A poller sees each subscription's row turn `active`. The figure is the
time from the webhook's acknowledgment to that row. Results go to ops/bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import psycopg

from application.context import CommandContext
from application.gateway_events import HandleGatewayEvent
from application.payments import InitiatePayment, OpenOrder
from application.subscriptions import RequestSubscription
from domain.values import Actor, Role
from infrastructure.bootstrap import bootstrap, init_storage
from infrastructure.razorpay.gateway import RazorpayGateway
from infrastructure.razorpay.sandbox import LoopbackServer, create_sandbox
from infrastructure.settings import Settings
from ops.bench.latencies import summary
from ops.bench.report import RESULTS
from ops.bench.servers import ROOT

KEY_ID, KEY_SECRET, WEBHOOK_SECRET = "rzp_test_bench", "bench-key-secret", "bench-webhook-secret"


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m ops.bench.activation", description=__doc__)
    p.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    p.add_argument("--payments", type=int, default=300)
    p.add_argument("--rate", type=float, default=50.0, help="capture webhooks per second")
    return p.parse_args(argv)


def ctx(uid: str, role: Role = Role.CLIENT) -> CommandContext:
    return CommandContext(Actor(uid, role), datetime.now(UTC), uuid.uuid4().hex)


class Activations(threading.Thread):
    """Notes when each subscription's row is first seen `active`."""

    def __init__(self, url: str, schema: str) -> None:
        super().__init__(name="activation-poller", daemon=True)
        self.url, self.seen, self.stopping = url, dict[str, float](), threading.Event()
        self.query = f"SELECT id FROM \"{schema}\".subscriptions WHERE status = 'active'"

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stopping.wait(0.002):
                now = time.monotonic()
                for (sub,) in conn.execute(self.query, prepare=True):
                    self.seen.setdefault(str(sub), now)


def prepare(system: Any, http: httpx.Client, sandbox: Any, count: int) -> list[tuple[str, Any]]:
    """`count` subscriptions paid in the sandbox: each with its signed capture webhook."""
    paid = []
    for n in range(count):
        client = f"bench-{n}"
        sub = system.subscriptions.request(ctx(client), RequestSubscription("basic_monthly")).id
        pid = system.payments.initiate(ctx(client), InitiatePayment("subscription", str(sub), "upi",
                                                                    "phonepe")).id
        order = system.payments.open_order(ctx(client), OpenOrder(pid)).extra["order"]["gateway_order_id"]
        http.post(f"/sandbox/checkout/{order}", json={"upi_app": "phonepe"}).raise_for_status()
        paid.append(str(sub))
    captures = [s for s in sandbox.webhooks.sent if s.event == "payment.captured"]
    return list(zip(paid, captures, strict=True))


def worker(settings: Settings) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GYMGENIUS_PROFILE": "server", "DATABASE_URL": settings.database_url,
           "GYMGENIUS_DB_SCHEMA": settings.database_schema, "REDIS_URL": settings.redis_url,
           "dramatiq_worker_timeout": "100", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "dramatiq", "interfaces.workers.actors", "--processes",
                             "1", "--threads", "4"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def drive(system: Any, paid: list[tuple[str, Any]], rate: float) -> dict[str, float]:
    """Handles each capture webhook at its slot; answers when each was acknowledged."""
    acked, start = {}, time.monotonic()
    for n, (sub, sent) in enumerate(paid):
        time.sleep(max(0.0, start + n / rate - time.monotonic()))
        system.gateway_events.handle(ctx("razorpay", Role.SYSTEM),
                                     HandleGatewayEvent(sent.event_id, sent.body, sent.signature))
        acked[sub] = time.monotonic()
    return acked


def caught_up(system: Any, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while any(s.position < system.projections.source.head() for s in system.projections.statuses()):
        if time.monotonic() > deadline:
            raise RuntimeError("the worker did not catch up with the prepared events")
        time.sleep(0.1)


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    settings = Settings(GYMGENIUS_PROFILE="server", DATABASE_URL=args.database_url,  # type: ignore[call-arg]
                        GYMGENIUS_DB_SCHEMA=schema, REDIS_URL=args.redis_url)
    app, state = create_sandbox(KEY_ID, KEY_SECRET, WEBHOOK_SECRET, None)
    init_storage(settings)
    with LoopbackServer(app) as sandbox, httpx.Client(base_url=sandbox.url, timeout=10) as http:
        gateway = RazorpayGateway(KEY_ID, KEY_SECRET, sandbox.url, [WEBHOOK_SECRET])
        system = bootstrap(settings, gateway=gateway)
        paid = prepare(system, http, state, args.payments)
        process, poller = worker(settings), Activations(args.database_url, schema)
        try:
            caught_up(system, 60)  # the worker booted and projected the preparation's events
            poller.start()
            acked = drive(system, paid, args.rate)
            deadline = time.monotonic() + 30
            while len(poller.seen) < len(paid) and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            poller.stopping.set()
            process.terminate()
            process.wait(timeout=20)
            system.close()
            state.close()
            with psycopg.connect(args.database_url, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    latencies = [1000 * (poller.seen[s] - acked[s]) for s in acked if s in poller.seen]
    result = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "payments": len(paid),
              "rate_per_s": args.rate, "missing": len(paid) - len(latencies),
              "capture_webhook_to_active_ms": summary(latencies)}
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "activation.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
