"""The plan-generation actor, and the sweep that sends a stuck generation to a worker again.

The request sends one message; a redelivered message finds the plan no longer `generating` and
does nothing. A plan left `generating` (a worker died mid-call, the message was lost) is found by
the sweep in the plans read model after `generation_stuck_s` and sent again; one still stuck after
`GIVE_UP_AFTER` sends is recorded as failed (`Plan.GenerationFailed`)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

import dramatiq
import structlog
from prometheus_client import Counter
from sqlalchemy import Engine, select

from application.context import CommandContext
from application.errors import ApplicationError, VersionConflict
from application.plan_generation import PlanGeneration
from domain.errors import DomainError
from domain.plan import Plan
from domain.values import Actor, Role
from projections.plans import plans

ACTOR, QUEUE = "generate_plan", "gymgenius-generate"
WORKER = Actor("plan-generator", Role.SYSTEM)
GIVE_UP_AFTER = 3
log = structlog.get_logger("gymgenius.generation")
GENERATED = Counter("gymgenius_plan_generations_total", "Generated plans, by who wrote the content",
                    ["source"])  # a rising "fallback" share: Gemini is failing


def register_generate(
    broker: dramatiq.Broker, generation: PlanGeneration, clock: Callable[[], datetime]
) -> dramatiq.Actor:
    def generate_plan(plan_id: str, trace_id: str = "") -> None:
        ctx = CommandContext(actor=WORKER, at=clock(), trace_id=trace_id)
        try:
            result = generation.generate(ctx, UUID(plan_id))
        except VersionConflict:  # another delivery completed it first
            return
        made = generation.aggregates.load(Plan, UUID(plan_id)).generation if result else None
        if made is None:
            log.info("plan_generation_skipped", plan_id=plan_id)
            return
        GENERATED.labels(made.source.value).inc()
        log.info("plan_generated", plan_id=plan_id, source=made.source.value,
                 finish_reason=made.finish_reason, fallback_reason=made.fallback_reason)

    return dramatiq.Actor(
        generate_plan, broker=broker, actor_name=ACTOR, queue_name=QUEUE, priority=20,
        options={"max_retries": 3, "min_backoff": 1000, "max_backoff": 30000, "time_limit": 300_000},
    )


class StuckGenerations:
    """Sends plans stuck in `generating` to a worker again; at most one sweep every `every_s`."""

    def __init__(self, engine: Engine, generation: PlanGeneration, send: Callable[[str], object],
                 clock: Callable[[], datetime], stuck_s: float, every_s: float = 15.0,
                 again_s: float | None = None) -> None:
        self.engine, self.generation, self.send, self.clock = engine, generation, send, clock
        self.stuck, self.every_s = timedelta(seconds=stuck_s), every_s
        self.again_s = stuck_s if again_s is None else again_s  # between two sends of one plan
        self.sent: dict[str, tuple[int, float]] = {}  # plan id: sends so far, when last sent
        self._last, self._lock = 0.0, threading.Lock()

    def __call__(self) -> None:
        if time.monotonic() - self._last < self.every_s or not self._lock.acquire(blocking=False):
            return
        try:
            self._last = time.monotonic()
            for plan_id in self._stuck():
                self._again(plan_id)
        finally:
            self._lock.release()

    def _stuck(self) -> list[str]:
        query = select(plans.c.id).where(plans.c.status == "generating",
                                         plans.c.updated_at < self.clock() - self.stuck).limit(100)
        with self.engine.connect() as conn:
            return [str(row) for row in conn.execute(query).scalars()]

    def _again(self, plan_id: str) -> None:
        tries, last = self.sent.get(plan_id, (0, 0.0))
        if tries and time.monotonic() - last < self.again_s:
            return
        if tries >= GIVE_UP_AFTER:
            ctx = CommandContext(actor=WORKER, at=self.clock(), trace_id="")
            with contextlib.suppress(ApplicationError, DomainError):
                self.generation.give_up(ctx, UUID(plan_id), "no worker completed the generation")
            self.sent.pop(plan_id, None)
            return
        self.sent[plan_id] = (tries + 1, time.monotonic())
        log.warning("plan_generation_sent_again", plan_id=plan_id, tries=tries + 1)
        self.send(plan_id)
