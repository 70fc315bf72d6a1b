"""Alembic environment for the read-model tables (run by the init step)."""

from alembic import context
from sqlalchemy import Connection

from projections.registry import metadata

connection: Connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
