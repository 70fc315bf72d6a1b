"""How every query reads: bounded read-your-writes wait, one snapshot, and its position."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.values import Actor, Role
from infrastructure.bootstrap import System
from interfaces.http.problems import Problem
from projections.pages import BadCursor, decode_cursor
from projections.schema import positions

MinPosition = Annotated[
    int | None, Query(ge=0, le=2**62, description="Wait (up to 5 s) until this position is reflected")
]
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page")]
Cursor = Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")]


def access_models(actor: Actor) -> tuple[str, ...]:
    """Read models a caller's visibility depends on: assigned staff are decided by plans."""
    return ("plans",) if actor.role in (Role.TRAINER, Role.NUTRITIONIST) else ()


@asynccontextmanager
async def snapshot(
    system: System, name: str, min_position: int | None, *, also: tuple[str, ...] = ()
) -> AsyncIterator[tuple[AsyncConnection, int]]:
    """A read of a read model (and those it depends on) with the least position they all
    reflect; `min_position` waits (bounded) until every one of them has reached it.

    The position is read before the rows, each statement on its own (no transaction to begin
    or end): a projection commits rows and position together, so the rows read afterwards
    reflect at least that position, which is what X-Projection-Position promises."""
    names = (name, *also)
    async with system.reads.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        position = await _reached(conn, names)
        if min_position is not None and position < min_position:
            for each in names:
                if await system.reads.wait_for(each, min_position) is None:
                    raise Problem(503, "Not Yet Reflected",
                                  f"the {each} read model has not reached position {min_position} yet")
            position = await _reached(conn, names)
        yield conn, position


async def _reached(conn: AsyncConnection, names: tuple[str, ...]) -> int:
    found = await conn.execute(select(positions.c.position).where(positions.c.name.in_(names)))
    reached = [int(row[0]) for row in found]
    return min(reached) if len(reached) == len(names) else 0


async def read(
    system: System, name: str, min_position: int | None,
    fetch: Callable[[AsyncConnection], Awaitable[Any]], *,
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
