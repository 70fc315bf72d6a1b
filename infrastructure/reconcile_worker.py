"""The reconciliation actor: a requested run is carried out by a worker, never by the request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

import dramatiq
import structlog

from application.context import CommandContext
from application.reconciliation import Reconciliations
from domain.values import Actor, Role
from infrastructure.metrics import RECONCILIATION_DISCREPANCIES, RECONCILIATION_RUNS

ACTOR, QUEUE = "reconcile", "gymgenius-reconcile"
WORKER = Actor("reconciliation", Role.SYSTEM)
log = structlog.get_logger()


def register_reconcile(
    broker: dramatiq.Broker, reconciliations: Reconciliations, clock: Callable[[], datetime]
) -> dramatiq.Actor:
    def reconcile(run_id: str, trace_id: str = "") -> None:
        ctx = CommandContext(actor=WORKER, at=clock(), trace_id=trace_id)
        summary = reconciliations.run(ctx, UUID(run_id))
        RECONCILIATION_RUNS.labels(summary.status).inc()
        for finding in summary.new:
            RECONCILIATION_DISCREPANCIES.labels(finding.kind).inc()
        log.info(
            "reconciliation_run",
            run_id=run_id,
            status=summary.status,
            new=len(summary.new),
            seen_again=summary.seen_again,
        )

    return dramatiq.Actor(
        reconcile,
        broker=broker,
        actor_name=ACTOR,
        queue_name=QUEUE,
        priority=10,
        options={"max_retries": 3, "min_backoff": 1000, "max_backoff": 30000},
    )
