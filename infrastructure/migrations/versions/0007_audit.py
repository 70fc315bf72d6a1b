"""read models: the audit-access log and reconciliation runs

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 23:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'reconciliations',
        sa.Column('id', sa.String(length=36), primary_key=True),
        sa.Column('seq', sa.BigInteger(), nullable=False, unique=True),
        sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('window_end', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('requested_by', sa.String(length=128), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('checked', sa.Integer(), nullable=False),
        sa.Column('discrepancies', sa.JSON(), nullable=False),
        sa.Column('seen_again', sa.Integer(), nullable=False),
        sa.Column('failure', sa.String(length=500), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('position', sa.BigInteger(), nullable=False),
    )
    op.create_table(
        'audit_access',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), primary_key=True, autoincrement=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('uid', sa.String(length=128), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('method', sa.String(length=10), nullable=False),
        sa.Column('path', sa.String(length=2000), nullable=False),
        sa.Column('allowed', sa.Boolean(), nullable=False),
        sa.Column('trace_id', sa.String(length=64), nullable=False),
    )
    op.create_index('ix_audit_access_at', 'audit_access', ['at'])
    op.create_index('ix_audit_access_uid', 'audit_access', ['uid'])


def downgrade() -> None:
    op.drop_index('ix_audit_access_uid', table_name='audit_access')
    op.drop_index('ix_audit_access_at', table_name='audit_access')
    op.drop_table('audit_access')
    op.drop_table('reconciliations')
