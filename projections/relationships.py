"""Relationships read model: one row per staff-client relationship, the source of every access
rule (a trainer or nutritionist reads and watches a client only while theirs is active).

Each side reads their own relationships; admins, superadmins and auditors all of them. An ended
relationship's push also tells the realtime servers to take the staff member's sockets out of
the client's live rooms.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    or_,
    select,
    true,
)

from domain.relationship import ACTIVE, ENDED, Relationship
from domain.values import Actor, Role
from projections.model import Change, ReadModel, Row
from projections.pages import Page, page
from projections.reading import ReadConnection
from projections.schema import metadata
from projections.values import STAFF_ROOMS, iso, utc

relationships = Table(
    "relationships",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("client_id", String(128), nullable=False, index=True),
    Column("staff_id", String(128), nullable=False, index=True),
    Column("staff_role", String(20), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("origin", String(20), nullable=True),
    Column("ended_by", String(128), nullable=True),
    Column("since", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
    Index(None, "staff_id", "status", "client_id"),
)

SEE_ALL = frozenset({Role.ADMIN, Role.SUPERADMIN, Role.AUDITOR})


class RelationshipsModel(ReadModel):
    name = "relationships"
    table = relationships
    created_by = Relationship.Created
    event_types = (Relationship.Created, Relationship.Accepted, Relationship.Declined,
                   Relationship.Ended)
    push_event = "relationship.updated"

    def create(self, event: Relationship.Created, position: int) -> Row:
        return {"id": str(event.originator_id), "seq": position, "client_id": event.client_id,
                "staff_id": event.staff_id, "staff_role": event.staff_role, "status": event.status,
                "origin": event.origin, "ended_by": None, "since": utc(event.at)}

    def change(self, row: Row, event: Any) -> Row:
        match event:
            case Relationship.Accepted():
                return {"status": ACTIVE, "origin": event.origin, "since": utc(event.at)}
            case Relationship.Declined():
                return {"status": "declined", "since": utc(event.at)}
            case Relationship.Ended():
                return {"status": ENDED, "ended_by": event.by, "since": utc(event.at)}
        raise TypeError(f"relationships do not fold {type(event).__name__}")

    def out(self, row: Row) -> dict[str, Any]:
        return show(row)

    def rooms(self, row: Row) -> tuple[str, ...]:
        return (f"user:{row['client_id']}", f"user:{row['staff_id']}", *STAFF_ROOMS)

    def changes(self, row: Row) -> list[Change]:
        ends = (row["staff_id"], row["client_id"]) if row["status"] == ENDED else None
        return [Change(self.push_event, str(row["id"]), int(row["position"]), self.rooms(row),
                       self.out(row), ends)]


def show(row: Row) -> dict[str, Any]:
    kept = ("id", "client_id", "staff_id", "staff_role", "status", "origin", "ended_by", "version")
    return {**{k: row[k] for k in kept}, "since": iso(row["since"])}


def active_clients_of(staff_id: str) -> Any:
    """The ids of the clients a staff member is actively related to (a subquery)."""
    return select(relationships.c.client_id).where(
        relationships.c.staff_id == staff_id, relationships.c.status == ACTIVE)


def readable(actor: Actor) -> ColumnElement[bool]:
    if actor.role in SEE_ALL:
        return true()
    return or_(relationships.c.client_id == actor.uid, relationships.c.staff_id == actor.uid)


async def list_relationships(conn: ReadConnection, actor: Actor, *, status: str | None,
                             limit: int, cursor: str | None) -> Page:
    """The caller's relationships (every one, for admins), newest first."""
    query = select(relationships).where(readable(actor))
    if status:
        query = query.where(relationships.c.status == status)
    return await page(conn, query, relationships.c.seq, limit, cursor, show)


async def active_pairs(conn: ReadConnection, uid: str) -> tuple[list[str], list[str]]:
    """Whom a uid is actively related to: (their staff, their clients)."""
    query = select(relationships.c.client_id, relationships.c.staff_id).where(
        relationships.c.status == ACTIVE,
        or_(relationships.c.client_id == uid, relationships.c.staff_id == uid))
    rows = (await conn.execute(query)).all()
    staff = sorted({s for c, s in rows if c == uid})
    clients = sorted({c for c, s in rows if s == uid})
    return staff, clients
