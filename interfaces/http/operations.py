"""Operational routes, with no token: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import SkipJsonSchema
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from interfaces.http.deps import SystemDep
from interfaces.http.problem_docs import absent

router = APIRouter(tags=["operations"])
MAX_LAG = 10_000


class HealthOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})
    status: Literal["ok"]


class ReadinessChecksOut(BaseModel):
    """Each dependency: "ok", or why it is not."""

    database: str
    redis: str
    projections: str | SkipJsonSchema[None] = absent(
        '"ok", or "lagging: " and the read models behind; absent when the database is not ok')


class ReadinessOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"ready": True, "checks": {"database": "ok", "projections": "ok", "redis": "ok"}}]})
    ready: bool
    checks: ReadinessChecksOut


@router.get("/healthz", response_model=HealthOut, operation_id="getHealth")
async def healthz() -> dict[str, str]:
    """Answer while the process is alive; it touches no database.

    Roles: none needed (no token).
    """
    return {"status": "ok"}


@router.get("/readyz", response_model=ReadinessOut, operation_id="getReadiness", responses={
    200: {"description": "Ready"},
    503: {"description": "Not ready: the checks say which dependency is not", "model": ReadinessOut,
          "content": {"application/json": {"example": {"ready": False, "checks": {
              "database": "ok", "projections": "lagging: plans", "redis": "ok"}}}}},
})
async def readyz(system: SystemDep) -> JSONResponse:
    """Ready when the database and Redis answer and every read model's lag is within bounds.

    Roles: none needed (no token).
    """
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


@router.get("/metrics", response_class=PlainTextResponse, operation_id="getMetrics",
            responses={200: {"description": "Prometheus text exposition format", "content": {"text/plain": {
                "example": "# TYPE gymgenius_projection_lag_events gauge\n"
                           'gymgenius_projection_lag_events{projection="plans"} 0.0\n'}}}})
async def metrics() -> Response:
    """Prometheus metrics of this process.

    Roles: none needed (no token).
    """
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
