"""Query routes for progress: a client's records, volume, streak and adherence, and a staff
member's roster of their clients by adherence."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from domain.values import Actor
from interfaces.http.answers import FOUND, POSITION
from interfaces.http.deps import SystemDep, current_actor
from interfaces.http.problem_docs import documented
from interfaces.http.queries.reading import MinPosition, access_models, read
from projections.plans import PlansModel
from projections.progress import ProgressModel
from projections.progress_reads import get_progress, roster
from projections.relationships import RelationshipsModel

router = APIRouter(prefix="/v1/queries/progress", tags=["progress: queries"])
Caller = Annotated[Actor, Depends(current_actor)]
ClientId = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")]
NAME = ProgressModel.name
AT = "2026-11-02T07:10:00.000000+00:00"


class RecordOut(BaseModel):
    exercise: str
    heaviest_kg: float
    best_e1rm_kg: float
    best_session_volume_kg: float | None
    heaviest_at: str
    best_e1rm_at: str
    best_session_volume_at: str | None
    at: str


class WeekVolumeOut(BaseModel):
    week: str
    week_start: str
    exercise: str
    volume_kg: float


class ProgressOut(BaseModel):
    """A client's personal records per exercise (Epley's 1RM), their weekly volume per exercise
    (the newest 12 weeks trained), their streak of training weeks and their adherence."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "client_id": "client-42",
        "records": [{"exercise": "Bench press", "heaviest_kg": 80.0, "best_e1rm_kg": 93.333,
                     "best_session_volume_kg": 1900.0, "heaviest_at": AT, "best_e1rm_at": AT,
                     "best_session_volume_at": AT, "at": AT}],
        "weekly_volume": [{"week": "2026-W45", "week_start": "2026-11-02", "exercise": "Bench press",
                           "volume_kg": 1900.0}],
        "streak_weeks": 3, "completed_2w": 5, "sessions_per_week": 3, "adherence_2w": 0.833,
    }]})
    client_id: str
    records: list[RecordOut]
    weekly_volume: list[WeekVolumeOut]
    streak_weeks: int
    completed_2w: int
    sessions_per_week: int | None
    adherence_2w: float | None


class RosterEntryOut(BaseModel):
    client_id: str
    adherence_2w: float | None
    at_risk: bool
    completed_2w: int
    sessions_per_week: int | None
    streak_weeks: int


class RosterOut(BaseModel):
    """A staff member's clients by adherence over the last 2 weeks, at-risk (below 0.5) first."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [
        {"client_id": "client-7", "adherence_2w": 0.167, "at_risk": True, "completed_2w": 1,
         "sessions_per_week": 3, "streak_weeks": 0},
        {"client_id": "client-42", "adherence_2w": 0.833, "at_risk": False, "completed_2w": 5,
         "sessions_per_week": 3, "streak_weeks": 3},
    ]}]})
    items: list[RosterEntryOut]


READS = (PlansModel.name, RelationshipsModel.name)


@router.get("/roster", response_model=RosterOut, operation_id="getProgressRoster",
            responses={200: {"description": "The roster", "headers": POSITION},
                       **documented(401, 403, 422, 503)})
async def read_roster(actor: Caller, system: SystemDep, min_position: MinPosition = None) -> JSONResponse:
    """The caller's clients (active relationships) by adherence, lowest first, so the at-risk
    ones lead; clients with no workout plan come last.

    Roles: trainer, nutritionist (their clients' only).
    """
    now = system.clock()
    return await read(system, NAME, min_position, lambda conn: roster(conn, actor, now), also=READS)


@router.get("/{client_id}", response_model=ProgressOut, responses=FOUND, operation_id="getProgress")
async def read_progress(
    client_id: ClientId, actor: Caller, system: SystemDep, min_position: MinPosition = None
) -> JSONResponse:
    """A client's progress as of now; every set logged counts towards records and volume (also
    in an abandoned session), only completed sessions towards streak and adherence.

    Roles: client (their own only); trainer, nutritionist (their clients' only); admin,
    superadmin, auditor.
    """
    now = system.clock()
    return await read(
        system, NAME, min_position, lambda conn: get_progress(conn, actor, client_id, now),
        missing=f"no progress of {client_id} that you may read",
        also=(PlansModel.name, *access_models(actor)),
    )
