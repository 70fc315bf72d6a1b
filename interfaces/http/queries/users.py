"""Query routes for users: the caller's own record, one user, and the admins' list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from domain.values import MAX_ID, Actor
from interfaces.http.answers import FOUND, LISTED, Page
from interfaces.http.deps import SystemDep, current_actor
from interfaces.http.problem_docs import documented
from interfaces.http.queries.reading import (
    Cursor,
    Limit,
    MinPosition,
    answer,
    check_cursor,
    read,
    snapshot,
)
from projections.access import related_ids
from projections.users import UsersModel, get_user, list_users, read_user, show_recorded

router = APIRouter(prefix="/v1/queries", tags=["users: queries"])
Caller = Annotated[Actor, Depends(current_actor)]
Reader = Caller  # who may read whom: the rule in application/access_rules.py, then the row's owner
Admin = Caller
Uid = Annotated[str, Path(min_length=1, max_length=MAX_ID, pattern=r"^[A-Za-z0-9_.:@-]+$")]
NAME = UsersModel.name
AT = "2026-11-02T08:30:00+00:00"
RELATED = ("plans",)  # the read model whose assignments relate staff and clients today
EXAMPLE: dict[str, Any] = {
    "uid": "client-42", "role": "client", "display_name": "Asha Rao", "phone": "+919876543210",
    "goal": "strength", "level": "beginner", "equipment": ["dumbbells"], "diet": "vegetarian",
    "allergies": ["peanuts"], "injuries": [], "height_cm": 162.0, "weight_kg": 58.5,
    "birth_year": 1994, "erased": False, "version": 3, "created_at": AT,
}


class UserSummaryOut(BaseModel):
    """A user's role and profile; an erased user keeps only their uid and role."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})
    uid: str
    role: Literal["client", "trainer", "nutritionist", "admin", "superadmin", "auditor"]
    display_name: str | None
    phone: str | None
    goal: Literal["strength", "hypertrophy", "fat_loss", "endurance", "general"] | None
    level: Literal["beginner", "intermediate", "advanced"] | None
    equipment: list[str]
    diet: Literal["omnivore", "vegetarian", "eggetarian", "vegan"] | None
    allergies: list[str]
    injuries: list[str]
    height_cm: float | None
    weight_kg: float | None
    birth_year: int | None
    erased: bool
    version: int
    created_at: datetime


class UserOut(UserSummaryOut):
    """A user with their related staff (for a client) and their clients (for staff)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {**EXAMPLE, "staff_ids": ["trainer-7"], "client_ids": []}]})
    staff_ids: list[str]
    client_ids: list[str]


class UserPageOut(Page[UserSummaryOut]):
    """A page of users, newest first."""


@router.get("/me", response_model=UserOut, responses=FOUND, operation_id="getMe")
async def read_me(actor: Caller, system: SystemDep, min_position: MinPosition = None) -> JSONResponse:
    """The caller's own record: role, profile, related staff and clients. On a caller's very
    first request it answers from the record just made, before the read model has it.
    """
    async with snapshot(system, NAME, min_position, also=RELATED) as (conn, position):
        found = await get_user(conn, actor.uid)
        staff_ids, client_ids = await related_ids(conn, actor.uid)
    if found is None:
        found = show_recorded(await run_in_threadpool(system.roles.user, actor.uid, actor.role))
    return answer({**found, "staff_ids": staff_ids, "client_ids": client_ids}, position)


READ_ONE = {**FOUND, **documented(403)}
READ_MANY = {**LISTED, **documented(403)}


@router.get("/users/{uid}", response_model=UserOut, responses=READ_ONE, operation_id="getUser")
async def read_user_route(uid: Uid, actor: Reader, system: SystemDep,
                          min_position: MinPosition = None) -> JSONResponse:
    """One user, if the caller may read them.

    A client reads only themself;
    a trainer or nutritionist themself and their related clients; admins and superadmins anyone.
    """
    return await read(system, NAME, min_position, lambda conn: read_user(conn, actor, uid),
                      also=RELATED, missing=f"no user {uid} that you may read")


@router.get("/users", response_model=UserPageOut, responses=READ_MANY, operation_id="listUsers")
async def list_users_route(
    actor: Admin, system: SystemDep, min_position: MinPosition = None,
    role: Literal["client", "trainer", "nutritionist", "admin", "superadmin", "auditor"] | None = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100, description="Part of the name")] = None,
    limit: Limit = 20, cursor: Cursor = None,
) -> JSONResponse:
    """Every user, newest first, by role and by a part of the display name."""
    check_cursor(cursor)
    return await read(system, NAME, min_position,
                      lambda conn: list_users(conn, role=role, q=q, limit=limit, cursor=cursor))


