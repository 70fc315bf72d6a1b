"""Time-based work: APScheduler in every worker process fires a Dramatiq `tick` each minute; a
tick asks the read models what is due at the injected clock's time and issues idempotent commands.

Every command is keyed by (action, row, the time it fell due), and acts as of that time, so a
tick run twice changes nothing, and a missed tick is caught up by the next one with the same
events an on-time tick would have recorded. One tick runs at a time (an advisory lock); between
passes the read models catch up, so what a pass did is not asked again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import dramatiq
import redis
import structlog
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine

from application.lifecycle import AbandonIdleSession, Lifecycle, OrderRenewalPayment
from application.subscription_commands import EndPeriod, ExpireSubscription, MarkPastDue
from infrastructure.lifecycle_metrics import PAYMENTS, POLICY_COMMANDS, TICKS
from infrastructure.policy_runner import REFUSALS, claimed, issue, system_context
from projections.due import RENEWAL_LEAD, Due, everything_due, payments_by_outcome
from projections.values import utc

log = structlog.get_logger("gymgenius.scheduler")
QUEUE, ACTOR, ACTOR_NAME = "lifecycle", "tick", "scheduler"
EVERY_S = 60
PASSES = 8  # a tick catches up at most this many steps of one subscription (enter, remind, expire)


def command_for(due: Due, now: datetime) -> tuple[object, datetime]:
    """The command a due row calls for, and the time it acts as of."""
    target = UUID(due.id)
    match due.action:
        case "order_renewal":
            return OrderRenewalPayment(target, due.at), due.at - RENEWAL_LEAD
        case "past_due" | "remind":
            return MarkPastDue(target, due.at), due.at
        case "expire":
            return ExpireSubscription(target), due.at
        case "end_period":
            return EndPeriod(target), due.at
        case "abandon_idle":
            return AbandonIdleSession(target), now
    raise ValueError(f"nothing is scheduled for {due.action}")


class Tick:
    """One tick: what is due now, done once."""

    def __init__(self, engine: Engine, lifecycle: Lifecycle, clock: Callable[[], datetime],
                 refresh: Callable[[], Any], head: Callable[[], int]) -> None:
        self.engine, self.lifecycle, self.clock = engine, lifecycle, clock
        self.refresh, self.head = refresh, head
        self._local = threading.Lock()

    def __call__(self) -> int:
        """Runs passes until one records nothing new; answers how many commands it issued."""
        with self._local:
            return self._tick()

    def _tick(self) -> int:
        issued = 0
        with claimed(self.engine, ACTOR_NAME) as held:
            if not held:
                TICKS.labels("busy").inc()
                return 0
            for _ in range(PASSES):
                self.refresh()
                before = self.head()
                issued += self._pass(utc(self.clock()))
                if self.head() == before:
                    break
        self._count_payments()
        TICKS.labels("done").inc()
        return issued

    def _pass(self, now: datetime) -> int:
        with self.engine.connect() as conn:
            due = everything_due(conn, now)
        for item in due:
            command, at = command_for(item, now)
            key = f"{item.action}:{item.id}:{item.at.isoformat()}"
            try:
                issue(self.lifecycle, system_context(ACTOR_NAME, key, command, at), command)
            except REFUSALS as error:
                POLICY_COMMANDS.labels(ACTOR_NAME, "refused").inc()
                log.warning("scheduled_command_refused", action=item.action, id=item.id, error=repr(error))
            else:
                POLICY_COMMANDS.labels(ACTOR_NAME, "done").inc()
        return len(due)

    def _count_payments(self) -> None:
        with self.engine.connect() as conn:
            for (outcome, method), count in payments_by_outcome(conn).items():
                PAYMENTS.labels(outcome, method).set(count)


def register_tick(broker: dramatiq.Broker, tick: Callable[[], int]) -> dramatiq.Actor:
    def tick_actor() -> None:
        tick()

    return dramatiq.Actor(tick_actor, broker=broker, actor_name=ACTOR, queue_name=QUEUE,
                          priority=10, options={"max_retries": 0})


def tick_message() -> dramatiq.Message:
    return dramatiq.Message(queue_name=QUEUE, actor_name=ACTOR, args=(), kwargs={}, options={})


class Ticker:
    """Fires a tick message at start and every `every_s` seconds; a late or overlapping fire is
    merged into one (ticks catch up by themselves)."""

    def __init__(self, broker: dramatiq.Broker, every_s: float = EVERY_S) -> None:
        self.scheduler = BackgroundScheduler(timezone="UTC", job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": None})
        self.scheduler.add_job(_send, "interval", args=(broker,), seconds=every_s,
                               next_run_time=datetime.now().astimezone())

    def start(self) -> Ticker:
        self.scheduler.start()
        return self

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)


def _send(broker: dramatiq.Broker) -> None:
    try:
        broker.enqueue(tick_message())
    except (dramatiq.errors.DramatiqError, redis.RedisError, OSError) as error:
        log.warning("tick_not_sent", error=str(error))
