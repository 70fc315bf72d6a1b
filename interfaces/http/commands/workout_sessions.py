"""Command routes for a client's live workout sessions."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from application.context import CommandContext
from application.workout_sessions import ChangeSessionState, LogSet, StartWorkoutSession
from domain.values import Role
from interfaces.http.answers import APPLIED, CREATED, CommandOut, command_answer
from interfaces.http.deps import ExpectedVersion, SystemDep, command_context

router = APIRouter(prefix="/v1/commands/workout-sessions", tags=["workout sessions: commands"])
ClientContext = Annotated[CommandContext, Depends(command_context(Role.CLIENT))]
LOCATION = "/v1/queries/workout-sessions"


class StartSessionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"plan_id": "4f1c2a9e-7d3b-4c1a-9e2f-0b6d8a5c3e71", "day": "Push"}]})
    plan_id: UUID | None = None
    day: str | None = Field(None, min_length=1, max_length=100)


class LogSetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"exercise": "Bench press", "reps": 8, "weight_kg": 62.5, "rpe": 8}]})
    exercise: str = Field(min_length=1, max_length=100)
    reps: int = Field(ge=1, le=1000)
    weight_kg: Decimal = Field(ge=0, le=1000, decimal_places=3, allow_inf_nan=False)
    rpe: Decimal | None = Field(None, ge=1, le=10, decimal_places=1, allow_inf_nan=False)


class EmptyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})


@router.post("", status_code=201, response_model=CommandOut, responses=CREATED,
             operation_id="startWorkoutSession")
def start_session(body: StartSessionRequest, ctx: ClientContext, system: SystemDep) -> JSONResponse:
    """Start a workout session for the calling client, optionally from a plan day.

    Roles: client.
    """
    result = system.workout_sessions.start(ctx, StartWorkoutSession(body.plan_id, body.day))
    return command_answer(result, LOCATION)


@router.post("/{session_id}/sets", response_model=CommandOut, responses=APPLIED, operation_id="logSet")
def log_set(
    session_id: UUID, body: LogSetRequest, ctx: ClientContext, system: SystemDep,
    version: ExpectedVersion,
) -> JSONResponse:
    """Log one set (exercise, reps, weight, optional RPE) in an active session.

    Roles: client, in their own session.
    """
    cmd = LogSet(session_id, body.exercise, body.reps, body.weight_kg, body.rpe, version)
    return command_answer(system.workout_sessions.log_set(ctx, cmd))


def _state_route(action: str, doc: str) -> None:
    def change(
        session_id: UUID, ctx: ClientContext, system: SystemDep, version: ExpectedVersion,
        body: EmptyRequest | None = None,
    ) -> JSONResponse:
        cmd = ChangeSessionState(session_id, action, version)  # type: ignore[arg-type]
        return command_answer(system.workout_sessions.change_state(ctx, cmd))

    change.__doc__ = doc + "\n\nRoles: client, in their own session."
    router.post(f"/{{session_id}}/{action}", name=f"{action}_session", response_model=CommandOut,
                responses=APPLIED, operation_id=f"{action}WorkoutSession")(change)


_state_route("pause", "Pause an active session; the paused time is left out of its duration.")
_state_route("resume", "Resume a paused session.")
_state_route("complete", "Complete a session, recording its summary of volume and duration.")
_state_route("abandon", "Abandon a session that will not be completed.")
