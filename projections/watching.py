"""Who may watch a workout session live: its client, their assigned trainers and nutritionists,
and admins."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.values import ADMINS, Actor, Role
from projections.access import is_assigned
from projections.workout_sessions import sessions

WATCHERS = frozenset({Role.TRAINER, Role.NUTRITIONIST})


async def may_watch_session(conn: AsyncConnection, actor: Actor, session_id: str) -> bool:
    if actor.role in ADMINS:
        return True
    client_id = await conn.scalar(select(sessions.c.client_id).where(sessions.c.id == session_id))
    if client_id is None:
        return False
    if actor.role is Role.CLIENT:
        return bool(client_id == actor.uid)
    return actor.role in WATCHERS and await is_assigned(conn, actor.uid, client_id)
