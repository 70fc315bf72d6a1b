"""The admin dashboard's summary, read across the payments, sessions and subscriptions models."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from domain.values import Actor
from interfaces.http.answers import POSITION
from interfaces.http.deps import SystemDep, current_actor
from interfaces.http.problem_docs import documented
from interfaces.http.queries.reading import MinPosition, read
from projections.dashboard import READS, summary

router = APIRouter(prefix="/v1/queries/dashboard", tags=["dashboard: queries"])
Admin = Annotated[Actor, Depends(current_actor)]


class DashboardSummaryOut(BaseModel):
    """The business at a glance: counts and net revenue over fixed windows."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "active_subscriptions": 128, "revenue_paise_30d": 6387200, "payments_captured_24h": 9,
        "payments_failed_24h": 1, "live_sessions": 4,
    }]})
    active_subscriptions: int
    revenue_paise_30d: int
    payments_captured_24h: int
    payments_failed_24h: int
    live_sessions: int


@router.get("/summary", response_model=DashboardSummaryOut, operation_id="getDashboardSummary",
            responses={200: {"description": "The summary", "headers": POSITION},
                       **documented(401, 403, 422, 503)})
async def dashboard_summary(_: Admin, system: SystemDep, min_position: MinPosition = None) -> JSONResponse:
    """Active subscriptions, revenue net of refunds (30 days), captured and failed payments (24 hours)
    and live workout sessions; the position is the least that all the models read have reached.
    """
    now = system.clock()
    return await read(system, READS[0], min_position, lambda conn: summary(conn, now), also=READS[1:])
