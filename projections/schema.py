"""The read-model database's shared tables: projection positions and dead letters."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, String, Table, Text, func

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    }
)

positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(80), primary_key=True),
    Column("position", BigInteger, nullable=False, server_default="0"),
    Column("status", String(20), nullable=False, server_default="live"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.current_timestamp()),
)

dead_letters = Table(
    "projection_dead_letters",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("projection", String(80), nullable=False, index=True),
    Column("position", BigInteger, nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("originator_id", String(64), nullable=False),
    Column("error", Text, nullable=False),
    Column("status", String(20), nullable=False, server_default="open"),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.current_timestamp()),
)
