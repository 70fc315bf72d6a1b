"""How error answers are described: the RFC 9457 `ProblemOut`, and the documented answer of each
error status (always `application/problem+json`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from interfaces.http.problems import PROBLEM, TYPES


def absent(description: str) -> Any:
    """A field left out of the JSON when it has no value (never sent as null)."""
    return Field(None, description=description, json_schema_extra=_no_default)


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


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
    errors: list[FieldErrorOut] | SkipJsonSchema[None] = absent("Where the request is invalid (422 only)")


WHEN: dict[int, tuple[str, str, str]] = {  # status -> (slug, title, when it is answered)
    400: ("invalid-if-match", "Invalid If-Match", "A malformed If-Match or Idempotency-Key header"),
    401: ("unauthenticated", "Missing or invalid bearer token",
          "Missing or invalid bearer token; type `.../problems/token-too-old` when it was issued more than "
          "30 minutes ago (refresh it), `.../problems/token-revoked` when its sessions were revoked"),
    403: ("forbidden", "Not allowed", "The caller's role, or ownership, does not allow this"),
    404: ("not-found", "Not found", "No such resource that the caller may see"),
    409: ("version-conflict", "Version conflict",
          "A stale If-Match version, or the request does not fit the current state"),
    422: ("validation", "Invalid request",
          "The request does not fit its schema (`errors` says where), or the values break a rule"),
    413: ("body-too-large", "Request body too large",
          "The request body is over the size limit (refused before it is read)"),
    429: ("rate-limited", "Too many requests",
          "Over a rate limit (the caller's general, chat or generation limit, or the IP's limit of calls "
          "without a valid token); retry after Retry-After"),
    503: ("not-yet-reflected", "Not Yet Reflected",
          "A store is unavailable, or min_position was not reflected within 5 s; retry after Retry-After"),
}
RATE_HEADERS = {
    "RateLimit-Limit": {"schema": {"type": "integer"}, "description": "Calls allowed in the window"},
    "RateLimit-Remaining": {"schema": {"type": "integer"}, "description": "Calls left in the window"},
    "RateLimit-Reset": {"schema": {"type": "integer"}, "description": "Seconds until a call is freed"},
}
HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}},
    429: {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}, **RATE_HEADERS},
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
