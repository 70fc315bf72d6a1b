"""The webhook baseline: a bare FastAPI route that checks Razorpay's HMAC over the raw body, reads
the event type, and records the event id with one INSERT (a repeat hits the key: `duplicate`).

The least a correct webhook receiver does, served like ours (uvicorn, one worker, the body read
on the event loop, the database call on the thread pool, a psycopg pool).
`uvicorn --factory ops.bench.webhook_baseline:create` with BENCH_DATABASE_URL, BENCH_SCHEMA and
BENCH_WEBHOOK_SECRET set.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Header, HTTPException, Request
from psycopg import sql
from psycopg_pool import ConnectionPool
from starlette.concurrency import run_in_threadpool

TABLE = "baseline_webhooks"


def create_table_sql(schema: str) -> sql.Composed:
    return sql.SQL(
        "CREATE TABLE IF NOT EXISTS {}.{} (event_id text PRIMARY KEY, event text NOT NULL, "
        "body bytea NOT NULL, at timestamptz NOT NULL DEFAULT now())"
    ).format(sql.Identifier(schema), sql.Identifier(TABLE))


def create() -> FastAPI:
    secret = os.environ["BENCH_WEBHOOK_SECRET"].encode()
    pool = ConnectionPool(os.environ["BENCH_DATABASE_URL"], min_size=10, max_size=30, open=False)
    insert = sql.SQL(
        "INSERT INTO {}.{} (event_id, event, body) VALUES (%s, %s, %s) "
        "ON CONFLICT (event_id) DO NOTHING RETURNING 1"
    ).format(sql.Identifier(os.environ["BENCH_SCHEMA"]), sql.Identifier(TABLE))

    def record(event_id: str, event: str, raw: bytes) -> str:
        with pool.connection() as conn:
            row = conn.execute(insert, (event_id, event, raw), prepare=True).fetchone()
        return "processed" if row else "duplicate"

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pool.open(wait=True)
        yield
        pool.close()

    app = FastAPI(title="Webhook baseline", lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/webhooks/razorpay")
    async def receive(request: Request, x_razorpay_signature: str = Header(""),
                      x_razorpay_event_id: str = Header("")) -> dict[str, str]:
        raw = await request.body()
        expected = hmac.new(secret, raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, x_razorpay_signature) or not x_razorpay_event_id:
            raise HTTPException(400, "bad signature")
        event = json.loads(raw)["event"]
        return {"status": await run_in_threadpool(record, x_razorpay_event_id, event, raw)}

    return app
