"""The admin dashboard's summary, read across the payments, sessions and subscriptions models."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from domain.values import Actor, Role
from infrastructure.bootstrap import System
from interfaces.http.deps import SystemDep, allow
from interfaces.http.problems import Problem
from interfaces.http.queries.reading import QUERY_RESPONSES, MinPosition, answer
from projections.dashboard import READS, reflected_position, summary

router = APIRouter(prefix="/v1/queries/dashboard", tags=["dashboard: queries"],
                   responses=QUERY_RESPONSES)
Admin = Annotated[Actor, Depends(allow(Role.ADMIN, Role.SUPERADMIN))]


@router.get("/summary")
async def dashboard_summary(_: Admin, system: SystemDep, min_position: MinPosition = None) -> JSONResponse:
    """Active subscriptions, revenue net of refunds (30 days), captured and failed payments (24 hours)
    and live workout sessions; the position is the least that all the models read have reached."""
    if min_position is not None:
        await _reflect(system, min_position)
    async with system.reads.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execution_options(isolation_level="REPEATABLE READ")
        position = await reflected_position(conn)
        figures = await summary(conn, system.clock())
    return answer(figures, position)


async def _reflect(system: System, min_position: int) -> None:
    """Waits (together, up to 5 s) until every read model the dashboard reads reaches the position."""
    reached = await asyncio.gather(*(system.reads.wait_for(name, min_position) for name in READS))
    late = [name for name, found in zip(READS, reached, strict=True) if found is None]
    if late:
        raise Problem(503, "Not Yet Reflected",
                      f"{', '.join(late)} not yet at position {min_position}")
