"""Administration of the read models: status, rebuilds and dead letters."""

from __future__ import annotations

import threading
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from domain.values import Actor, Role
from infrastructure.projection_runtime import UnknownProjection
from interfaces.http.deps import SystemDep, allow
from interfaces.http.problems import Problem

router = APIRouter(prefix="/v1/admin/projections", tags=["administration"])
Admin = Annotated[Actor, Depends(allow(Role.ADMIN, Role.SUPERADMIN))]
SuperAdmin = Annotated[Actor, Depends(allow(Role.SUPERADMIN))]
log = structlog.get_logger("gymgenius.admin")


@router.get("")
async def list_projections(_: Admin, system: SystemDep) -> list[dict[str, Any]]:
    """Every read model: its position, lag in events, status and open dead letters."""
    statuses = await run_in_threadpool(system.projections.statuses)
    return [vars(s) for s in statuses]


@router.post("/{name}/rebuild", status_code=202)
async def rebuild_projection(name: str, _: SuperAdmin, system: SystemDep) -> JSONResponse:
    """Rebuild a read model from every event into fresh tables; swapped in once caught up."""
    _known(system, name)
    current = {s.name: s.status for s in await run_in_threadpool(system.projections.statuses)}
    if current.get(name) == "rebuilding":
        raise Problem(409, "Rebuild In Progress", f"{name} is already being rebuilt")
    threading.Thread(target=_rebuild, args=(system, name), daemon=True).start()
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
    retried = await run_in_threadpool(system.projections.retry_dead_letters, name)
    return {"name": name, "retried": retried}


def _known(system: Any, name: str) -> None:
    try:
        system.projections.model(name)
    except UnknownProjection:
        raise Problem(404, "Not Found", f"no read model named {name}") from None


def _rebuild(system: Any, name: str) -> None:
    try:
        position = system.projections.rebuild(name)
        log.info("projection_rebuilt", projection=name, position=position)
    except Exception as error:  # noqa: BLE001 - a background rebuild must log whatever stops it
        log.error("projection_rebuild_failed", projection=name, error=repr(error))
