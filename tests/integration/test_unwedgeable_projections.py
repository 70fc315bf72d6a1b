"""A read model no event can wedge: an event whose rows the database refuses is that event's dead
letter while live, the other events and read models go on, and a rebuild meeting it stops loudly,
names it, and leaves the serving tables as they were."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, select

from domain.workout_session import WorkoutSession
from infrastructure.bootstrap import System
from projections.engine import PoisonEvent
from projections.model import ReadModel, Row
from projections.workout_sessions import WorkoutSessionsModel
from tests.integration.command_stream import CommandStream
from tests.read_models import caught_up, snapshot

SESSIONS = WorkoutSessionsModel.name


def unstorable_session(system: System) -> tuple[str, int]:
    """A session started with a NUL in its day, as one stored before the edge refused such text
    would be: PostgreSQL keeps it in the log (as bytes), never in a text column."""
    session = WorkoutSession.start("nul-victim", None, "Legs", datetime.now(UTC))
    system.log.save(session)
    started = system.log.recorder.select_events(session.id)[0]
    assert b'"Legs"' in started.state
    victim = uuid.uuid4()
    poisoned = dataclasses.replace(started, originator_id=victim,
                                   state=started.state.replace(b'"Legs"', b'"Le\\u0000gs"'))
    system.log.recorder.insert_events([poisoned])
    return str(victim), system.projections.source.head()


def some_commands(system: System, count: int, stream: CommandStream | None = None) -> CommandStream:
    stream = stream or CommandStream(system)
    for _ in range(count):
        stream.step()
    return stream


def test_an_event_with_text_postgresql_cannot_store_is_dead_lettered_and_the_rest_go_on(server_system):
    system = server_system
    stream = some_commands(system, 10)
    victim, position = unstorable_session(system)
    some_commands(system, 10, stream)
    system.projections.catch_up_all()  # it used to raise here, batch after batch, for ever
    assert caught_up(system)
    letters = system.projections.dead_letters()
    assert [(d["projection"], d["originator_id"], d["position"], d["status"]) for d in letters] == [
        (SESSIONS, victim, position, "open")]
    assert "NUL" in letters[0]["error"]
    assert_sessions_match_the_store_but(system, stream, victim)
    kept = snapshot(system.projections.engine)
    with pytest.raises(PoisonEvent, match=f"{SESSIONS} cannot write row {victim} .*position {position}"):
        system.projections.rebuild(SESSIONS)
    assert snapshot(system.projections.engine) == kept
    assert {s.name: s.status for s in system.projections.statuses()}[SESSIONS] == "live"


def assert_sessions_match_the_store_but(system: System, stream: CommandStream, victim: str) -> None:
    """Every session the stream wrote is as its commands left it; the victim has no row."""
    table = WorkoutSessionsModel.table
    with system.projections.engine.connect() as conn:
        rows = {r["id"]: r for r in conn.execute(select(table)).mappings()}
    assert victim not in rows
    for session_id, expected in stream.expected.items():
        row = rows[str(session_id)]
        assert (len(row["sets"]), row["status"], row["version"]) == (
            expected.sets, expected.status, expected.version)


tallies = Table(
    "test_refused_tallies", MetaData(),
    Column("id", String(36), primary_key=True), Column("sets", Integer, nullable=False),
    Column("version", Integer, nullable=False), Column("position", BigInteger, nullable=False),
)


class RefusedTallies(ReadModel):
    """Counts each session's sets; a set of `unwritable` makes a row no database will store."""

    name = "test_refused_tallies"
    table = tallies
    event_types = (WorkoutSession.Started, WorkoutSession.SetLogged)  # type: ignore[attr-defined]
    push_event = "test.tally"

    def fold(self, row: Row | None, event: Any, position: int) -> Row | None:
        sets = 0 if row is None else row["sets"] + 1
        if getattr(event, "exercise", None) == "unwritable":
            sets = None  # type: ignore[assignment]  # NOT NULL: refused by SQLite and PostgreSQL
        return {"id": str(event.originator_id), "sets": sets, "version": event.originator_version,
                "position": position}

    def out(self, row: Row) -> dict[str, Any]:
        return dict(row)


def test_a_row_the_database_refuses_is_dead_lettered_and_the_batch_goes_on_in_both_profiles(system):
    model = RefusedTallies()
    model.table.create(system.projections.engine)
    system.projections.models[model.name] = model
    now = datetime.now(UTC)
    sessions = [WorkoutSession.start("tally", None, "Legs", now) for _ in range(3)]
    for session in sessions:
        for exercise in ("squat", "unwritable" if session is sessions[1] else "squat", "squat"):
            session.log_set(exercise, 5, Decimal(60), None, now)
    system.log.save(*sessions)  # one batch holds every event
    system.projections.catch_up_all()
    assert caught_up(system)
    letters = system.projections.dead_letters(model.name)
    assert [(d["originator_id"], d["status"]) for d in letters] == [(str(sessions[1].id), "open")]
    with system.projections.engine.connect() as conn:
        counted = dict(conn.execute(select(tallies.c.id, tallies.c.sets)).all())
    assert counted == {str(sessions[0].id): 3, str(sessions[1].id): 2, str(sessions[2].id): 3}
    assert [d for d in system.projections.dead_letters() if d["projection"] != model.name] == []


class UnfoldableTallies(RefusedTallies):
    """RefusedTallies whose fold itself fails on a set of `unfoldable`."""

    def fold(self, row: Row | None, event: Any, position: int) -> Row | None:
        if getattr(event, "exercise", None) == "unfoldable":
            raise ValueError("no such exercise")
        return super().fold(row, event, position)


def test_an_event_whose_fold_fails_in_a_refused_batch_is_set_aside_and_counted_once_in_both_profiles(
        system):
    model = UnfoldableTallies()
    model.table.create(system.projections.engine)
    system.projections.models[model.name] = model
    set_aside: list[str] = []
    hooks = system.projections.projector.hooks
    counted = hooks.on_dead_letter
    hooks.on_dead_letter = lambda name: (set_aside.append(name), counted(name))[1]  # type: ignore[func-returns-value]
    now = datetime.now(UTC)
    sessions = [WorkoutSession.start("tally", None, "Legs", now) for _ in range(3)]
    sessions[1].log_set("unfoldable", 5, Decimal(60), None, now)
    sessions[2].log_set("unwritable", 5, Decimal(60), None, now)  # and the batch is refused
    sessions[0].log_set("squat", 5, Decimal(60), None, now)
    system.log.save(*sessions)
    try:
        system.projections.catch_up_all()
    finally:
        hooks.on_dead_letter = counted
    assert caught_up(system)
    letters = system.projections.dead_letters(model.name)
    assert [d["originator_id"] for d in letters] == [str(sessions[1].id), str(sessions[2].id)]
    assert letters[0]["error"] == "ValueError('no such exercise')"
    assert set_aside == [model.name, model.name]  # each set aside once
    with system.projections.engine.connect() as conn:
        rows = dict(conn.execute(select(tallies.c.id, tallies.c.sets)).all())
    assert rows == {str(sessions[0].id): 1, str(sessions[1].id): 0, str(sessions[2].id): 0}
