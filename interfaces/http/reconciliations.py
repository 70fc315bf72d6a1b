"""Reconciliation routes: request a run (a worker carries it out), read runs, resolve what they found."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from application.context import CommandContext
from interfaces.http.answers import APPLIED, ID, CommandOut, Page, command_answer
from interfaces.http.audit import Auditor
from interfaces.http.deps import SystemDep, command_context
from interfaces.http.problem_docs import absent, documented
from interfaces.http.queries.reading import Cursor, Limit, MinPosition, check_cursor, read
from projections.reconciliations import ReconciliationsModel, get_reconciliation, list_reconciliations

PREFIX = "/v1/audit/reconciliations"
commands = APIRouter(prefix=PREFIX, tags=["audit"])
queries = APIRouter(prefix=PREFIX, tags=["audit"])
Command = Annotated[CommandContext, Depends(command_context())]  # who may: the access table
AT = "2026-11-01T00:00:00+00:00"
Kind = Literal[
    "amount_mismatch", "status_mismatch", "missing_in_gateway", "missing_in_log", "refund_mismatch"
]


class ReconcileRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"from": AT, "to": "2026-11-02T00:00:00+00:00"}]}
    )
    start: AwareDatetime = Field(alias="from", description="Start of the window (with its offset)")
    end: AwareDatetime = Field(alias="to", description="End of the window, after `from`")


class ResolveDiscrepancyRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"reason": "gateway fee adjustment confirmed with Razorpay support"}]
        },
    )
    reason: str = Field(min_length=1, max_length=500)


class SideOut(BaseModel):
    """One side's values for a discrepancy (ours: from our log; theirs: the gateway's)."""

    payment_id: str = absent("Our payment id (ours)")
    gateway_payment_id: str | None = absent("The gateway's payment id (theirs)")
    amount_paise: int | None = absent("The amount")
    status: str | None = absent("The status, in the gateway's terms")
    refunded_paise: int | None = absent("How much was refunded")
    gateway_refund_ids: list[str] = absent("The gateway refunds we know of (ours, refund_mismatch)")
    gateway_refund_id: str = absent("A gateway refund we do not know of (theirs, refund_mismatch)")


class DiscrepancyOut(BaseModel):
    number: int = Field(description="Its number within the run; resolve it by this number")
    kind: Kind
    payment_id: str | None
    gateway_payment_id: str | None
    ours: SideOut | None
    theirs: SideOut | None
    resolved: bool
    resolution: str | None


class ReconciliationOut(BaseModel):
    """A run: its window, status, how many payments it compared, and what it found new
    (`seen_again`: differences already open from an earlier run, not recorded again)."""

    model_config = ConfigDict(
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "id": ID,
                    "from": AT,
                    "to": "2026-11-02T00:00:00+00:00",
                    "status": "completed",
                    "requested_by": "ada",
                    "requested_at": AT,
                    "checked": 42,
                    "seen_again": 0,
                    "failure": None,
                    "version": 3,
                    "discrepancies": [
                        {
                            "number": 1,
                            "kind": "amount_mismatch",
                            "payment_id": ID,
                            "gateway_payment_id": "pay_PQ4",
                            "ours": {
                                "payment_id": ID,
                                "amount_paise": 49900,
                                "status": "captured",
                                "refunded_paise": 0,
                            },
                            "theirs": {
                                "gateway_payment_id": "pay_PQ4",
                                "amount_paise": 49000,
                                "status": "captured",
                                "refunded_paise": 0,
                            },
                            "resolved": False,
                            "resolution": None,
                        }
                    ],
                }
            ]
        },
    )
    id: UUID
    start: datetime = Field(alias="from")
    end: datetime = Field(alias="to")
    status: Literal["running", "completed", "failed"]
    requested_by: str
    requested_at: datetime
    checked: int
    seen_again: int
    failure: str | None
    version: int
    discrepancies: list[DiscrepancyOut]


class ReconciliationPageOut(Page[ReconciliationOut]):
    """A page of reconciliation runs, newest first."""


@commands.post(
    "",
    status_code=202,
    response_model=CommandOut,
    operation_id="requestReconciliation",
    responses={
        202: {"description": "Requested: a worker compares the log with the gateway"},
        **documented(400, 401, 403, 409, 422, 503),
    },
)
def request_reconciliation(body: ReconcileRequest, ctx: Command, system: SystemDep) -> JSONResponse:
    """Compare our payment log with the gateway's payments and refunds over [from, to]; a worker
    carries it out and records each difference (nothing is fixed). Read it at its Location.
    """
    result = system.reconciliations.request(ctx, body.start, body.end)
    system.reconcile.send(str(result.id), ctx.trace_id)
    answer = command_answer(result, PREFIX)
    answer.status_code = 202
    return answer


@commands.post(
    "/{run_id}/discrepancies/{number}/resolve",
    response_model=CommandOut,
    operation_id="resolveDiscrepancy",
    responses=APPLIED,
)
def resolve_discrepancy(
    run_id: UUID,
    number: Annotated[int, Path(ge=1, le=10**9)],
    body: ResolveDiscrepancyRequest,
    ctx: Command,
    system: SystemDep,
) -> JSONResponse:
    """Mark a discrepancy resolved with a reason (an event; nothing is edited or fixed)."""
    return command_answer(system.reconciliations.resolve(ctx, run_id, number, body.reason))


@queries.get(
    "/{run_id}",
    response_model=ReconciliationOut,
    operation_id="getReconciliation",
    responses={200: {"description": "Found"}, **documented(401, 403, 404, 422, 503)},
)
async def get_run(
    run_id: UUID, _: Auditor, system: SystemDep, min_position: MinPosition = None
) -> JSONResponse:
    """One reconciliation run with its discrepancies."""
    return await read(
        system,
        ReconciliationsModel.name,
        min_position,
        lambda conn: get_reconciliation(conn, str(run_id)),
        missing=f"no reconciliation {run_id}",
    )


@queries.get(
    "",
    response_model=ReconciliationPageOut,
    operation_id="listReconciliations",
    responses={200: {"description": "One page"}, **documented(401, 403, 422, 503)},
)
async def list_runs(
    _: Auditor, system: SystemDep, min_position: MinPosition = None, limit: Limit = 20, cursor: Cursor = None
) -> JSONResponse:
    """Reconciliation runs, newest first."""
    check_cursor(cursor)
    return await read(
        system,
        ReconciliationsModel.name,
        min_position,
        lambda conn: list_reconciliations(conn, limit, cursor),
    )
