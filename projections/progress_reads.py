"""Progress queries: one client's progress, and a staff member's roster of their clients.

A client reads their own; a trainer or nutritionist the clients actively related to them;
admins, superadmins and auditors anyone's (a client with no sessions yet has empty progress).
The roster lists a staff member's related clients by adherence, lowest first, so the at-risk
ones (adherence below 0.5) lead; clients with no workout plan (no adherence) come last.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from domain.values import Actor, Role
from projections.access import SEE_ALL, is_assigned
from projections.progress import progress
from projections.progress_view import AT_RISK, plan_days, plan_days_query, show
from projections.reading import ReadConnection
from projections.relationships import active_clients_of


async def may_read(conn: ReadConnection, actor: Actor, client_id: str) -> bool:
    if actor.role in SEE_ALL:
        return True
    if actor.role is Role.CLIENT:
        return actor.uid == client_id
    return await is_assigned(conn, actor.uid, client_id)


async def get_progress(conn: ReadConnection, actor: Actor, client_id: str, now: datetime
                       ) -> dict[str, Any] | None:
    """The client's progress as of `now`, if this actor may read it."""
    if not await may_read(conn, actor, client_id):
        return None
    row = (await conn.execute(select(progress).where(progress.c.id == client_id))).mappings().first()
    days = plan_days(await conn.execute(plan_days_query([client_id])))
    return show(dict(row) if row else None, client_id, now, days.get(client_id))


async def roster(conn: ReadConnection, actor: Actor, now: datetime) -> dict[str, Any]:
    """The staff member's related clients, at-risk first."""
    clients = sorted({str(c) for c in (await conn.execute(active_clients_of(actor.uid))).scalars()})
    found = await conn.execute(select(progress).where(progress.c.id.in_(clients)))
    rows = {str(row["id"]): dict(row) for row in found.mappings()}
    days = plan_days(await conn.execute(plan_days_query(clients)))
    items = [_entry(show(rows.get(c), c, now, days.get(c))) for c in clients]
    return {"items": sorted(items, key=_order)}


def _entry(shown: dict[str, Any]) -> dict[str, Any]:
    adherence = shown["adherence_2w"]
    return {"client_id": shown["client_id"], "adherence_2w": adherence,
            "at_risk": adherence is not None and adherence < AT_RISK,
            "completed_2w": shown["completed_2w"], "sessions_per_week": shown["sessions_per_week"],
            "streak_weeks": shown["streak_weeks"]}


def _order(entry: dict[str, Any]) -> tuple[bool, float, str]:
    adherence = entry["adherence_2w"]
    return (adherence is None, adherence or 0.0, entry["client_id"])
