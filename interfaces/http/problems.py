"""Every error becomes an RFC 9457 problem, through this one table."""

from __future__ import annotations

from typing import Any

import psycopg
from eventsourcing.persistence import OperationalError as StoreOperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from application.errors import (
    BadSignature,
    Forbidden,
    IdempotencyKeyReused,
    MalformedNotice,
    NotFound,
    VersionConflict,
)
from application.gateway import GatewayRejected, GatewayUnavailable
from application.identity import IdentityUnavailable, InvalidToken, TokenRevoked, TokenTooOld
from domain.errors import InvalidValue, RuleViolation
from infrastructure.rate_limits import RateLimited
from projections.engine import PoisonEvent

PROBLEM = "application/problem+json"
TYPES = "https://gymgenius.app/problems/"


class Problem(Exception):
    """An HTTP-level refusal raised by the interface itself (bad header, bad signature)."""

    def __init__(self, status: int, title: str, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.extra = status, title, detail or title, extra


# error class -> (status, type slug, title)
TABLE: dict[type[Exception], tuple[int, str, str]] = {
    InvalidToken: (401, "unauthenticated", "Missing or invalid bearer token"),
    TokenTooOld: (401, "token-too-old", "The token is too old: refresh it"),
    TokenRevoked: (401, "token-revoked", "The token was revoked: sign in again"),
    IdentityUnavailable: (503, "identity-unavailable", "The identity provider is unavailable"),
    Forbidden: (403, "forbidden", "Not allowed"),
    NotFound: (404, "not-found", "Not found"),
    VersionConflict: (409, "version-conflict", "Version conflict"),
    RuleViolation: (409, "rule-violation", "The command does not fit the current state"),
    InvalidValue: (422, "invalid-value", "Invalid value"),
    IdempotencyKeyReused: (422, "idempotency-key-reused", "Idempotency key reused"),
    StoreOperationalError: (503, "store-unavailable", "The event store is unavailable"),
    psycopg.OperationalError: (503, "database-unavailable", "The database is unavailable"),
    PoisonEvent: (409, "poison-event", "A read model cannot apply an event yet"),
    BadSignature: (400, "bad-signature", "The signature does not verify"),
    MalformedNotice: (400, "malformed-notice", "Not a gateway event"),
    GatewayUnavailable: (503, "gateway-unavailable", "The payment gateway is unavailable"),
    GatewayRejected: (422, "gateway-rejected", "The payment gateway refused the request"),
}


def problem(request: Request, status: int, slug: str, title: str, detail: str, *,
            retry_after: int = 1, headers: dict[str, str] | None = None, **extra: Any):
    body = {
        "type": TYPES + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if status == 503:
        headers["Retry-After"] = str(max(1, retry_after))
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers or None)


async def _mapped(request: Request, error: Exception) -> JSONResponse:
    for kind in type(error).__mro__:
        if kind in TABLE:
            status, slug, title = TABLE[kind]
            extra: dict[str, Any] = {"errors": [{"loc": [error.field], "msg": error.message}]} if isinstance(
                error, InvalidValue
            ) else {}
            if isinstance(error, GatewayUnavailable):
                extra["retry_after"] = error.retry_after_s
            return problem(request, status, slug, title, str(error), **extra)
    raise error


async def _problem(request: Request, error: Problem) -> JSONResponse:
    slug = error.title.lower().replace(" ", "-")
    return problem(request, error.status, slug, error.title, error.detail, **error.extra)


async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in error.errors()]
    return problem(
        request, 422, "validation", "Invalid request", "the request does not match its schema",
        errors=errors,
    )


async def _http(request: Request, error: HTTPException) -> JSONResponse:
    detail = error.detail if isinstance(error.detail, str) else "request refused"
    slug = {404: "not-found", 405: "method-not-allowed"}.get(error.status_code, "http-error")
    headers = dict(error.headers or {})
    if error.status_code == 405 and "GET" in headers.get("Allow", "").split(", "):
        headers["Allow"] += ", HEAD"  # the edge answers HEAD wherever GET is
    return problem(request, error.status_code, slug, detail, detail, headers=headers)


async def _rate_limited(request: Request, error: RateLimited) -> JSONResponse:
    return problem(request, 429, "rate-limited", "Too many requests", str(error),
                   headers=error.verdict.headers())


def install(app: FastAPI) -> None:
    for kind in TABLE:
        app.add_exception_handler(kind, _mapped)
    app.add_exception_handler(Problem, _problem)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(RateLimited, _rate_limited)  # type: ignore[arg-type]
