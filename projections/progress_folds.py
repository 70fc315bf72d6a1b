"""The arithmetic of progress, kept pure: exercise names, Epley's 1RM, records, ISO weeks.

A session's volume of an exercise counts as a record when the session ends (its end is the
record's time), so that one push tells of it, not every set that added to it.

Exercise names are free text: they are grouped by a key (Unicode NFKC, case folded, runs of
whitespace made one space) and shown by the first spelling met. Every logged set counts towards
records and weekly volume, also in a session later abandoned (the weight was lifted); only
completed sessions count towards streaks and adherence.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

WEEKS_KEPT = 12  # of weekly volume, counted back from the newest week trained
ADHERENCE_DAYS = 14  # completions kept: those within this many days of the newest one
PLACES = Decimal("0.001")


def exercise_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def display_name(name: str) -> str:
    return " ".join(name.split())


def epley(weight_kg: Decimal, reps: int) -> Decimal:
    """Estimated one-repetition maximum: w·(1 + reps/30), and w itself for a single."""
    if reps == 1:
        return weight_kg
    return (weight_kg * (1 + Decimal(reps) / 30)).quantize(PLACES)


def stamp(at: datetime) -> str:
    """A time as kept in progress rows: UTC, to the microsecond, so that text order is time order."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def iso_week(at: datetime) -> str:
    year, week, _ = at.astimezone(UTC).isocalendar()
    return f"{year}-W{week:02d}"


def week_start(week: str) -> date:
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def previous_week(week: str) -> str:
    return iso_week(datetime.combine(week_start(week) - timedelta(days=7), datetime.min.time(), UTC))


def kg(value: Decimal) -> float:
    return float(value.quantize(PLACES))


def better(record: dict[str, Any], field: str, value: Decimal, at: str) -> bool:
    """Sets `field` (and `field_at`) when `value` beats it; answers whether it did. Ties keep
    the first time it was reached."""
    if field in record and Decimal(str(record[field])) >= value:
        return False
    record[field], record[f"{field}_at"] = kg(value), at
    return True


def add_set(records: dict[str, Any], name: str, weight_kg: Decimal, reps: int, at: str) -> bool:
    """Folds one set into its exercise's records (heaviest, best 1RM); answers whether it broke one."""
    record = dict(records.get(exercise_key(name)) or {"exercise": display_name(name)})
    broken = [better(record, "heaviest_kg", weight_kg, at),
              better(record, "best_e1rm_kg", epley(weight_kg, reps), at)]
    records[exercise_key(name)] = record
    return any(broken)


def add_session(records: dict[str, Any], volumes: dict[str, float], at: str) -> bool:
    """Folds an ended session's volume per exercise into the records; answers whether it broke one."""
    broken = False
    for key, volume in sorted(volumes.items()):
        record = dict(records[key])
        broken = better(record, "best_session_volume_kg", Decimal(str(volume)), at) or broken
        records[key] = record
    return broken


def add_volume(weekly: dict[str, dict[str, float]], week: str, key: str, volume: Decimal
               ) -> dict[str, dict[str, float]]:
    """Weekly volume with this set's added, keeping the newest WEEKS_KEPT weeks trained."""
    this = dict(weekly.get(week, {}))
    this[key] = kg(Decimal(str(this.get(key, 0))) + volume)
    kept = {**weekly, week: this}
    return {w: kept[w] for w in sorted(kept)[-WEEKS_KEPT:]}


def add_completion(completions: list[str], weeks: list[str], at: datetime) -> tuple[list[str], list[str]]:
    """A completed session: its week counts as trained, its time towards adherence."""
    done = stamp(at)
    newest = max([done, *completions])
    since = stamp(datetime.fromisoformat(newest) - timedelta(days=ADHERENCE_DAYS))
    kept = sorted(c for c in [*completions, done] if c >= since)
    return kept, sorted({*weeks, iso_week(at)})
