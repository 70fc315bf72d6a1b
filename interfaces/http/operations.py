"""Operational routes, with no token: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import SkipJsonSchema
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from infrastructure.bootstrap import System
from infrastructure.readstore import ReadStoreBusy
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
        '"ok", "lagging: " or "stalled: " and the read models concerned (reported, the API stays ready); '
        "absent when the database is not ok")
    dead_letters: str | SkipJsonSchema[None] = absent(
        '"ok", or "open: " and the read models with open dead letters (they go on past them, so this alone '
        "does not make the API unready); absent when the database is not ok")


class ReadinessOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"ready": True, "checks": {"database": "ok", "projections": "ok", "redis": "ok"}}]})
    ready: bool
    checks: ReadinessChecksOut


@router.get("/healthz", response_model=HealthOut, operation_id="getHealth")
async def healthz() -> dict[str, str]:
    """Answer while the process is alive; it touches no database."""
    return {"status": "ok"}


@router.get("/readyz", response_model=ReadinessOut, operation_id="getReadiness", responses={
    200: {"description": "Ready"},
    503: {"description": "Not ready: the checks say which dependency is not", "model": ReadinessOut,
          "content": {"application/json": {"example": {"ready": False, "checks": {
              "database": "unavailable: OperationalError", "redis": "ok"}}}}},
})
async def readyz(system: SystemDep) -> JSONResponse:
    """Ready when the database answers: without it no command or query can be served. Redis,
    read-model lag or a stall, and open dead letters are reported (and counted in /metrics, where
    the alerts watch them) but keep the API ready: losing Redis loses nothing (nudges are
    data-free, workers also wake on PostgreSQL NOTIFY and a sweep), and a lagging read model is
    the same on every pod, so taking pods out of service would only turn a delay into an outage.
    """
    checks: dict[str, str] = {}
    try:
        await system.reads.ping()
        checks["database"] = "ok"
        checks.update(await run_in_threadpool(_read_models, system))
    except (SQLAlchemyError, OSError, ReadStoreBusy) as error:
        checks["database"] = f"unavailable: {type(error).__name__}"
    checks["redis"] = await run_in_threadpool(system.redis_status)
    ready = checks["database"] == "ok"
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)


def _read_models(system: System) -> dict[str, str]:
    statuses = system.projections.statuses()
    behind = [s.name for s in statuses if s.lag_events > MAX_LAG]
    stalled = system.projections.stalled()
    letters = [f"{s.name} ({s.dead_letters})" for s in statuses if s.dead_letters]
    projections = ("ok" if not behind else "lagging: " + ", ".join(behind)) if not stalled \
        else "stalled: " + ", ".join(stalled)
    return {"projections": projections, "dead_letters": "open: " + ", ".join(letters) if letters else "ok"}


@router.get("/metrics", response_class=PlainTextResponse, operation_id="getMetrics",
            responses={200: {"description": "Prometheus text exposition format", "content": {"text/plain": {
                "example": "# TYPE gymgenius_projection_lag_events gauge\n"
                           'gymgenius_projection_lag_events{projection="plans"} 0.0\n'}}}})
async def metrics() -> Response:
    """Prometheus metrics of this process."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
