"""The query baseline: a bare FastAPI app whose one GET selects a workout session by its key.

Served like ours (uvicorn, one worker, an async endpoint, the same async driver and pool size)
and answering the same JSON for the same row, with nothing else: no token, no snapshot, no
position. `uvicorn --factory ops.bench.select_baseline:create` with BENCH_DATABASE_URL and
BENCH_SCHEMA set.
"""

from __future__ import annotations

import os
from uuid import UUID

from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from projections.workout_sessions import sessions, show


def create() -> FastAPI:
    url = os.environ["BENCH_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_async_engine(
        url, connect_args={"options": f"-c search_path={os.environ['BENCH_SCHEMA']}"},
        pool_size=10, max_overflow=20, pool_pre_ping=True,
    )
    app = FastAPI(title="Query baseline")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/sessions/{session_id}")
    async def read(session_id: UUID) -> JSONResponse:
        async with engine.connect() as conn:
            query = select(sessions).where(sessions.c.id == str(session_id))
            row = (await conn.execute(query)).mappings().first()
        if row is None:
            raise HTTPException(404)
        return JSONResponse(show(dict(row)))

    return app
