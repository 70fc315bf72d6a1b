"""read models: progress (records, weekly volume, weeks trained) and its open sessions

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 02:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('progress',
    sa.Column('id', sa.String(length=128), nullable=False),
    sa.Column('records', sa.JSON(), nullable=False),
    sa.Column('weekly', sa.JSON(), nullable=False),
    sa.Column('training_weeks', sa.JSON(), nullable=False),
    sa.Column('completions', sa.JSON(), nullable=False),
    sa.Column('open_sessions', sa.JSON(), nullable=False),
    sa.Column('record_position', sa.BigInteger(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress')),
    )
    op.create_table('progress_open_sessions',
    sa.Column('parent_id', sa.String(length=128), nullable=False),
    sa.Column('session_id', sa.String(length=36), nullable=False),
    )
    op.create_index('ix_progress_open_sessions_parent_id', 'progress_open_sessions', ['parent_id'], unique=False)
    op.create_index('ix_progress_open_sessions_session_id', 'progress_open_sessions', ['session_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_progress_open_sessions_session_id', table_name='progress_open_sessions')
    op.drop_index('ix_progress_open_sessions_parent_id', table_name='progress_open_sessions')
    op.drop_table('progress_open_sessions')
    op.drop_table('progress')
