"""Progress read model: one row per client, folded from their workout sessions' events.

A row holds each exercise's records, the newest weeks' volume, the weeks trained, the recent
completions, and the sessions still open (their running volume per exercise, and the child rows
through which a set logged in a session finds its client: set events name only the session).
Which plan a client follows is read at query time from the plans read model, and so is "now":
streaks and adherence are answers about a time, not rows.

`progress.updated` is pushed, to the client and their staff, only after a batch that broke one
of the client's records.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Connection, DateTime, Integer, String, Table, select

from domain.workout_session import WorkoutSession
from projections import progress_view as view
from projections.model import Change, ReadModel, Row
from projections.progress_folds import (
    add_completion,
    add_session,
    add_set,
    add_volume,
    exercise_key,
    iso_week,
    kg,
    stamp,
)
from projections.schema import metadata
from projections.values import utc

progress = Table(
    "progress",
    metadata,
    Column("id", String(128), primary_key=True),  # the client's uid
    Column("records", JSON, nullable=False),
    Column("weekly", JSON, nullable=False),
    Column("training_weeks", JSON, nullable=False),
    Column("completions", JSON, nullable=False),
    Column("open_sessions", JSON, nullable=False),
    Column("record_position", BigInteger, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
)

open_sessions = Table(
    "progress_open_sessions",
    metadata,
    Column("parent_id", String(128), nullable=False, index=True),
    Column("session_id", String(36), nullable=False, index=True),
)

S = WorkoutSession
CONTEXT_KEPT = 10_000  # clients whose push context is held between a fold and its push


class ProgressModel(ReadModel):
    name = "progress"
    table = progress
    child_table = open_sessions
    created_by = S.Started
    event_types = (S.Started, S.SetLogged, S.Completed, S.Abandoned)
    push_event = "progress.updated"

    def __init__(self) -> None:
        self._clients: dict[str, str] = {}  # open session -> client (a session's client never changes)
        self._broken: set[str] = set()  # clients whose records this batch broke
        self._context: dict[str, tuple[tuple[str, ...], int | None]] = {}  # client -> staff, plan days

    def prepare(self, conn: Connection, events: Sequence[tuple[int, Any]]) -> None:
        """Learns the clients of the batch's sessions, and each client's staff and plan for pushes."""
        mine = [e for _, e in events if isinstance(e, self.event_types)]
        clients = {self.key(e) for e in mine if isinstance(e, S.Started)}  # each learns its session
        unknown = sorted({str(e.originator_id) for e in mine} - set(self._clients))
        if unknown:
            found = conn.execute(select(open_sessions.c.session_id, open_sessions.c.parent_id)
                                 .where(open_sessions.c.session_id.in_(unknown)))
            self._clients.update({str(s): str(c) for s, c in found})
        clients |= {self.key(e) for e in mine} - {""}
        self._broken -= clients
        if len(self._context) > CONTEXT_KEPT:
            self._context.clear()
        self._context.update(view.push_context(conn, clients))

    def key(self, event: Any) -> str:
        if isinstance(event, S.Started):
            self._clients[str(event.originator_id)] = event.client_id
            return str(event.client_id)
        return self._clients.get(str(event.originator_id), "")

    def fold(self, row: Row | None, event: Any, position: int) -> Row | None:
        client = self.key(event)
        if not client:
            raise LookupError(f"no client known for workout session {event.originator_id}")
        row = row or _empty(client)
        changed = self.change(row, event)
        if changed.pop("broke", False):
            self._broken.add(client)
            changed["record_position"] = position
        return {**row, **changed, "updated_at": utc(event.at), "version": event.originator_version,
                "position": position}

    def change(self, row: Row, event: Any) -> Row:
        """The columns an event changes (and `broke`, when a set broke a record)."""
        session = str(event.originator_id)
        match event:
            case S.Started():
                return {"open_sessions": {**row["open_sessions"], session: {}}}
            case S.SetLogged():
                return _set_logged(row, event)
            case S.Completed() | S.Abandoned():
                self._clients.pop(session, None)  # no event follows a session's end
                return {**_ended(row, session, event.at), **_completed(row, event)}
        raise TypeError(f"progress does not fold {type(event).__name__}")

    def out(self, row: Row) -> dict[str, Any]:
        _, days = self._context.get(row["id"], ((), None))
        return view.show(row, row["id"], view.aware(row["updated_at"]), days)

    def rooms(self, row: Row) -> tuple[str, ...]:
        staff, _ = self._context.get(row["id"], ((), None))
        return (f"user:{row['id']}", *(f"user:{uid}" for uid in staff))

    def changes(self, row: Row) -> list[Change]:
        """A push only when the batch broke a record: as of the row's newest event."""
        if row["id"] not in self._broken:
            return []
        self._broken.discard(row["id"])
        return super().changes(row)

    def children(self, row: Row) -> list[Row]:
        return [{"parent_id": row["id"], "session_id": s} for s in sorted(row["open_sessions"])]


def _set_logged(row: Row, event: WorkoutSession.SetLogged) -> Row:
    """A set adds to its session's and its week's volume, and may break its exercise's records."""
    session, key = str(event.originator_id), exercise_key(event.exercise)
    volumes = dict(row["open_sessions"].get(session, {}))
    lifted = event.weight_kg * event.reps
    volumes[key] = kg(Decimal(str(volumes.get(key, 0))) + lifted)
    records = dict(row["records"])
    broke = add_set(records, event.exercise, event.weight_kg, event.reps, stamp(event.at))
    return {"records": records, "open_sessions": {**row["open_sessions"], session: volumes},
            "weekly": add_volume(row["weekly"], iso_week(event.at), key, lifted), "broke": broke}


def _ended(row: Row, session: str, at: datetime) -> Row:
    """An ended session (completed or abandoned) settles its volume records and is open no more."""
    records = dict(row["records"])
    broke = add_session(records, row["open_sessions"].get(session, {}), stamp(at))
    left = {k: v for k, v in row["open_sessions"].items() if k != session}
    return {"records": records, "open_sessions": left, "broke": broke}


def _completed(row: Row, event: Any) -> Row:
    if not isinstance(event, WorkoutSession.Completed):
        return {}
    completions, weeks = add_completion(row["completions"], row["training_weeks"], event.at)
    return {"completions": completions, "training_weeks": weeks}


def _empty(client: str) -> Row:
    return {"id": client, "records": {}, "weekly": {}, "training_weeks": [], "completions": [],
            "open_sessions": {}, "record_position": None}
