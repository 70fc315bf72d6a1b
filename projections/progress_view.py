"""How a client's progress is shown as of a time: records, weekly volume, streak, adherence.

A streak counts consecutive ISO weeks (UTC) with at least one completed session, back from the
current week, or from the week before while the current one has none yet (a week breaks a
streak only once it is over). Adherence is the sessions completed in the last 14 days against
twice the sessions per week of the client's workout plan (the days in its content, at most 7),
capped at 1; with no workout plan assigned it is null. Of several, the newest plan counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Select, select

from domain.relationship import ACTIVE
from projections.assignments import assignments
from projections.model import Row
from projections.plans import plans
from projections.progress_folds import ADHERENCE_DAYS, iso_week, previous_week, stamp, week_start
from projections.relationships import relationships

AT_RISK = 0.5
MAX_PER_WEEK = 7
TIMES = ("heaviest_kg_at", "best_e1rm_kg_at", "best_session_volume_kg_at")


def show(row: Row | None, client_id: str, now: datetime, plan_days: int | None) -> dict[str, Any]:
    row = row or {"records": {}, "weekly": {}, "training_weeks": [], "completions": []}
    done = completed_since(row["completions"], now)
    return {
        "client_id": client_id, "records": records(row["records"]),
        "weekly_volume": weekly(row["weekly"], row["records"]),
        "streak_weeks": streak(row["training_weeks"], now), "completed_2w": done,
        "sessions_per_week": plan_days, "adherence_2w": adherence(done, plan_days),
    }


def records(kept: dict[str, Any]) -> list[dict[str, Any]]:
    """Each exercise's records; the session-volume one is null until a session with it has ended."""
    shown = [{"exercise": r["exercise"], "heaviest_kg": r["heaviest_kg"], "best_e1rm_kg": r["best_e1rm_kg"],
              "best_session_volume_kg": r.get("best_session_volume_kg"),
              "heaviest_at": r["heaviest_kg_at"], "best_e1rm_at": r["best_e1rm_kg_at"],
              "best_session_volume_at": r.get("best_session_volume_kg_at"),
              "at": max(r[f] for f in TIMES if f in r)} for r in kept.values()]
    return sorted(shown, key=lambda r: (r["exercise"].casefold(), r["exercise"]))


def weekly(kept: dict[str, dict[str, float]], known: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"week": week, "week_start": week_start(week).isoformat(),
             "exercise": known[key]["exercise"] if key in known else key, "volume_kg": volume}
            for week in sorted(kept) for key, volume in sorted(kept[week].items())]


def streak(weeks: Iterable[str], now: datetime) -> int:
    trained, week = set(weeks), iso_week(now)
    if week not in trained:
        week = previous_week(week)
    count = 0
    while week in trained:
        count, week = count + 1, previous_week(week)
    return count


def completed_since(completions: Iterable[str], now: datetime) -> int:
    since = stamp(now - timedelta(days=ADHERENCE_DAYS))
    return sum(1 for c in completions if since <= c <= stamp(now))


def adherence(done: int, plan_days: int | None) -> float | None:
    if not plan_days:
        return None
    return round(min(1.0, done / (2 * plan_days)), 3)


def plan_days_query(clients: Iterable[str]) -> Select[Any]:
    """Each client's assigned workout plans' contents, oldest first (the last one counts)."""
    return (select(assignments.c.client_id, plans.c.content)
            .join(plans, plans.c.id == assignments.c.parent_id)
            .where(assignments.c.client_id.in_(sorted(clients)), plans.c.kind == "workout")
            .order_by(plans.c.seq))


def plan_days(found: Iterable[Any]) -> dict[str, int]:
    days: dict[str, int] = {}
    for client, content in found:
        days[str(client)] = min(MAX_PER_WEEK, len(content.get("days", []))) or 1
    return days


def staff_query(clients: Iterable[str]) -> Select[Any]:
    return select(relationships.c.client_id, relationships.c.staff_id).where(
        relationships.c.status == ACTIVE, relationships.c.client_id.in_(sorted(clients)))


def push_context(conn: Connection, clients: set[str]) -> dict[str, tuple[tuple[str, ...], int | None]]:
    """Each client's active staff (who get the pushes) and plan days (for the pushed adherence)."""
    if not clients:
        return {}
    staff: dict[str, list[str]] = {}
    for client, member in conn.execute(staff_query(clients)):
        staff.setdefault(str(client), []).append(str(member))
    days = plan_days(conn.execute(plan_days_query(clients)))
    return {c: (tuple(sorted(staff.get(c, []))), days.get(c)) for c in clients}


def aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)
