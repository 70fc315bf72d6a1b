"""Query routes for plans: their authors and every staff role read them; clients the ones assigned."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from domain.values import Actor
from interfaces.http.deps import SystemDep, current_actor
from interfaces.http.queries.reading import (
    QUERY_RESPONSES,
    Cursor,
    Limit,
    MinPosition,
    check_cursor,
    read,
)
from projections.plans import PlansModel, get_plan, list_plans

router = APIRouter(prefix="/v1/queries/plans", tags=["plans: queries"], responses=QUERY_RESPONSES)
Caller = Annotated[Actor, Depends(current_actor)]
Uid = Annotated[str | None, Query(min_length=1, max_length=128)]
NAME = PlansModel.name


@router.get("/{plan_id}")
async def read_plan(
    plan_id: UUID, actor: Caller, system: SystemDep, min_position: MinPosition = None
) -> JSONResponse:
    """One plan with its content, revision and clients, if the caller may read it."""
    return await read(
        system, NAME, min_position,
        lambda conn: get_plan(conn, actor, str(plan_id)),
        missing=f"no plan {plan_id} that you may read",
    )


@router.get("")
async def list_plans_route(
    actor: Caller, system: SystemDep, min_position: MinPosition = None,
    kind: Literal["workout", "meal"] | None = None, author_id: Uid = None, client_id: Uid = None,
    status: Literal["draft", "published", "archived"] | None = None,
    limit: Limit = 20, cursor: Cursor = None,
) -> JSONResponse:
    """Plans the caller may read, newest first, by kind, author, assigned client and status."""
    check_cursor(cursor)
    return await read(
        system, NAME, min_position,
        lambda conn: list_plans(conn, actor, kind=kind, author_id=author_id, client_id=client_id,
                                status=status, limit=limit, cursor=cursor),
    )
