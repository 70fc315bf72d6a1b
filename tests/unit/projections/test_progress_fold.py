"""The progress read model folds sessions into records that a plain recount of the sets agrees
with, whatever the sets, spellings and endings; a push is due exactly when a set beats a
heaviest or 1RM record, or an ended session (completed or abandoned) beats a volume record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.workout_session import WorkoutSession
from projections.model import Row
from projections.progress import ProgressModel
from projections.progress_folds import epley, exercise_key, iso_week
from projections.progress_view import streak

T0 = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
FULL_WIDTH = "\uff33\uff51\uff55\uff41\uff54"  # Squat, in full-width letters
SPELLINGS = ["Bench Press", "bench press", "  BENCH\tpress ", "Squat", "squat", FULL_WIDTH]

a_set = st.tuples(st.sampled_from(SPELLINGS), st.integers(1, 20),
                  st.integers(0, 400).map(lambda halves: Decimal(halves) / 2))
a_session = st.tuples(st.lists(a_set, min_size=1, max_size=5), st.booleans(), st.integers(0, 40))


def folded(sessions: list[tuple[list[Any], bool, int]]) -> tuple[Row, list[bool]]:
    """Folds the sessions' events; answers the row and, per set and session end, whether a push
    was due."""
    model, row, pushes, position = ProgressModel(), None, [], 0
    for sets, completed, day in sessions:
        at = T0 + timedelta(days=day)
        session = WorkoutSession.start("alice", None, None, at)
        for name, reps, kg in sets:
            session.log_set(name, reps, kg, None, at)
        session.complete(at) if completed else session.abandon(at)
        for event in session.collect_events():
            position += 1
            row = model.fold(row, event, position)
            if not isinstance(event, WorkoutSession.Started):
                pushes.append(bool(model.changes(row)))
    assert row is not None
    return row, pushes


def recount(sessions: list[tuple[list[Any], bool, int]]) -> tuple[dict[str, tuple[float, ...]], list[bool]]:
    best: dict[str, list[Decimal]] = {}
    due = []
    for sets, _, _ in sessions:
        volume: dict[str, Decimal] = {}
        for name, reps, kg in sets:
            key = exercise_key(name)
            volume[key] = volume.get(key, Decimal(0)) + kg * reps
            before = best.get(key, [Decimal(-1)] * 3)
            due.append(kg > before[0] or epley(kg, reps) > before[1])
            best[key] = [max(kg, before[0]), max(epley(kg, reps), before[1]), before[2]]
        due.append(any(v > best[k][2] for k, v in volume.items()))
        for key, lifted in volume.items():
            best[key][2] = max(best[key][2], lifted)
    return {k: tuple(float(v) for v in b) for k, b in best.items()}, due


@settings(max_examples=60, deadline=None)
@given(st.lists(a_session, min_size=1, max_size=6))
def test_records_equal_a_recount_and_pushes_follow_broken_records(sessions) -> None:
    row, pushes = folded(sessions)
    best, due = recount(sessions)
    assert {k: (r["heaviest_kg"], r["best_e1rm_kg"], r["best_session_volume_kg"])
            for k, r in row["records"].items()} == best
    assert pushes == due
    assert row["open_sessions"] == {}
    done = {iso_week(T0 + timedelta(days=day)) for _, completed, day in sessions if completed}
    assert row["training_weeks"] == sorted(done)


def test_epley_is_the_weight_itself_for_a_single_and_grows_with_reps() -> None:
    assert epley(Decimal(100), 1) == 100
    assert epley(Decimal(100), 5) == Decimal("116.667")
    assert epley(Decimal(60), 30) == 120


def test_names_group_by_case_width_and_spacing_and_show_the_first_spelling() -> None:
    row, _ = folded([([("  Back   Squat ", 5, Decimal(100)), ("back squat", 5, Decimal(105)),
                       ("\uff22\uff21\uff23\uff2b squat", 1, Decimal(120))], True, 0)])
    assert list(row["records"]) == ["back squat"]
    assert row["records"]["back squat"]["exercise"] == "Back Squat"


def test_a_streak_counts_back_from_last_week_until_this_one_has_a_session() -> None:
    weeks = [iso_week(T0 + timedelta(weeks=k)) for k in range(3)]
    assert streak(weeks, T0 + timedelta(weeks=3)) == 3  # this week is not over
    assert streak(weeks, T0 + timedelta(weeks=2, days=3)) == 3
    assert streak(weeks, T0 + timedelta(weeks=4)) == 0
    assert streak(weeks[:1] + weeks[2:], T0 + timedelta(weeks=2)) == 1
