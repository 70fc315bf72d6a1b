"""The admin dashboard's summary, read across the payments, sessions and subscriptions models."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from domain.values import Actor, Role
from interfaces.http.deps import SystemDep, allow
from interfaces.http.queries.reading import QUERY_RESPONSES, MinPosition, read
from projections.dashboard import READS, summary

router = APIRouter(prefix="/v1/queries/dashboard", tags=["dashboard: queries"],
                   responses=QUERY_RESPONSES)
Admin = Annotated[Actor, Depends(allow(Role.ADMIN, Role.SUPERADMIN))]


@router.get("/summary")
async def dashboard_summary(_: Admin, system: SystemDep, min_position: MinPosition = None) -> JSONResponse:
    """Active subscriptions, revenue net of refunds (30 days), captured and failed payments (24 hours)
    and live workout sessions; the position is the least that all the models read have reached."""
    now = system.clock()
    return await read(system, READS[0], min_position, lambda conn: summary(conn, now), also=READS[1:])
