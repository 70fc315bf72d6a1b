"""The audit-access log: every call to an audit route, who made it, when, and under which trace."""

from __future__ import annotations

from datetime import datetime

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

from projections.schema import metadata

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


def accesses(conn: Connection, limit: int = 100) -> list[dict[str, object]]:
    """The newest accesses first."""
    rows = conn.execute(select(audit_access).order_by(audit_access.c.id.desc()).limit(limit))
    return [dict(r._mapping) for r in rows]
