"""Query routes for workout sessions: a client's own, their trainers', and staff's view."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from domain.values import Actor
from interfaces.http.answers import FOUND, ID, LISTED, Page
from interfaces.http.deps import SystemDep, current_actor
from interfaces.http.queries.reading import (
    Cursor,
    Limit,
    MinPosition,
    access_models,
    check_cursor,
    read,
)
from projections.workout_sessions import WorkoutSessionsModel, get_session, list_sessions

router = APIRouter(prefix="/v1/queries/workout-sessions", tags=["workout sessions: queries"])
Caller = Annotated[Actor, Depends(current_actor)]
NAME = WorkoutSessionsModel.name
Status = Literal["active", "paused", "completed", "abandoned"]
AT = "2026-11-02T07:10:00+00:00"


class LoggedSetOut(BaseModel):
    exercise: str
    set_number: int
    reps: int
    weight_kg: float
    rpe: float | None
    at: datetime


class WorkoutSessionOut(BaseModel):
    """A client's workout session with every set logged in it, in order."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": ID, "client_id": "client-42", "plan_id": None, "day": "Push", "status": "completed",
        "sets": [{"exercise": "Bench press", "set_number": 1, "reps": 8, "weight_kg": 62.5, "rpe": 8.0,
                  "at": AT}],
        "total_volume_kg": 500.0, "duration_s": 2400, "started_at": AT,
        "ended_at": "2026-11-02T07:50:00+00:00", "version": 3,
    }]})
    id: UUID
    client_id: str
    plan_id: UUID | None
    day: str | None
    status: Status
    sets: list[LoggedSetOut]
    total_volume_kg: float
    duration_s: int | None
    started_at: datetime
    ended_at: datetime | None
    version: int



class WorkoutSessionPageOut(Page[WorkoutSessionOut]):
    """A page of workout sessions, newest first."""


@router.get("/{session_id}", response_model=WorkoutSessionOut, responses=FOUND,
            operation_id="getWorkoutSession")
async def read_session(
    session_id: UUID, actor: Caller, system: SystemDep, min_position: MinPosition = None
) -> JSONResponse:
    """One workout session with its sets, if the caller may see it.

    A client reads their own; a trainer or nutritionist those of
    the clients assigned to them; admins, superadmins and auditors every one.
    """
    return await read(
        system, NAME, min_position,
        lambda conn: get_session(conn, actor, str(session_id)),
        missing=f"no workout session {session_id} that you may read",
        also=access_models(actor),
    )


@router.get("", response_model=WorkoutSessionPageOut, responses=LISTED,
            operation_id="listWorkoutSessions")
async def list_workout_sessions(
    actor: Caller, system: SystemDep, min_position: MinPosition = None,
    client_id: Annotated[str | None, Query(max_length=128)] = None,
    status: Status | None = None,
    limit: Limit = 20, cursor: Cursor = None,
) -> JSONResponse:
    """Workout sessions the caller may see, newest first, by client and status.

    A client lists their own; a trainer or nutritionist those of
    the clients assigned to them; admins, superadmins and auditors every one.
    """
    check_cursor(cursor)
    return await read(
        system, NAME, min_position,
        lambda conn: list_sessions(conn, actor, client_id=client_id, status=status, limit=limit,
                                   cursor=cursor),
        also=access_models(actor),
    )
