"""Plans read model: one row per plan, and which clients may read it (its assignments).

An archived plan's assignments end: its clients no longer read it. What staff may read of a
client is decided by relationships, not by plans. A trainer or nutritionist reads the plans
they wrote, admins, superadmins and auditors every plan, each with all its clients; a client
sees only their own id in `client_ids`, in query answers and in pushes alike. Plans for sale
are listed to everyone, their content only to those who may read it or bought it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ColumnElement,
    DateTime,
    Integer,
    String,
    Table,
    or_,
    select,
    true,
)

from domain.plan import Plan, PlanSource
from domain.values import Actor, Role
from projections.assignments import assignments
from projections.model import Change, ReadModel, Row
from projections.pages import Page, page
from projections.payments import payments
from projections.reading import ReadConnection
from projections.schema import metadata
from projections.values import iso, utc

plans = Table(
    "plans",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("kind", String(20), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("revision", Integer, nullable=False),
    Column("author_id", String(128), nullable=False, index=True),
    Column("source", String(20), nullable=False),
    Column("client_ids", JSON, nullable=False),
    Column("content", JSON, nullable=False),
    Column("price_paise", BigInteger, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
)


class PlansModel(ReadModel):
    name = "plans"
    table = plans
    child_table = assignments
    created_by = Plan.Created
    event_types = (Plan.Created, Plan.Generated, Plan.GenerationFailed, Plan.Revised, Plan.Published,
                   Plan.Assigned, Plan.Archived)
    push_event = "plan.updated"

    def create(self, event: Any, position: int) -> Row:
        return _created(event, position)

    def change(self, row: Row, event: Any) -> Row:
        return {**_changed(row, event), "updated_at": utc(event.at)}

    def out(self, row: Row) -> dict[str, Any]:
        return show(row)

    def rooms(self, row: Row) -> tuple[str, ...]:
        return (f"user:{row['author_id']}", *(f"user:{c}" for c in row["client_ids"]))

    def changes(self, row: Row) -> list[Change]:
        """The author gets the whole row; each client, in their own room, the row with only them."""
        made = [Change(self.push_event, str(row["id"]), int(row["position"]),
                       (f"user:{row['author_id']}",), show(row))]
        return made + [Change(self.push_event, str(row["id"]), int(row["position"]), (f"user:{c}",),
                              {**show(row), "client_ids": [c]})
                       for c in row["client_ids"] if c != row["author_id"]]

    def children(self, row: Row) -> list[Row]:
        """One assignment per client of a plan that is not archived."""
        if row["status"] == "archived":
            return []
        return [{"parent_id": row["id"], "staff_id": row["author_id"], "client_id": client}
                for client in row["client_ids"]]


def _created(event: Plan.Created, position: int) -> Row:
    return {
        "id": str(event.originator_id), "seq": position, "kind": event.kind.value,
        "title": event.title, "status": _first_status(event), "revision": 1, "author_id": event.author_id,
        "source": event.source.value, "client_ids": [], "content": event.content.as_json(),
        "price_paise": event.price_paise, "created_at": utc(event.at), "updated_at": utc(event.at),
    }


def _first_status(event: Plan.Created) -> str:
    return "generating" if isinstance(event, Plan.GenerationRequested) else "draft"


def _changed(row: Row, event: Any) -> Row:
    match event:
        case Plan.Generated():
            return {"status": "draft", "title": event.title, "content": event.content.as_json(),
                    "source": event.source.value}
        case Plan.GenerationFailed():
            return {"status": "failed"}
        case Plan.Revised():
            return {"revision": event.revision, "title": event.title, "content": event.content.as_json()}
        case Plan.Published():
            return {"status": "published"}
        case Plan.Assigned():
            return {"client_ids": [*row["client_ids"], event.client_id]}
        case Plan.Archived():
            return {"status": "archived"}
    raise TypeError(f"plans do not fold {type(event).__name__}")


def show(row: Row) -> dict[str, Any]:
    """A plan as the query API and the realtime push show it."""
    kept = ("id", "kind", "title", "status", "revision", "author_id", "source", "client_ids",
            "content", "price_paise", "version")
    ready = row["status"] not in ("generating", "failed")
    return {**{k: row[k] for k in kept}, "source": PlanSource(row["source"]).origin.value,
            "content": row["content"] if ready else None,
            "created_at": iso(row["created_at"]), "updated_at": iso(row["updated_at"])}


def shown_to(actor: Actor) -> Callable[[Row], dict[str, Any]]:
    """How a plan is shown to this reader: a client sees no other client's id."""
    if actor.role is not Role.CLIENT:
        return show
    return lambda row: {**show(row), "client_ids": [c for c in row["client_ids"] if c == actor.uid]}


def readable(actor: Actor) -> ColumnElement[bool]:
    """A trainer or nutritionist reads the plans they wrote; a client the plans assigned to them
    (and not archived) and the plans they asked to have generated; admins, superadmins and
    auditors every plan."""
    if actor.role in (Role.TRAINER, Role.NUTRITIONIST):
        return plans.c.author_id == actor.uid
    if actor.role is Role.CLIENT:
        assigned = select(assignments.c.parent_id).where(assignments.c.client_id == actor.uid)
        return or_(plans.c.id.in_(assigned), plans.c.author_id == actor.uid)
    return true()


async def get_plan(conn: ReadConnection, actor: Actor, plan_id: str) -> dict[str, Any] | None:
    query = select(plans).where(plans.c.id == plan_id, readable(actor))
    row = (await conn.execute(query)).mappings().first()
    return shown_to(actor)(dict(row)) if row else None


BOUGHT = ("captured", "partially_refunded")


def bought_by(actor: Actor) -> ColumnElement[bool]:
    """The plans this actor paid for (a captured plan payment of theirs)."""
    paid = select(payments.c.reference_id).where(
        payments.c.purpose == "plan", payments.c.client_id == actor.uid, payments.c.status.in_(BOUGHT))
    return plans.c.id.in_(paid)


async def list_for_sale(conn: ReadConnection, actor: Actor, *, kind: str | None, limit: int,
                        cursor: str | None) -> Page:
    """Every published plan with a price, for any signed-in caller, newest first; its content is
    shown only to a caller who bought it or may read it anyway (its clients, staff)."""
    visible = or_(readable(actor), bought_by(actor)).label("content_visible")
    query = select(plans, visible).where(plans.c.status == "published", plans.c.price_paise.is_not(None))
    if kind:
        query = query.where(plans.c.kind == kind)
    return await page(conn, query, plans.c.seq, limit, cursor, _on_sale(shown_to(actor)))


def _on_sale(shown: Callable[[Row], dict[str, Any]]) -> Callable[[Row], dict[str, Any]]:
    return lambda row: shown(row) if row["content_visible"] else {**shown(row), "content": None}


async def list_plans(
    conn: ReadConnection, actor: Actor, *, kind: str | None = None, author_id: str | None = None,
    client_id: str | None = None, status: str | None = None, limit: int, cursor: str | None,
) -> Page:
    """Plans the actor may read, newest first; `client_id` keeps the plans assigned to that client."""
    query = select(plans).where(readable(actor))
    if kind:
        query = query.where(plans.c.kind == kind)
    if author_id:
        query = query.where(plans.c.author_id == author_id)
    if client_id:
        assigned = select(assignments.c.parent_id).where(assignments.c.client_id == client_id)
        query = query.where(plans.c.id.in_(assigned))
    if status:
        query = query.where(plans.c.status == status)
    return await page(conn, query, plans.c.seq, limit, cursor, shown_to(actor))
