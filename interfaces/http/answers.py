"""The shape of every command's answer: id, version, position, ETag, Location."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from application.context import CommandResult


class CommandOut(BaseModel):
    id: UUID
    version: int
    position: int


def command_answer(result: CommandResult, location: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"id": str(result.id), "version": result.version,
                            "position": result.position, **result.extra}
    headers = {"ETag": f'"{result.version}"'}
    if result.created and location:
        headers["Location"] = f"{location}/{result.id}"
    return JSONResponse(body, status_code=201 if result.created else 200, headers=headers)


COMMAND_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": CommandOut, "description": "Applied: the new version and position"},
    401: {"description": "Missing or invalid bearer token"},
    403: {"description": "The caller's role or ownership does not allow this"},
    404: {"description": "No such aggregate"},
    409: {"description": "Stale If-Match version, or the command does not fit the state"},
    422: {"description": "Invalid body, or Idempotency-Key reused with another body"},
}
