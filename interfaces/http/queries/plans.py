"""Query routes for plans: their authors and every staff role read them; clients the ones assigned."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from domain.values import Actor
from interfaces.http.answers import FOUND, ID, LISTED, Page
from interfaces.http.deps import SystemDep, current_actor
from interfaces.http.plan_content import WORKOUT_EXAMPLE, MealContentOut, WorkoutContentOut
from interfaces.http.queries.reading import (
    Cursor,
    Limit,
    MinPosition,
    check_cursor,
    read,
)
from projections.payments import PaymentsModel
from projections.plans import PlansModel, get_plan, list_for_sale, list_plans

router = APIRouter(prefix="/v1/queries/plans", tags=["plans: queries"])
Caller = Annotated[Actor, Depends(current_actor)]
Uid = Annotated[str | None, Query(min_length=1, max_length=128)]
NAME = PlansModel.name
AT = "2026-11-02T08:30:00+00:00"


class PlanOut(BaseModel):
    """A workout or meal plan as its readers see it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": ID, "kind": "workout", "title": "Strength, 4 weeks", "status": "published", "revision": 2,
        "author_id": "trainer-7", "source": "manual", "client_ids": ["client-42"],
        "content": WORKOUT_EXAMPLE, "price_paise": 49900, "version": 4, "created_at": AT, "updated_at": AT,
    }]})
    id: UUID
    kind: Literal["workout", "meal"]
    title: str
    status: Literal["generating", "draft", "published", "archived", "failed"]
    revision: int
    author_id: str
    source: Literal["manual", "ai", "fallback"]
    client_ids: list[str]
    content: WorkoutContentOut | MealContentOut | None = Field(
        description="null while generating (or failed), and on sale until bought")
    price_paise: int | None
    version: int
    created_at: datetime
    updated_at: datetime



class PlanPageOut(Page[PlanOut]):
    """A page of plans, newest first."""


@router.get("/{plan_id}", response_model=PlanOut, responses=FOUND, operation_id="getPlan")
async def read_plan(
    plan_id: UUID, actor: Caller, system: SystemDep, min_position: MinPosition = None
) -> JSONResponse:
    """One plan with its content, revision and clients, if the caller may read it.

    Trainers, nutritionists, admins, superadmins and auditors read
    every plan; a client only the plans assigned to them (none once archived), and sees only
    their own id in `client_ids`.
    """
    return await read(
        system, NAME, min_position,
        lambda conn: get_plan(conn, actor, str(plan_id)),
        missing=f"no plan {plan_id} that you may read",
    )


@router.get("", response_model=PlanPageOut, responses=LISTED, operation_id="listPlans")
async def list_plans_route(
    actor: Caller, system: SystemDep, min_position: MinPosition = None,
    kind: Literal["workout", "meal"] | None = None, author_id: Uid = None, client_id: Uid = None,
    status: Literal["generating", "draft", "published", "archived", "failed"] | None = None,
    for_sale: bool = False, limit: Limit = 20, cursor: Cursor = None,
) -> JSONResponse:
    """Plans the caller may read, newest first, by kind, author, assigned client and status.

    With `for_sale=true`: every published plan with a price, for anyone signed in (the other
    filters but `kind` do not apply), its `content` null unless the caller bought it or may read it.

    Trainers, nutritionists, admins, superadmins and auditors list
    every plan; a client only the plans assigned to them (none once archived), and sees only their
    own id in `client_ids`.
    """
    check_cursor(cursor)
    if for_sale:
        return await read(system, NAME, min_position, lambda conn: list_for_sale(
            conn, actor, kind=kind, limit=limit, cursor=cursor), also=(PaymentsModel.name,))
    return await read(
        system, NAME, min_position,
        lambda conn: list_plans(conn, actor, kind=kind, author_id=author_id, client_id=client_id,
                                status=status, limit=limit, cursor=cursor),
    )
