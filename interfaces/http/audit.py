"""Auditors' routes: a payment's hash chain, payments and subscriptions as they stood, the export.

Every call (allowed or not) is written to the audit-access log before it is answered: their
rules in `application/access_rules.py` are `audited`, and the access gate writes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import AwareDatetime
from starlette.concurrency import run_in_threadpool

from application.audit import AsOf, published
from application.errors import NotFound
from domain.values import Actor
from infrastructure.bootstrap import System
from interfaces.http.audit_models import (
    EVENT_EXAMPLE,
    AccessPageOut,
    ExportLineOut,
    PaymentEventsOut,
    PaymentStateOut,
    SubscriptionStateOut,
)
from interfaces.http.audit_states import payment_state, subscription_state
from interfaces.http.deps import SystemDep, current_actor
from interfaces.http.problem_docs import documented
from interfaces.http.queries.reading import Cursor, Limit, check_cursor
from projections.audit_access import accesses

NDJSON = "application/x-ndjson"


router = APIRouter(prefix="/v1/audit", tags=["audit"])  # each call is logged by the access gate
Auditor = Annotated[Actor, Depends(current_actor)]  # admitted by the access table
AsOfTime = Annotated[AwareDatetime | None, Query(description="A time with its offset, ISO 8601")]
AsOfPosition = Annotated[int | None, Query(ge=1, le=2**62)]
READ = {**documented(401, 403, 404, 422)}


@router.get(
    "/payments/{payment_id}/events",
    response_model=PaymentEventsOut,
    responses=READ,
    operation_id="getPaymentChain",
)
async def payment_events(payment_id: UUID, _: Auditor, system: SystemDep) -> JSONResponse:
    """A payment's stored events in log order with their hash-chain links, and whether the chain
    holds (`broken_at`: the first position that was edited, removed or moved, and why).
    """
    report = await run_in_threadpool(system.audit.payment_chain, payment_id)
    if report is None:
        raise NotFound("payment", payment_id)
    return JSONResponse(
        {
            "payment_id": str(payment_id),
            "chain_valid": report.chain_valid,
            "broken_at": report.broken_at,
            "reason": report.reason,
            "events": [published(r) for r in report.events],
        }
    )


@router.get(
    "/payments/{payment_id}/state",
    response_model=PaymentStateOut,
    responses=READ,
    operation_id="getPaymentAsOf",
)
async def payment_as_of(
    payment_id: UUID,
    _: Auditor,
    system: SystemDep,
    as_of: AsOfTime = None,
    as_of_position: AsOfPosition = None,
) -> JSONResponse:
    """The payment rebuilt from its events as it stood at `as_of` (or `as_of_position`; neither: now)."""
    found = await run_in_threadpool(system.audit.payment_as_of, payment_id, as_of, as_of_position)
    return JSONResponse(payment_state(_existing(found, f"payment {payment_id}")))


@router.get(
    "/subscriptions/{subscription_id}/state",
    response_model=SubscriptionStateOut,
    responses=READ,
    operation_id="getSubscriptionAsOf",
)
async def subscription_as_of(
    subscription_id: UUID,
    _: Auditor,
    system: SystemDep,
    as_of: AsOfTime = None,
    as_of_position: AsOfPosition = None,
) -> JSONResponse:
    """The subscription rebuilt from its events as it stood at `as_of` (or `as_of_position`)."""
    found = await run_in_threadpool(system.audit.subscription_as_of, subscription_id, as_of, as_of_position)
    return JSONResponse(subscription_state(_existing(found, f"subscription {subscription_id}")))


EXPORTED = {
    200: {
        "description": "One JSON object per line (`ExportLineOut`), in log order",
        "content": {
            NDJSON: {
                "schema": {"$ref": "#/components/schemas/ExportLineOut"},
                "example": {"payment_id": EVENT_EXAMPLE["data"]["purpose"]["reference_id"], **EVENT_EXAMPLE},
            }
        },
    },
    **documented(401, 403, 422),
}


@router.get(
    "/payments", response_class=StreamingResponse, responses=EXPORTED, operation_id="exportPaymentEvents"
)
async def export(
    _: Auditor,
    system: SystemDep,
    start: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    end: Annotated[AwareDatetime | None, Query(alias="to")] = None,
    after_position: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> StreamingResponse:
    """Every payment event stamped in [from, to), in log order, as NDJSON read from the store a
    page at a time; resume an interrupted export with `after_position` = the last line's position.
    """
    return StreamingResponse(ndjson(system, start, end, after_position), media_type=NDJSON)


def ndjson(system: System, start: Any, end: Any, after_position: int, block: int = 500) -> Iterator[bytes]:
    lines: list[str] = []
    for record in system.audit.payment_events(start, end, after_position):
        lines.append(json.dumps(record, separators=(",", ":")))
        if len(lines) == block:
            yield ("\n".join(lines) + "\n").encode()
            lines.clear()
    if lines:
        yield ("\n".join(lines) + "\n").encode()


def _existing(found: AsOf | None, what: str) -> AsOf:
    if found is None:
        raise NotFound(what, "at that time or position")
    return found


__all__ = ["ExportLineOut", "router"]


@router.get("/access", response_model=AccessPageOut, responses={**documented(401, 403, 422)},
            operation_id="listAuditAccess")
async def access_log(
    _: Auditor,
    system: SystemDep,
    uid: Annotated[str | None, Query(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> JSONResponse:
    """The audit-access log, newest first: every call to an audit route (this one included),
    admitted or refused, with the caller, the path and the trace id; `uid` keeps one caller's."""
    check_cursor(cursor)

    def read() -> Any:
        with system.projections.engine.connect() as conn:
            return accesses(conn, limit, cursor, uid)

    return JSONResponse(await run_in_threadpool(read))
