"""read models: notifications (by source) and the inboxes that say which are read

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 02:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notification_sources',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('notices', sa.JSON(), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_sources'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('parent_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('recipient_id', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('settled', sa.Boolean(), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('seq', name=op.f('uq_notifications_seq'))
    )
    op.create_index('ix_notifications_parent_id', 'notifications', ['parent_id'], unique=False)
    op.create_index('ix_notifications_recipient_id_seq', 'notifications', ['recipient_id', 'seq'],
                    unique=False)
    op.create_table('inboxes',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('uid', sa.String(length=128), nullable=False),
    sa.Column('read_up_to', sa.BigInteger(), nullable=False),
    sa.Column('read', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inboxes')),
    sa.UniqueConstraint('uid', name=op.f('uq_inboxes_uid'))
    )
    op.create_table('inbox_reads',
    sa.Column('parent_id', sa.String(length=36), nullable=False),
    sa.Column('uid', sa.String(length=128), nullable=False),
    sa.Column('notification_id', sa.String(length=36), nullable=False)
    )
    op.create_index('ix_inbox_reads_parent_id', 'inbox_reads', ['parent_id'], unique=False)
    op.create_index('ix_inbox_reads_uid_notification_id', 'inbox_reads', ['uid', 'notification_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_inbox_reads_uid_notification_id', table_name='inbox_reads')
    op.drop_index('ix_inbox_reads_parent_id', table_name='inbox_reads')
    op.drop_table('inbox_reads')
    op.drop_table('inboxes')
    op.drop_index('ix_notifications_recipient_id_seq', table_name='notifications')
    op.drop_index('ix_notifications_parent_id', table_name='notifications')
    op.drop_table('notifications')
    op.drop_table('notification_sources')
