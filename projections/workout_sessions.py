"""Workout sessions read model: one row per session with its sets, for clients and trainers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Integer, Numeric, String, Table, select

from domain.values import Actor
from domain.workout_session import WorkoutSession
from projections.access import visible_clients
from projections.model import ReadModel, Row
from projections.pages import Page, page
from projections.reading import ReadConnection
from projections.schema import metadata
from projections.values import iso

sessions = Table(
    "workout_sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("client_id", String(128), nullable=False, index=True),
    Column("plan_id", String(36), nullable=True),
    Column("day", String(100), nullable=True),
    Column("status", String(20), nullable=False, index=True),
    Column("sets", JSON, nullable=False),
    Column("total_volume_kg", Numeric(14, 3), nullable=False),
    Column("duration_s", Integer, nullable=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    Column("last_activity_at", DateTime(timezone=True), nullable=True),
    Column("version", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
    Index("ix_workout_sessions_status_last_activity_at", "status", "last_activity_at"),  # idle ones
)


class WorkoutSessionsModel(ReadModel):
    name = "workout_sessions"
    table = sessions
    created_by = WorkoutSession.Started
    event_types = (WorkoutSession.Started, WorkoutSession.SetLogged, WorkoutSession.Paused,
                   WorkoutSession.Resumed, WorkoutSession.Completed, WorkoutSession.Abandoned)
    push_event = "workout_session.updated"

    def create(self, event: Any, position: int) -> Row:
        return _started(event, position)

    def change(self, row: Row, event: Any) -> Row:
        """The columns an event changes; every event until the end is activity."""
        return {**self._changed(row, event), "last_activity_at": event.at}

    def _changed(self, row: Row, event: Any) -> Row:
        match event:
            case WorkoutSession.SetLogged():
                return _set_logged(row, event)
            case WorkoutSession.Paused():
                return {"status": "paused"}
            case WorkoutSession.Resumed():
                return {"status": "active"}
            case WorkoutSession.Completed():
                return {"status": "completed", "ended_at": event.at,
                        "duration_s": event.summary.duration_s}
            case WorkoutSession.Abandoned():
                return {"status": "abandoned", "ended_at": event.at}
        raise TypeError(f"workout sessions do not fold {type(event).__name__}")

    def out(self, row: Row) -> dict[str, Any]:
        return show(row)

    def rooms(self, row: Row) -> tuple[str, ...]:
        return (f"user:{row['client_id']}", f"workout-session:{row['id']}")


def _started(event: WorkoutSession.Started, position: int) -> Row:
    return {
        "id": str(event.originator_id), "seq": position, "client_id": event.client_id,
        "plan_id": str(event.plan_id) if event.plan_id else None, "day": event.day,
        "status": "active", "sets": [], "total_volume_kg": Decimal(0), "duration_s": None,
        "started_at": event.at, "ended_at": None, "last_activity_at": event.at,
    }


def _set_logged(row: Row, event: WorkoutSession.SetLogged) -> Row:
    logged = {
        "exercise": event.exercise, "set_number": event.set_number, "reps": event.reps,
        "weight_kg": float(event.weight_kg), "rpe": None if event.rpe is None else float(event.rpe),
        "at": event.at.isoformat(),
    }
    volume = Decimal(row["total_volume_kg"]) + event.weight_kg * event.reps
    return {"sets": [*row["sets"], logged], "total_volume_kg": volume}


def show(row: Row) -> dict[str, Any]:
    """A session as the query API and the realtime push show it."""
    return {
        "id": row["id"], "client_id": row["client_id"], "plan_id": row["plan_id"],
        "day": row["day"], "status": row["status"], "sets": row["sets"],
        "total_volume_kg": float(row["total_volume_kg"]), "duration_s": row["duration_s"],
        "started_at": iso(row["started_at"]), "ended_at": iso(row["ended_at"]),
        "version": row["version"],
    }


async def get_session(conn: ReadConnection, actor: Actor, session_id: str) -> dict[str, Any] | None:
    query = select(sessions).where(sessions.c.id == session_id, visible_clients(actor, sessions.c.client_id))
    row = (await conn.execute(query)).mappings().first()
    return show(dict(row)) if row else None


async def list_sessions(
    conn: ReadConnection, actor: Actor, *, client_id: str | None, status: str | None,
    limit: int, cursor: str | None,
) -> Page:
    query = select(sessions).where(visible_clients(actor, sessions.c.client_id))
    if client_id:
        query = query.where(sessions.c.client_id == client_id)
    if status:
        query = query.where(sessions.c.status == status)
    return await page(conn, query, sessions.c.seq, limit, cursor, show)
