"""How every query reads: bounded read-your-writes wait, one snapshot, and its position."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import JSONResponse

from infrastructure.bootstrap import System
from infrastructure.readstore import ReadStoreBusy
from interfaces.http.problems import Problem
from projections.access import access_models
from projections.pages import BadCursor, decode_cursor
from projections.positions import reached
from projections.reading import ReadConnection

__all__ = ["access_models"]  # the routes' import of the access rule, kept where they look for it

MinPosition = Annotated[
    int | None, Query(ge=0, le=2**62, description="Wait (up to 5 s) until this position is reflected")
]
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page")]
Cursor = Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")]



@asynccontextmanager
async def snapshot(
    system: System, name: str, min_position: int | None, *, also: tuple[str, ...] = ()
) -> AsyncIterator[tuple[ReadConnection, int]]:
    """A read of a read model (and those it depends on) with the least position they all
    reflect; `min_position` first waits (5 s at most, holding no connection) until every one of
    them has reached it, else 503.

    The position is read before the rows, each statement on its own (no transaction to begin
    or end): a projection commits rows and position together, so the rows read afterwards
    reflect at least that position, which is what X-Projection-Position promises."""
    names = (name, *also)
    if min_position is not None and not await system.reads.wait_for(names, min_position):
        raise Problem(503, "Not Yet Reflected",
                      f"the {', '.join(names)} read model has not reached position {min_position} yet")
    try:
        async with system.reads.connect() as conn:
            yield conn, await reached(conn, names)
    except ReadStoreBusy as error:
        raise Problem(503, "Busy", str(error)) from None


async def read(
    system: System, name: str, min_position: int | None,
    fetch: Callable[[ReadConnection], Awaitable[Any]], *,
    also: tuple[str, ...] = (), missing: str = "not found",
) -> JSONResponse:
    """One read of a read model, answered with the position it reflects; nothing is a 404."""
    async with snapshot(system, name, min_position, also=also) as (conn, position):
        found = await fetch(conn)
    if found is None:
        raise Problem(404, "Not Found", missing)
    return answer(found, position)


def answer(body: Any, position: int) -> JSONResponse:
    return JSONResponse(body, headers={"X-Projection-Position": str(position)})


def check_cursor(cursor: str | None) -> None:
    if cursor is None:
        return
    try:
        decode_cursor(cursor)
    except BadCursor as error:
        raise Problem(422, "Invalid Cursor", str(error),
                      errors=[{"loc": ["query", "cursor"], "msg": str(error)}]) from None
