"""Query routes for workout sessions: a client's own, their trainers', and staff's view."""

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
    access_models,
    check_cursor,
    read,
)
from projections.workout_sessions import WorkoutSessionsModel, get_session, list_sessions

router = APIRouter(prefix="/v1/queries/workout-sessions", tags=["workout sessions: queries"],
                   responses=QUERY_RESPONSES)
Caller = Annotated[Actor, Depends(current_actor)]
NAME = WorkoutSessionsModel.name


@router.get("/{session_id}")
async def read_session(
    session_id: UUID, actor: Caller, system: SystemDep, min_position: MinPosition = None
) -> JSONResponse:
    """One workout session with its sets, if the caller may see it."""
    return await read(
        system, NAME, min_position,
        lambda conn: get_session(conn, actor, str(session_id)),
        missing=f"no workout session {session_id} that you may read",
        also=access_models(actor),
    )


@router.get("")
async def list_workout_sessions(
    actor: Caller, system: SystemDep, min_position: MinPosition = None,
    client_id: Annotated[str | None, Query(max_length=128)] = None,
    status: Literal["active", "paused", "completed", "abandoned"] | None = None,
    limit: Limit = 20, cursor: Cursor = None,
) -> JSONResponse:
    """Workout sessions the caller may see, newest first, by client and status."""
    check_cursor(cursor)
    return await read(
        system, NAME, min_position,
        lambda conn: list_sessions(conn, actor, client_id=client_id, status=status, limit=limit,
                                   cursor=cursor),
        also=access_models(actor),
    )
