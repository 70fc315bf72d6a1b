"""The admin dashboard's figures, read from other read models' tables (it keeps none of its own).

Revenue is what was captured in the last 30 days, net of what has been refunded of it since;
captured and failed counts cover the last 24 hours; live sessions are active or paused ones;
active subscriptions are those whose status is `active`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, select

from projections.payments import payments
from projections.reading import ReadConnection
from projections.registry import read_models
from projections.subscriptions import subscriptions
from projections.workout_sessions import sessions

READS = tuple(m.name for m in read_models()
              if m.table.name in {payments.name, sessions.name, subscriptions.name})


async def summary(conn: ReadConnection, now: datetime) -> dict[str, Any]:
    """The dashboard's figures as of `now`."""
    now = now.astimezone(UTC)
    return {
        "active_subscriptions": await active_subscriptions(conn, subscriptions),
        "revenue_paise_30d": await revenue_paise(conn, since=now - timedelta(days=30)),
        "payments_captured_24h": await _count(conn, payments.c.captured_at >= now - timedelta(days=1)),
        "payments_failed_24h": await _count(conn, payments.c.failed_at >= now - timedelta(days=1)),
        "live_sessions": await _scalar(conn, select(func.count()).select_from(sessions)
                                       .where(sessions.c.status.in_(["active", "paused"]))),
    }


async def active_subscriptions(conn: ReadConnection, table: Table) -> int:
    return await _scalar(conn, select(func.count()).select_from(table).where(table.c.status == "active"))


async def revenue_paise(conn: ReadConnection, since: datetime) -> int:
    net = func.coalesce(func.sum(payments.c.captured_paise - payments.c.refunded_paise), 0)
    return await _scalar(conn, select(net).where(payments.c.captured_at >= since))


async def _count(conn: ReadConnection, condition: Any) -> int:
    return await _scalar(conn, select(func.count()).select_from(payments).where(condition))


async def _scalar(conn: ReadConnection, query: Any) -> int:
    return int(await conn.scalar(query) or 0)
