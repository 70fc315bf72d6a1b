"""Who may read what: a client their own rows, staff their assigned clients, admins everything."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.values import Actor, Role
from projections.assignments import assignments

SEE_ALL = frozenset({Role.ADMIN, Role.SUPERADMIN, Role.AUDITOR})


def access_models(actor: Actor) -> tuple[str, ...]:
    """Read models a caller's visibility depends on: assigned staff are decided by plans."""
    return ("plans",) if actor.role in (Role.TRAINER, Role.NUTRITIONIST) else ()


def visible_clients(actor: Actor, client_column: ColumnElement[str]) -> ColumnElement[bool]:
    """A condition on a client-id column that keeps only the rows this actor may read."""
    if actor.role in SEE_ALL:
        return true()
    if actor.role is Role.CLIENT:
        return client_column == actor.uid
    assigned = select(assignments.c.client_id).where(assignments.c.staff_id == actor.uid)
    return client_column.in_(assigned)


async def is_assigned(conn, staff_id: str, client_id: str) -> bool:  # type: ignore[no-untyped-def]
    query = select(assignments.c.client_id).where(
        assignments.c.staff_id == staff_id, assignments.c.client_id == client_id
    ).limit(1)
    return (await conn.execute(query)).first() is not None


async def related_ids(conn: AsyncConnection, uid: str) -> tuple[list[str], list[str]]:
    """The uid's related staff (for a client) and related clients (for staff), each sorted: the
    one place that says who is related to whom."""
    staff = select(assignments.c.staff_id).where(assignments.c.client_id == uid).distinct()
    clients = select(assignments.c.client_id).where(assignments.c.staff_id == uid).distinct()
    return (sorted(str(s) for s in (await conn.execute(staff)).scalars()),
            sorted(str(c) for c in (await conn.execute(clients)).scalars()))
