"""The shape of every answer: a command's (id, version, position, ETag, Location), a page of a
list, and the statuses each kind of route documents."""

from __future__ import annotations

from typing import Any, Generic, TypeVar, get_args
from uuid import UUID

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from application.context import CommandResult
from interfaces.http.problem_docs import documented

Item = TypeVar("Item", bound=BaseModel)
ID = "4f1c2a9e-7d3b-4c1a-9e2f-0b6d8a5c3e71"


class CommandOut(BaseModel):
    """What a command changed: the aggregate, its new version, the last event's global position."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"id": ID, "version": 2, "position": 1842}]})
    id: UUID
    version: int
    position: int


def _page_example(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    """A page's example: the item's example, on the last page (a null cursor)."""
    item = get_args(cls.model_fields["items"].annotation)[0]
    if isinstance(item, type) and issubclass(item, BaseModel):
        schema["examples"] = [{"items": item.model_json_schema()["examples"], "next_cursor": None}]


class Page(BaseModel, Generic[Item]):
    """One page of a list, newest first; `next_cursor` asks for the next page (null at the end).
    Each list names its page (`class PlanPageOut(Page[PlanOut])`), so clients get a readable type."""

    model_config = ConfigDict(json_schema_extra=_page_example)
    items: list[Item]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last")


def command_answer(result: CommandResult, location: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"id": str(result.id), "version": result.version,
                            "position": result.position, **result.extra}
    headers = {"ETag": f'"{result.version}"'}
    if result.created and location:
        headers["Location"] = f"{location}/{result.id}"
    return JSONResponse(body, status_code=201 if result.created else 200, headers=headers)


def _header(description: str, kind: str = "string") -> dict[str, Any]:
    return {"description": description, "schema": {"type": kind}}


ETAG = {"ETag": _header('The new version as an entity tag, "<version>"; send it back as If-Match')}
POSITION = {"X-Projection-Position": _header("The event position this answer reflects", "integer")}
COMMAND_ERRORS = (400, 401, 403, 409, 422, 503)

CREATED: dict[int | str, dict[str, Any]] = {
    201: {"description": "Created", "headers": {
        **ETAG, "Location": _header("Where the new aggregate will be read")}},
    **documented(*COMMAND_ERRORS, say={503: "The event store is unavailable; retry after Retry-After"}),
}
APPLIED: dict[int | str, dict[str, Any]] = {
    200: {"description": "Applied: the new version and position", "headers": ETAG},
    **documented(*COMMAND_ERRORS, 404, say={503: "The event store is unavailable; retry after Retry-After"}),
}
FOUND: dict[int | str, dict[str, Any]] = {
    200: {"description": "Found", "headers": POSITION}, **documented(401, 404, 422, 503),
}
LISTED: dict[int | str, dict[str, Any]] = {
    200: {"description": "One page", "headers": POSITION}, **documented(401, 422, 503),
}
