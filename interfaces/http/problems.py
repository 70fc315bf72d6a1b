"""Every error becomes an RFC 9457 problem, through this one table."""

from __future__ import annotations

from typing import Any

import psycopg
from eventsourcing.persistence import OperationalError as StoreOperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema
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
from application.identity import InvalidToken
from domain.errors import InvalidValue, RuleViolation
from projections.engine import PoisonEvent

PROBLEM = "application/problem+json"
TYPES = "https://gymgenius.app/problems/"


class FieldErrorOut(BaseModel):
    loc: list[str | int] = Field(description="Where: body, query, path or header, then the field")
    msg: str


class ProblemOut(BaseModel):
    """An RFC 9457 problem: every error answer, with `errors` added for a 422."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "type": TYPES + "validation", "title": "Invalid request", "status": 422,
        "detail": "the request does not match its schema", "instance": "/v1/commands/plans",
        "errors": [{"loc": ["body", "title"], "msg": "Field required"}],
    }]})
    type: str = Field(description="A URI naming the kind of problem")
    title: str
    status: int
    detail: str
    instance: str = Field(description="The path of the request that failed")
    errors: list[FieldErrorOut] | SkipJsonSchema[None] = None


class Problem(Exception):
    """An HTTP-level refusal raised by the interface itself (bad header, bad signature)."""

    def __init__(self, status: int, title: str, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.extra = status, title, detail or title, extra


# error class -> (status, type slug, title)
TABLE: dict[type[Exception], tuple[int, str, str]] = {
    InvalidToken: (401, "unauthenticated", "Missing or invalid bearer token"),
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
            retry_after: int = 1, **extra: Any):
    body = {
        "type": TYPES + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 503:
        headers = {"Retry-After": str(max(1, retry_after))}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


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
    return problem(request, error.status_code, slug, detail, detail)


def install(app: FastAPI) -> None:
    for kind in TABLE:
        app.add_exception_handler(kind, _mapped)
    app.add_exception_handler(Problem, _problem)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http)  # type: ignore[arg-type]


WHEN: dict[int, tuple[str, str, str]] = {  # status -> (slug, title, when it is answered)
    400: ("invalid-if-match", "Invalid If-Match", "A malformed If-Match or Idempotency-Key header"),
    401: ("unauthenticated", "Missing or invalid bearer token", "Missing or invalid bearer token"),
    403: ("forbidden", "Not allowed", "The caller's role, or ownership, does not allow this"),
    404: ("not-found", "Not found", "No such resource that the caller may see"),
    409: ("version-conflict", "Version conflict",
          "A stale If-Match version, or the request does not fit the current state"),
    422: ("validation", "Invalid request",
          "The request does not fit its schema (`errors` says where), or the values break a rule"),
    503: ("not-yet-reflected", "Not Yet Reflected",
          "A store is unavailable, or min_position was not reflected within 5 s; retry after Retry-After"),
}
HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}},
    503: {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}},
}


def documented(*statuses: int, say: dict[int, str] | None = None) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI answers of these error statuses: a ProblemOut as application/problem+json."""
    return {status: _documented(status, (say or {}).get(status)) for status in statuses}


def _documented(status: int, description: str | None) -> dict[str, Any]:
    slug, title, when = WHEN[status]
    example = {"type": TYPES + slug, "title": title, "status": status, "detail": description or when,
               "instance": "/v1/..."}
    if status == 422:
        example["errors"] = [{"loc": ["body", "title"], "msg": "Field required"}]
    schema = {"$ref": "#/components/schemas/ProblemOut"}
    content = {PROBLEM: {"schema": schema, "example": example}}
    answer = {"description": description or when, "content": content}
    return {**answer, "headers": HEADERS[status]} if status in HEADERS else answer
