"""A set logged in a session whose start another process folded (or this one, before a restart)
still finds its client, through the progress model's open-session rows, in both profiles; an
ended session leaves no such row."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from application.context import CommandContext
from application.workout_sessions import CompleteSession, LogSet, StartWorkoutSession
from domain.values import Actor, Role
from infrastructure.bootstrap import System
from projections.progress import ProgressModel, open_sessions, progress

ALICE = CommandContext(Actor("alice", Role.CLIENT), datetime(2026, 11, 2, 7, tzinfo=UTC), "t")


def rows(system: System) -> tuple[dict, list]:
    with system.projections.engine.connect() as conn:
        row = conn.execute(select(progress).where(progress.c.id == "alice")).mappings().one()
        return dict(row), [tuple(r) for r in conn.execute(select(open_sessions))]


def test_a_fresh_model_finds_an_open_sessions_client_in_its_rows(system: System) -> None:
    sessions = system.workout_sessions
    started = sessions.start(ALICE, StartWorkoutSession()).id
    sessions.log_set(ALICE, LogSet(started, "Squat", 5, Decimal(100)))
    system.projections.catch_up_all()
    assert rows(system)[1] == [("alice", str(started))]
    system.projections.models[ProgressModel.name] = ProgressModel()  # knows no session yet
    sessions.log_set(ALICE, LogSet(started, "squat", 3, Decimal(120)))
    sessions.complete(ALICE, CompleteSession(started))
    system.projections.catch_up_all()
    row, still_open = rows(system)
    assert system.projections.dead_letters(ProgressModel.name) == []
    assert (row["records"]["squat"]["heaviest_kg"], row["records"]["squat"]["best_session_volume_kg"]) \
        == (120.0, 860.0)
    assert still_open == [] and row["open_sessions"] == {}
