"""read models: staff-client relationships (the source of staff access)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 23:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

INDEXES = [
    ('ix_relationships_client_id', ['client_id']),
    ('ix_relationships_staff_id', ['staff_id']),
    ('ix_relationships_status', ['status']),
    ('ix_relationships_staff_id_status_client_id', ['staff_id', 'status', 'client_id']),
]


def upgrade() -> None:
    op.create_table('relationships',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('client_id', sa.String(length=128), nullable=False),
    sa.Column('staff_id', sa.String(length=128), nullable=False),
    sa.Column('staff_role', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=True),
    sa.Column('ended_by', sa.String(length=128), nullable=True),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relationships')),
    sa.UniqueConstraint('seq', name=op.f('uq_relationships_seq'))
    )
    for name, columns in INDEXES:
        op.create_index(name, 'relationships', columns, unique=False)


def downgrade() -> None:
    for name, _ in reversed(INDEXES):
        op.drop_index(name, table_name='relationships')
    op.drop_table('relationships')
