"""Operational routes, with no token: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from interfaces.http.deps import SystemDep

router = APIRouter(tags=["operations"])
MAX_LAG = 10_000


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Answer while the process is alive; it touches no database."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(system: SystemDep) -> JSONResponse:
    """Ready when the database and Redis answer and every read model's lag is within bounds."""
    checks: dict[str, str] = {}
    try:
        async with system.reads.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
        lags = {s.name: s.lag_events for s in await run_in_threadpool(system.projections.statuses)}
        behind = [name for name, lag in lags.items() if lag > MAX_LAG]
        checks["projections"] = "ok" if not behind else "lagging: " + ", ".join(behind)
    except (SQLAlchemyError, OSError) as error:
        checks["database"] = f"unavailable: {type(error).__name__}"
    checks["redis"] = await run_in_threadpool(system.redis_status)
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)


@router.get("/metrics")
async def metrics() -> Response:
    """Prometheus metrics of this process."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
