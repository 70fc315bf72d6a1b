"""What is due at a time, as the read models know it: the scheduler's questions, one query each.

Each answer names what is due, which row, and the time it fell due (a period's end, a reminder's
time, the end of grace, the last activity), so that whoever acts on it can key its command by
that time: asked twice, or late, the same work has the same key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Select, func, or_, select

from domain.workout_session import IDLE_LIMIT
from projections.payments import payments
from projections.subscriptions import subscriptions as subs
from projections.values import utc
from projections.workout_sessions import sessions

RENEWAL_LEAD = timedelta(days=3)  # a manual renewal's order is made this long before the period ends
LIMIT = 500  # rows per question per pass; the next pass (or tick) takes the rest


@dataclass(frozen=True)
class Due:
    action: str
    id: str
    at: datetime  # when it fell due


def _due(conn: Connection, action: str, query: Select[Any]) -> list[Due]:
    return [Due(action, str(row[0]), _aware(row[1])) for row in conn.execute(query.limit(LIMIT))]


def _aware(at: datetime) -> datetime:
    """SQLite gives times back naive; they were stored in UTC."""
    return utc(at) if at.tzinfo else at.replace(tzinfo=UTC)


def renewals_to_order(conn: Connection, now: datetime) -> list[Due]:
    """Manual subscriptions whose period ends within the lead and whose renewal is not ordered."""
    query = select(subs.c.id, subs.c.current_period_end).where(
        subs.c.status == "active", subs.c.renewal == "manual", subs.c.renewal_due.is_(False),
        subs.c.cancel_at_period_end.is_(False), subs.c.current_period_end <= now + RENEWAL_LEAD)
    return _due(conn, "order_renewal", query)


def periods_ended_unpaid(conn: Connection, now: datetime) -> list[Due]:
    """Manual subscriptions still active after their period ended: past due from the end."""
    query = select(subs.c.id, subs.c.current_period_end).where(
        subs.c.status == "active", subs.c.renewal == "manual", subs.c.cancel_at_period_end.is_(False),
        subs.c.current_period_end <= now)
    return _due(conn, "past_due", query)


def reminders_due(conn: Connection, now: datetime) -> list[Due]:
    query = select(subs.c.id, subs.c.next_retry_at).where(
        subs.c.status == "past_due", subs.c.next_retry_at <= now)
    return _due(conn, "remind", query)


def grace_over(conn: Connection, now: datetime) -> list[Due]:
    """Past-due subscriptions whose grace is over, once no reminder is left before its end."""
    query = select(subs.c.id, subs.c.grace_until).where(
        subs.c.status == "past_due", subs.c.grace_until <= now,
        or_(subs.c.next_retry_at.is_(None), subs.c.next_retry_at >= subs.c.grace_until))
    return _due(conn, "expire", query)


def periods_to_end(conn: Connection, now: datetime) -> list[Due]:
    """Subscriptions set to end with their period, once it is over."""
    query = select(subs.c.id, subs.c.current_period_end).where(
        subs.c.status.in_(("active", "past_due")), subs.c.cancel_at_period_end.is_(True),
        subs.c.current_period_end <= now)
    return _due(conn, "end_period", query)


def idle_sessions(conn: Connection, now: datetime) -> list[Due]:
    query = select(sessions.c.id, sessions.c.last_activity_at).where(
        sessions.c.status.in_(("active", "paused")), sessions.c.last_activity_at <= now - IDLE_LIMIT)
    return _due(conn, "abandon_idle", query)


QUESTIONS = (renewals_to_order, periods_ended_unpaid, reminders_due, grace_over, periods_to_end,
             idle_sessions)


def everything_due(conn: Connection, now: datetime) -> list[Due]:
    return [due for question in QUESTIONS for due in question(conn, now)]


def payments_by_outcome(conn: Connection) -> dict[tuple[str, str], int]:
    """How many payments stand in each status, by method."""
    query = select(payments.c.status, payments.c.method, func.count()).group_by(
        payments.c.status, payments.c.method)
    return {(str(status), str(method)): int(n) for status, method, n in conn.execute(query)}
