"""The baseline: a bare FastAPI app whose one POST endpoint does one INSERT, nothing else.

Served like ours (uvicorn, one worker, a plain `def` endpoint on the thread pool, a psycopg
pool of the same size), so the ratio measures what GymGenius adds on top of one INSERT.
`uvicorn --factory ops.bench.baseline:create` with BENCH_DATABASE_URL and BENCH_SCHEMA set.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi import FastAPI
from psycopg import sql
from psycopg_pool import ConnectionPool
from pydantic import BaseModel, ConfigDict, Field

TABLE = "baseline_sets"


class SetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    exercise: str = Field(min_length=1, max_length=100)
    reps: int = Field(ge=1, le=1000)
    weight_kg: Decimal = Field(ge=0, le=1000, decimal_places=3, allow_inf_nan=False)
    rpe: Decimal | None = Field(None, ge=1, le=10, decimal_places=1, allow_inf_nan=False)


def create_table_sql(schema: str) -> sql.Composed:
    return sql.SQL(
        "CREATE TABLE IF NOT EXISTS {}.{} (id bigserial PRIMARY KEY, session_id uuid NOT NULL, "
        "exercise text NOT NULL, reps int NOT NULL, weight_kg numeric NOT NULL, rpe numeric, "
        "at timestamptz NOT NULL DEFAULT now())"
    ).format(sql.Identifier(schema), sql.Identifier(TABLE))


def create() -> FastAPI:
    schema = os.environ["BENCH_SCHEMA"]
    pool = ConnectionPool(os.environ["BENCH_DATABASE_URL"], min_size=10, max_size=30, open=False)
    insert = sql.SQL(
        "INSERT INTO {}.{} (session_id, exercise, reps, weight_kg, rpe) "
        "VALUES (%s, %s, %s, %s, %s) RETURNING id"
    ).format(sql.Identifier(schema), sql.Identifier(TABLE))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pool.open(wait=True)
        yield
        pool.close()

    app = FastAPI(title="Baseline", lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/sets/{session_id}")
    def log_set(session_id: UUID, body: SetRequest) -> dict[str, Any]:
        with pool.connection() as conn:
            row = conn.execute(
                insert, (session_id, body.exercise, body.reps, body.weight_kg, body.rpe), prepare=True
            ).fetchone()
        return {"id": str(session_id), "position": row[0] if row else 0}

    return app
