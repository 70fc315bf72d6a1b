"""Which staff member is assigned to which client: filled by the plans read model.

A trainer or nutritionist is assigned to a client while one of their plans is assigned to them.
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
