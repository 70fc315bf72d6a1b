"""Administration of the read models: status, rebuilds and dead letters."""

from __future__ import annotations

import threading
from collections.abc import Awaitable
from typing import Annotated, Any, TypeVar

import structlog
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from domain.values import Actor, Role
from infrastructure.locks import RebuildClaim, RebuildRunning
from infrastructure.projection_runtime import UnknownProjection
from interfaces.http.deps import SystemDep, allow
from interfaces.http.problems import Problem

router = APIRouter(prefix="/v1/admin/projections", tags=["administration"])
Admin = Annotated[Actor, Depends(allow(Role.ADMIN, Role.SUPERADMIN))]
SuperAdmin = Annotated[Actor, Depends(allow(Role.SUPERADMIN))]
log = structlog.get_logger("gymgenius.admin")
T = TypeVar("T")


@router.get("")
async def list_projections(_: Admin, system: SystemDep) -> list[dict[str, Any]]:
    """Every read model: its position, lag in events, status and open dead letters."""
    statuses = await run_in_threadpool(system.projections.statuses)
    return [vars(s) for s in statuses]


@router.post("/{name}/rebuild", status_code=202)
async def rebuild_projection(name: str, _: SuperAdmin, system: SystemDep) -> JSONResponse:
    """Rebuild a read model from every event into fresh tables; swapped in once caught up."""
    _known(system, name)
    claim = await _claimed(run_in_threadpool(system.projections.rebuilder.claim, name))
    threading.Thread(target=_rebuild, args=(system, name, claim), daemon=True).start()
    return JSONResponse({"name": name, "status": "rebuilding"}, status_code=202,
                        headers={"Location": "/v1/admin/projections"})


@router.get("/{name}/dead-letters")
async def list_dead_letters(name: str, _: Admin, system: SystemDep) -> list[dict[str, Any]]:
    """Events this read model could not apply, with the error each raised."""
    _known(system, name)
    letters = await run_in_threadpool(system.projections.dead_letters, name)
    return [{**d, "recorded_at": d["recorded_at"].isoformat()} for d in letters]


@router.post("/{name}/dead-letters/retry", status_code=202)
async def retry_dead_letters(name: str, _: SuperAdmin, system: SystemDep) -> dict[str, Any]:
    """Retry the open dead letters by rebuilding the read model from the log."""
    _known(system, name)
    retried = await _claimed(run_in_threadpool(system.projections.retry_dead_letters, name))
    return {"name": name, "retried": retried}


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
