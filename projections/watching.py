"""Who may watch a workout session live: its client, the trainers and nutritionists actively
related to them, and admins."""

from __future__ import annotations

from sqlalchemy import select

from domain.values import ADMINS, Actor, Role
from projections.access import is_assigned
from projections.reading import ReadConnection
from projections.workout_sessions import sessions

WATCHERS = frozenset({Role.TRAINER, Role.NUTRITIONIST})


async def watchable_client(conn: ReadConnection, actor: Actor, session_id: str) -> str | None:
    """The session's client, if this actor may watch the session; else None."""
    client_id = await conn.scalar(select(sessions.c.client_id).where(sessions.c.id == session_id))
    if client_id is None:
        return None
    if actor.role in ADMINS or (actor.role is Role.CLIENT and client_id == actor.uid):
        return str(client_id)
    if actor.role in WATCHERS and await is_assigned(conn, actor.uid, client_id):
        return str(client_id)
    return None


async def may_watch_session(conn: ReadConnection, actor: Actor, session_id: str) -> bool:
    if actor.role in ADMINS:
        return True
    return await watchable_client(conn, actor, session_id) is not None
