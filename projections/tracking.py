"""What a projection keeps beside its rows: its position in the log, and its dead letters."""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select

from projections.rows import Failure
from projections.schema import dead_letters, positions


def tracked_position(conn: Connection, name: str) -> int:
    query = select(positions.c.position).where(positions.c.name == name)
    found = conn.execute(query).scalar()
    if found is None:
        conn.execute(insert(positions).values(name=name, position=0))
        return 0
    return int(found)


def reset_position(conn: Connection, name: str) -> None:
    conn.execute(delete(positions).where(positions.c.name == name))
    tracked_position(conn, name)


def record_dead_letter(conn: Connection, name: str, failure: Failure) -> None:
    """Sets an event aside for a read model, with the error it raised."""
    position, event, error = failure
    conn.execute(insert(dead_letters).values(
        projection=name, position=position,
        event_type=str(getattr(event, "topic", type(event).__qualname__))[:200],
        originator_id=str(getattr(event, "originator_id", ""))[:64], error=repr(error)[:2000],
    ))
