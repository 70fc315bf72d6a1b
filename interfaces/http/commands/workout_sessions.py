"""Command routes for a client's live workout sessions."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from application.context import CommandContext
from application.workout_sessions import (
    AbandonSession,
    CompleteSession,
    LogSet,
    PauseSession,
    ResumeSession,
    StartWorkoutSession,
)
from domain.workout_session import MAX_NAME, MAX_REPS, MAX_RPE, MAX_WEIGHT_KG, MIN_REPS, MIN_RPE
from interfaces.http.answers import APPLIED, CREATED, CommandOut, command_answer
from interfaces.http.deps import ExpectedVersion, SystemDep, command_context
from interfaces.http.text import CleanLine

router = APIRouter(prefix="/v1/commands/workout-sessions", tags=["workout sessions: commands"])
ClientContext = Annotated[CommandContext, Depends(command_context())]
LOCATION = "/v1/queries/workout-sessions"


class StartSessionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"plan_id": "4f1c2a9e-7d3b-4c1a-9e2f-0b6d8a5c3e71", "day": "Push"}]})
    plan_id: UUID | None = None
    day: CleanLine | None = Field(None, min_length=1, max_length=MAX_NAME)


class LogSetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"exercise": "Bench press", "reps": 8, "weight_kg": 62.5, "rpe": 8}]})
    exercise: CleanLine = Field(min_length=1, max_length=MAX_NAME)
    reps: int = Field(ge=MIN_REPS, le=MAX_REPS)
    weight_kg: Decimal = Field(ge=0, le=MAX_WEIGHT_KG, decimal_places=3, allow_inf_nan=False)
    rpe: Decimal | None = Field(None, ge=MIN_RPE, le=MAX_RPE, decimal_places=1, allow_inf_nan=False)


class EmptyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})


@router.post("", status_code=201, response_model=CommandOut, responses=CREATED,
             operation_id="startWorkoutSession")
def start_session(body: StartSessionRequest, ctx: ClientContext, system: SystemDep) -> JSONResponse:
    """Start a workout session for the calling client, optionally from a plan day."""
    result = system.workout_sessions.start(ctx, StartWorkoutSession(body.plan_id, body.day))
    return command_answer(result, LOCATION)


@router.post("/{session_id}/sets", response_model=CommandOut, responses=APPLIED, operation_id="logSet")
def log_set(
    session_id: UUID, body: LogSetRequest, ctx: ClientContext, system: SystemDep,
    version: ExpectedVersion,
) -> JSONResponse:
    """Log one set (exercise, reps, weight, optional RPE) in an active session."""
    cmd = LogSet(session_id, body.exercise, body.reps, body.weight_kg, body.rpe, version)
    return command_answer(system.workout_sessions.log_set(ctx, cmd))


@router.post("/{session_id}/pause", response_model=CommandOut, responses=APPLIED,
             operation_id="pauseWorkoutSession")
def pause_session(
    session_id: UUID, ctx: ClientContext, system: SystemDep, version: ExpectedVersion,
    body: EmptyRequest | None = None,
) -> JSONResponse:
    """Pause an active session; the paused time is left out of its duration."""
    return command_answer(system.workout_sessions.pause(ctx, PauseSession(session_id, version)))


@router.post("/{session_id}/resume", response_model=CommandOut, responses=APPLIED,
             operation_id="resumeWorkoutSession")
def resume_session(
    session_id: UUID, ctx: ClientContext, system: SystemDep, version: ExpectedVersion,
    body: EmptyRequest | None = None,
) -> JSONResponse:
    """Resume a paused session."""
    return command_answer(system.workout_sessions.resume(ctx, ResumeSession(session_id, version)))


@router.post("/{session_id}/complete", response_model=CommandOut, responses=APPLIED,
             operation_id="completeWorkoutSession")
def complete_session(
    session_id: UUID, ctx: ClientContext, system: SystemDep, version: ExpectedVersion,
    body: EmptyRequest | None = None,
) -> JSONResponse:
    """Complete a session, recording its summary of volume and duration."""
    return command_answer(system.workout_sessions.complete(ctx, CompleteSession(session_id, version)))


@router.post("/{session_id}/abandon", response_model=CommandOut, responses=APPLIED,
             operation_id="abandonWorkoutSession")
def abandon_session(
    session_id: UUID, ctx: ClientContext, system: SystemDep, version: ExpectedVersion,
    body: EmptyRequest | None = None,
) -> JSONResponse:
    """Abandon a session that will not be completed."""
    return command_answer(system.workout_sessions.abandon(ctx, AbandonSession(session_id, version)))
