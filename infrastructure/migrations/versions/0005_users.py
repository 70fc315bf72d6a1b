"""read models: users (role and profile; an erased user keeps no personal field) and the ledger
of role changes mirrored to the identity provider

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 22:30:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'users',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('uid', sa.String(length=128), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('display_name', sa.String(length=100), nullable=True),
        sa.Column('phone', sa.String(length=20), nullable=True),
        sa.Column('goal', sa.String(length=20), nullable=True),
        sa.Column('level', sa.String(length=20), nullable=True),
        sa.Column('equipment', sa.JSON(), nullable=True),
        sa.Column('diet', sa.String(length=20), nullable=True),
        sa.Column('allergies', sa.JSON(), nullable=True),
        sa.Column('injuries', sa.JSON(), nullable=True),
        sa.Column('height_cm', sa.Float(), nullable=True),
        sa.Column('weight_kg', sa.Float(), nullable=True),
        sa.Column('birth_year', sa.Integer(), nullable=True),
        sa.Column('erased', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('position', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
        sa.UniqueConstraint('seq', name=op.f('uq_users_seq')),
        sa.UniqueConstraint('uid', name=op.f('uq_users_uid')),
    )
    op.create_index(op.f('ix_users_role'), 'users', ['role'], unique=False)
    op.create_index(op.f('ix_users_display_name'), 'users', ['display_name'], unique=False)
    op.create_table(
        'role_mirrors',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('uid', sa.String(length=128), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('mirrored_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_role_mirrors')),
    )


def downgrade() -> None:
    op.drop_table('role_mirrors')
    op.drop_index(op.f('ix_users_display_name'), table_name='users')
    op.drop_index(op.f('ix_users_role'), table_name='users')
    op.drop_table('users')
