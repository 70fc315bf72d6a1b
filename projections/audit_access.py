"""The audit-access log: every call to an audit route, who made it, when, and under which trace."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    insert,
    select,
)

from projections.pages import Page, decode_cursor, encode_cursor
from projections.schema import metadata
from projections.values import iso

audit_access = Table(
    "audit_access",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("uid", String(128), nullable=False, index=True),
    Column("role", String(20), nullable=False),
    Column("method", String(10), nullable=False),
    Column("path", String(2000), nullable=False),
    Column("allowed", Boolean, nullable=False),
    Column("trace_id", String(64), nullable=False),
)


def record_access(
    conn: Connection, at: datetime, uid: str, role: str, method: str, path: str, allowed: bool, trace_id: str
) -> None:
    conn.execute(
        insert(audit_access).values(
            at=at,
            uid=uid,
            role=role,
            method=method,
            path=path[:2000],
            allowed=allowed,
            trace_id=trace_id[:64],
        )
    )


def accesses(conn: Connection, limit: int = 100, cursor: str | None = None,
             uid: str | None = None) -> Page:
    """One page of the log, newest first, keyset-paged by its id; only one caller's, with `uid`."""
    query = select(audit_access)
    if uid is not None:
        query = query.where(audit_access.c.uid == uid)
    if cursor:
        query = query.where(audit_access.c.id < decode_cursor(cursor))
    rows = conn.execute(query.order_by(audit_access.c.id.desc()).limit(limit + 1)).mappings().all()
    items = [_shown(dict(row)) for row in rows[:limit]]
    more = len(rows) > limit
    return {"items": items, "next_cursor": encode_cursor(rows[limit - 1]["id"]) if more else None}


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "at": iso(row["at"])}
