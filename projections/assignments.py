"""Which client has which plan (and from which author): filled by the plans read model.

A client reads a plan while it is assigned to them and not archived. What staff may read of a
client is not decided here but by relationships (`projections/relationships.py`).
"""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table

from projections.schema import metadata

assignments = Table(
    "plan_assignments",
    metadata,
    Column("parent_id", String(36), nullable=False, index=True),
    Column("staff_id", String(128), nullable=False),
    Column("client_id", String(128), nullable=False),
    Index(None, "staff_id", "client_id"),
)
