"""The Razorpay sandbox: Razorpay's REST API and signed webhooks, in memory, as one ASGI app."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from infrastructure.razorpay.sandbox.entities import RazorpayError
from infrastructure.razorpay.sandbox.faults import FaultMiddleware
from infrastructure.razorpay.sandbox.ledger import Ledger
from infrastructure.razorpay.sandbox.mandates import Mandates
from infrastructure.razorpay.sandbox.routes import rest_router
from infrastructure.razorpay.sandbox.simulator import simulator_router
from infrastructure.razorpay.sandbox.state import Sandbox
from infrastructure.razorpay.sandbox.webhooks import Webhooks


def create_sandbox(key_id: str, key_secret: str, webhook_secret: str, webhook_url: str | None = None,
                   *, clock: Callable[[], float] = time.time, duplicates: int = 0, shuffle: bool = False,
                   seed: int | None = None, unique_receipts: bool = True,
                   **webhook_options: Any) -> tuple[FastAPI, Sandbox]:
    """The ASGI app (routes `/v1/...` and `/sandbox/...`) and its state, for mounting or serving.
    `unique_receipts=False` makes orders as Razorpay does (a receipt may repeat);
    `webhook_options`: `threads`, `attempts`, `backoff_s`, `timeout_s` of the webhook sender."""
    ledger = Ledger(clock, unique_receipts)
    sandbox = Sandbox(key_id, key_secret, ledger, Mandates(ledger),
                      Webhooks(webhook_secret, webhook_url, clock, **webhook_options),
                      delivery={"duplicates": duplicates, "shuffle": shuffle, "seed": seed})
    app = FastAPI(title="Razorpay sandbox", openapi_url=None, docs_url=None, redoc_url=None)
    app.include_router(rest_router(sandbox))
    app.include_router(simulator_router(sandbox))
    app.add_exception_handler(RazorpayError, _razorpay_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_middleware(FaultMiddleware, faults=sandbox.faults)
    return app, sandbox


async def _razorpay_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RazorpayError)
    return JSONResponse(error.body(), status_code=error.status)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    """Unknown URLs and methods answer in Razorpay's shape too (the client reads `error`)."""
    assert isinstance(error, HTTPException)
    return await _razorpay_error(request, RazorpayError(str(error.detail), status=error.status_code))


async def _invalid_request(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    first = error.errors()[0] if error.errors() else {}
    field_name = str(first.get("loc", ("", ""))[-1])
    return await _razorpay_error(request, RazorpayError(str(first.get("msg", "Invalid request")),
                                                        field=field_name))
