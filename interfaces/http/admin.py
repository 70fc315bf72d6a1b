"""Administration of the read models: status, rebuilds and dead letters."""

from __future__ import annotations

import threading
from collections.abc import Awaitable
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

import structlog
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from domain.values import Actor
from infrastructure.locks import RebuildClaim, RebuildRunning
from infrastructure.projection_runtime import UnknownProjection
from interfaces.http.deps import SystemDep, allow, current_actor
from interfaces.http.problem_docs import documented
from interfaces.http.problems import Problem

router = APIRouter(prefix="/v1/admin/projections", tags=["administration"])
Admin = Annotated[Actor, Depends(current_actor)]
Unrevoked = Annotated[Actor, Depends(allow(check_revoked=True))]
log = structlog.get_logger("gymgenius.admin")
T = TypeVar("T")
UNKNOWN = {404: "No read model of that name"}


class ProjectionStatusOut(BaseModel):
    """A read model: how far it has read the event log, how far behind it is, its open dead letters."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"name": "plans", "position": 1842, "lag_events": 0, "status": "live", "dead_letters": 0}]})
    name: str
    position: int
    lag_events: int
    status: Literal["live", "rebuilding"]
    dead_letters: int


class RebuildOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "plans", "status": "rebuilding"}]})
    name: str
    status: Literal["rebuilding"]


REBUILDING: dict[int | str, dict[str, Any]] = {
    202: {"description": "Rebuilding", "headers": {"Location": {
        "description": "Where to follow the rebuild", "schema": {"type": "string"}}}},
    **documented(401, 403, 404, 409, 422, 503, say={
        **UNKNOWN, 409: "That read model is being rebuilt already",
        503: "The identity provider cannot confirm the caller's sessions were not revoked; retry"}),
}


class DeadLetterOut(BaseModel):
    """An event a read model could not apply, with the error it raised."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 1, "projection": "plans", "position": 1840, "event_type": "domain.plan:Plan.Revised",
        "originator_id": "4f1c2a9e-7d3b-4c1a-9e2f-0b6d8a5c3e71", "error": "LookupError('no plans row')",
        "status": "open", "recorded_at": "2026-11-02T08:30:00+00:00",
    }]})
    id: int
    projection: str
    position: int
    event_type: str
    originator_id: str
    error: str
    status: Literal["open", "retried"]
    recorded_at: datetime


class DeadLetterRetryOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "plans", "retried": 1}]})
    name: str
    retried: int


@router.get("", response_model=list[ProjectionStatusOut], operation_id="listProjections",
            responses=documented(401, 403))
async def list_projections(_: Admin, system: SystemDep) -> JSONResponse:
    """Every read model: its position, lag in events, status and open dead letters."""
    statuses = await run_in_threadpool(system.projections.statuses)
    return JSONResponse([vars(s) for s in statuses])


@router.post("/{name}/rebuild", status_code=202, response_model=RebuildOut, operation_id="rebuildProjection",
             responses=REBUILDING)
async def rebuild_projection(name: str, _: Unrevoked, system: SystemDep) -> JSONResponse:
    """Rebuild a read model from every event into fresh tables; swapped in once caught up."""
    _known(system, name)
    claim = await _claimed(run_in_threadpool(system.projections.rebuilder.claim, name))
    threading.Thread(target=_rebuild, args=(system, name, claim), daemon=True).start()
    return JSONResponse({"name": name, "status": "rebuilding"}, status_code=202,
                        headers={"Location": "/v1/admin/projections"})


@router.get("/{name}/dead-letters", response_model=list[DeadLetterOut], operation_id="listDeadLetters",
            responses=documented(401, 403, 404, 422, say=UNKNOWN))
async def list_dead_letters(name: str, _: Admin, system: SystemDep) -> JSONResponse:
    """Events this read model could not apply, with the error each raised."""
    _known(system, name)
    letters = await run_in_threadpool(system.projections.dead_letters, name)
    return JSONResponse([{**d, "recorded_at": d["recorded_at"].isoformat()} for d in letters])


@router.post("/{name}/dead-letters/retry", status_code=202, response_model=DeadLetterRetryOut,
             operation_id="retryDeadLetters", responses=documented(401, 403, 404, 409, 422, say={
                 **UNKNOWN, 409: "A rebuild of it is under way, or an event still cannot be applied"}))
async def retry_dead_letters(name: str, _: Admin, system: SystemDep) -> JSONResponse:
    """Retry the open dead letters by rebuilding the read model from the log."""
    _known(system, name)
    retried = await _claimed(run_in_threadpool(system.projections.retry_dead_letters, name))
    return JSONResponse({"name": name, "retried": retried}, status_code=202)


def _known(system: Any, name: str) -> None:
    try:
        system.projections.model(name)
    except UnknownProjection:
        raise Problem(404, "Not Found", f"no read model named {name}") from None


async def _claimed(work: Awaitable[T]) -> T:
    """The work's answer; a rebuild of the same read model under way is a 409."""
    try:
        return await work
    except RebuildRunning as error:
        raise Problem(409, "Rebuild In Progress", str(error)) from None


def _rebuild(system: Any, name: str, claim: RebuildClaim) -> None:
    try:
        with claim:
            position = system.projections.rebuilder.run(system.projections.model(name))
        log.info("projection_rebuilt", projection=name, position=position)
    except Exception as error:  # noqa: BLE001 - a background rebuild must log whatever stops it
        log.error("projection_rebuild_failed", projection=name, error=repr(error))
