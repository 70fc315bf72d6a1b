"""Operational routes, with no token: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from infrastructure.bootstrap import System
from infrastructure.readstore import ReadStoreBusy
from interfaces.http.deps import SystemDep

router = APIRouter(tags=["operations"])
MAX_LAG = 10_000


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Answer while the process is alive; it touches no database."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(system: SystemDep) -> JSONResponse:
    """Ready when the database and Redis answer and every read model advances: its lag within
    bounds and not stalled. Open dead letters are shown (and counted in /metrics) but do not
    take the API out of service: the read model goes on past them."""
    checks: dict[str, str] = {}
    try:
        await system.reads.ping()
        checks["database"] = "ok"
        checks.update(await run_in_threadpool(_read_models, system))
    except (SQLAlchemyError, OSError, ReadStoreBusy) as error:
        checks["database"] = f"unavailable: {type(error).__name__}"
    checks["redis"] = await run_in_threadpool(system.redis_status)
    ready = all(value == "ok" for name, value in checks.items() if name != "dead_letters")
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)


def _read_models(system: System) -> dict[str, str]:
    statuses = system.projections.statuses()
    behind = [s.name for s in statuses if s.lag_events > MAX_LAG]
    stalled = system.projections.stalled()
    letters = [f"{s.name} ({s.dead_letters})" for s in statuses if s.dead_letters]
    projections = ("ok" if not behind else "lagging: " + ", ".join(behind)) if not stalled \
        else "stalled: " + ", ".join(stalled)
    return {"projections": projections, "dead_letters": "open: " + ", ".join(letters) if letters else "ok"}


@router.get("/metrics")
async def metrics() -> Response:
    """Prometheus metrics of this process."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
