"""Reconciliation runs read model: one row per run, with the discrepancies it found (auditors, admins)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Integer, String, Table, select

from domain.reconciliation import Reconciliation
from projections.model import ReadModel, Row
from projections.pages import Page, page
from projections.reading import ReadConnection
from projections.schema import metadata
from projections.values import iso, utc

reconciliations = Table(
    "reconciliations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("window_end", DateTime(timezone=True), nullable=False),
    Column("status", String(20), nullable=False),
    Column("requested_by", String(128), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("checked", Integer, nullable=False),
    Column("discrepancies", JSON, nullable=False),
    Column("seen_again", Integer, nullable=False),
    Column("failure", String(500), nullable=True),
    Column("version", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
)


class ReconciliationsModel(ReadModel):
    name = "reconciliations"
    table = reconciliations
    created_by = Reconciliation.Requested
    event_types = (
        Reconciliation.Requested,
        Reconciliation.DiscrepancyFound,
        Reconciliation.Completed,
        Reconciliation.Failed,
        Reconciliation.DiscrepancyResolved,
    )
    push_event = "reconciliation.updated"

    def create(self, event: Any, position: int) -> Row:
        return {
            "id": str(event.originator_id),
            "seq": position,
            "window_start": utc(event.start),
            "window_end": utc(event.end),
            "status": "running",
            "requested_by": event.requested_by,
            "requested_at": utc(event.at),
            "checked": 0,
            "discrepancies": [],
            "seen_again": 0,
            "failure": None,
        }

    def change(self, row: Row, event: Any) -> Row:
        match event:
            case Reconciliation.DiscrepancyFound():
                found = {
                    "number": event.number,
                    "kind": event.kind,
                    "payment_id": event.payment_id,
                    "gateway_payment_id": event.gateway_payment_id,
                    "ours": event.ours,
                    "theirs": event.theirs,
                    "resolved": False,
                    "resolution": None,
                }
                return {"discrepancies": [*row["discrepancies"], found]}
            case Reconciliation.Completed():
                return {"status": "completed", "checked": event.checked, "seen_again": len(event.seen_again)}
            case Reconciliation.Failed():
                return {"status": "failed", "failure": event.reason}
            case Reconciliation.DiscrepancyResolved():
                return {
                    "discrepancies": [
                        {**d, "resolved": True, "resolution": event.reason}
                        if d["number"] == event.number
                        else d
                        for d in row["discrepancies"]
                    ]
                }
        raise TypeError(f"reconciliations do not fold {type(event).__name__}")

    def out(self, row: Row) -> dict[str, Any]:
        return show(row)


def show(row: Row) -> dict[str, Any]:
    kept = ("id", "status", "requested_by", "checked", "discrepancies", "seen_again", "failure", "version")
    return {
        **{k: row[k] for k in kept},
        "from": iso(row["window_start"]),
        "to": iso(row["window_end"]),
        "requested_at": iso(row["requested_at"]),
    }


async def get_reconciliation(conn: ReadConnection, run_id: str) -> dict[str, Any] | None:
    row = (
        (await conn.execute(select(reconciliations).where(reconciliations.c.id == run_id))).mappings().first()
    )
    return show(dict(row)) if row else None


async def list_reconciliations(conn: ReadConnection, limit: int, cursor: str | None) -> Page:
    return await page(conn, select(reconciliations), reconciliations.c.seq, limit, cursor, show)
