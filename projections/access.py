"""Who may read what: a client their own rows, staff the clients actively related to them,
admins everything. Relationships (with the client's consent) are the only source of access."""

from __future__ import annotations

from sqlalchemy import ColumnElement, true

from domain.values import Actor, Role
from projections.reading import ReadConnection
from projections.relationships import RelationshipsModel, active_clients_of, active_pairs, relationships

SEE_ALL = frozenset({Role.ADMIN, Role.SUPERADMIN, Role.AUDITOR})


def access_models(actor: Actor) -> tuple[str, ...]:
    """Read models a caller's visibility depends on: staff access is decided by relationships."""
    return (RelationshipsModel.name,) if actor.role in (Role.TRAINER, Role.NUTRITIONIST) else ()


def visible_clients(actor: Actor, client_column: ColumnElement[str]) -> ColumnElement[bool]:
    """A condition on a client-id column that keeps only the rows this actor may read."""
    if actor.role in SEE_ALL:
        return true()
    if actor.role is Role.CLIENT:
        return client_column == actor.uid
    return client_column.in_(active_clients_of(actor.uid))


async def is_assigned(conn: ReadConnection, staff_id: str, client_id: str) -> bool:
    """Whether the staff member is the client's: their relationship is active."""
    query = active_clients_of(staff_id).where(relationships.c.client_id == client_id).limit(1)
    return (await conn.execute(query)).first() is not None


async def related_ids(conn: ReadConnection, uid: str) -> tuple[list[str], list[str]]:
    """(staff_ids, client_ids): the staff a uid is a client of, and the clients a uid is staff of,
    through active relationships."""
    return await active_pairs(conn, uid)


__all__ = ["SEE_ALL", "access_models", "is_assigned", "related_ids", "visible_clients"]
