"""Money at scale, in the server profile: 300 clients (GYMGENIUS_SCALE_CLIENTS; 1,000 in the long
run) pay by UPI in PhonePe through the sandbox's Checkout (nine in ten for a subscription of their
own, one in ten for one of four plans); every event Razorpay
signs for them is delivered 10 times, shuffled across all payments and concurrently, to the app
served by two uvicorn processes (two instances racing on one port), while a real worker process
runs the projections and the policies. Every payment is captured once, every subscription
activated once, every plan granted once to each buyer, and each event id processed exactly once."""

from __future__ import annotations

import asyncio
import os
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from infrastructure.bootstrap import System, bootstrap, init_storage
from infrastructure.settings import Settings
from ops.bench.paying_clients import Paid, pay_all
from ops.bench.servers import serve
from ops.bench.webhook_traffic import Answer, flood
from projections.payments import payments
from projections.schema import positions
from projections.subscriptions import subscriptions
from tests.integration.worker_process import WorkerProcess
from tests.razorpay_sandbox import KEY_ID, KEY_SECRET, WEBHOOK_SECRET, RunningSandbox, running_sandbox
from tests.support import server_settings, wait_until

CLIENTS = int(os.environ.get("GYMGENIUS_SCALE_CLIENTS", "300"))
PLAN_BUYERS, PLANS, COPIES = CLIENTS // 10, 4, 10
EVENTS = ("payment.authorized", "payment.captured", "order.paid")


def gateway_settings(sandbox: RunningSandbox) -> dict[str, str]:
    return {"RAZORPAY_BASE_URL": sandbox.url, "RAZORPAY_KEY_ID": KEY_ID, "RAZORPAY_KEY_SECRET": KEY_SECRET,
            "RAZORPAY_WEBHOOK_SECRET": WEBHOOK_SECRET}


class GatewayWorker(WorkerProcess):
    """`dramatiq interfaces.workers.actors` with its gateway on the sandbox too."""

    def __init__(self, settings: Settings, log_dir: Path, gateway: dict[str, str]) -> None:
        super().__init__(settings, log_dir)
        self.gateway = gateway

    def env(self) -> dict[str, str]:
        return {**super().env(), **self.gateway}


@pytest.fixture
def at_scale(pg_schema: str, tmp_path: Path) -> Iterator[tuple[System, list[str], RunningSandbox]]:
    """The system (to inspect the store and read models), the served app's URL, the sandbox."""
    with running_sandbox(None) as sandbox, ExitStack() as stack:
        gateway = gateway_settings(sandbox)
        settings = server_settings(pg_schema, **gateway)
        init_storage(settings)
        system = bootstrap(settings)
        stack.callback(system.close)
        env = {"GYMGENIUS_PROFILE": "server", "GYMGENIUS_DEV_TOKENS": "1", "GYMGENIUS_ENV": "development",
               "DATABASE_URL": settings.database_url, "GYMGENIUS_DB_SCHEMA": pg_schema,
               "REDIS_URL": settings.redis_url, **gateway}
        urls = [stack.enter_context(serve("interfaces.asgi:create", env, workers=2)).url]
        worker = GatewayWorker(settings, tmp_path, gateway).start()
        stack.callback(worker.stop)
        yield system, urls, sandbox


def at_the_head(system: System) -> bool:
    """Every read model and policy has reached the last event stored (policies add events)."""
    head = system.projections.source.head()
    with system.projections.engine.connect() as conn:
        reached = {row.name: row.position for row in conn.execute(select(positions))}
    names = [*system.projections.models, *(f"policy:{p}" for p in system.policies.positions())]
    return all(reached.get(name, 0) >= head for name in names)


def stored(system: System) -> Counter[tuple[str, str]]:
    """How many events of each type every aggregate has: (aggregate id, `Class.Event`) -> count."""
    recorder = system.log.recorder
    return Counter((str(n.originator_id), n.topic.rsplit(":", 1)[-1])
                   for n in recorder.select_notifications(1, 10_000_000))


def assert_answered_once_each(answers: list[Answer], deliveries: int, event_ids: set[str]) -> None:
    """Every delivery ended 2xx; per event id, one `processed` and the rest `duplicate`."""
    ok = [a for a in answers if a.ok]
    refused = Counter(a.code for a in answers if not a.ok)
    assert len(ok) == deliveries, f"{deliveries - len(ok)} deliveries never answered 2xx: {refused}"
    assert set(refused) <= {409}, f"answers other than 2xx and a lost race: {refused}"
    once = len(event_ids)
    assert Counter(a.status for a in ok) == {"processed": once, "duplicate": deliveries - once}
    processed = Counter(a.event_id for a in ok if a.status == "processed")
    assert set(processed) == event_ids and set(processed.values()) == {1}


def assert_stored_once_each(system: System, paid: list[Paid]) -> None:
    counts = stored(system)
    assert [counts[(p.payment_id, "Payment.Captured")] for p in paid] == [1] * len(paid)
    subs = [p.reference_id for p in paid if p.purpose == "subscription"]
    assert [counts[(s, "Subscription.Activated")] for s in subs] == [1] * len(subs)
    assert not [key for key in counts if key[1] == "Subscription.Renewed"], "a subscription was renewed"
    buyers = Counter(p.reference_id for p in paid if p.purpose == "plan")
    assert {plan: counts[(plan, "Plan.Assigned")] for plan in buyers} == dict(buyers)
    for plan in buyers:
        granted: Any = system.log.latest(UUID(plan))
        assert sorted(granted.client_ids) == sorted(p.client for p in paid if p.reference_id == plan)


def assert_read_models_agree(system: System, paid: list[Paid]) -> None:
    with system.projections.engine.connect() as conn:
        shown = dict(conn.execute(select(payments.c.id, payments.c.status)).all())
        active = dict(conn.execute(select(subscriptions.c.id, subscriptions.c.status)).all())
    assert Counter(shown[p.payment_id] for p in paid) == {"captured": len(paid)}
    subs = [p.reference_id for p in paid if p.purpose == "subscription"]
    assert Counter(active[s] for s in subs) == {"active": len(subs)}


@pytest.mark.timeout(300)  # about 60 to 90 s alone on two cores; more while other suites run beside it
def test_hundreds_of_payments_each_webhook_delivered_ten_times_shuffled_settle_exactly_once(at_scale):
    system, urls, sandbox = at_scale
    clients = [f"client-{n}" for n in range(CLIENTS)]
    paid = asyncio.run(pay_all(urls, sandbox.url, clients, plan_buyers=PLAN_BUYERS, plans=PLANS))
    signed = list(sandbox.state.webhooks.sent)
    assert Counter(s.event for s in signed) == {event: CLIENTS for event in EVENTS}
    batch = [s for s in signed for _ in range(COPIES)]
    random.Random(20261129).shuffle(batch)
    answers = asyncio.run(flood(urls, batch, concurrency=16))
    assert_answered_once_each(answers, len(batch), {s.event_id for s in signed})
    wait_until(lambda: at_the_head(system), 120, "every read model and policy at the head")
    assert_stored_once_each(system, paid)
    assert_read_models_agree(system, paid)
