"""Where the read models stand: the positions the query side reads and waits on."""

from __future__ import annotations

from sqlalchemy import select

from projections.reading import ReadConnection
from projections.schema import positions


async def all_positions(conn: ReadConnection) -> dict[str, int]:
    found = await conn.execute(select(positions.c.name, positions.c.position))
    return {str(name): int(position) for name, position in found}


async def reached(conn: ReadConnection, names: tuple[str, ...]) -> int:
    """The least position every one of `names` reflects (0 while one has none yet)."""
    found = await conn.execute(select(positions.c.position).where(positions.c.name.in_(names)))
    every = [int(row[0]) for row in found]
    return min(every) if len(every) == len(set(names)) else 0
