"""read models: money lifecycle (payment flags, refunds, disputes; renewals, grace and mandates;
session activity) and the indexes the scheduler asks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 20:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

PAYMENTS: list[sa.Column] = [
    sa.Column('flags', sa.JSON(), nullable=False, server_default='[]'),
    sa.Column('refund_requested_paise', sa.BigInteger(), nullable=False, server_default='0'),
    sa.Column('refunds', sa.JSON(), nullable=False, server_default='[]'),
    sa.Column('dispute_status', sa.String(length=20), nullable=True),
    sa.Column('refunded_at', sa.DateTime(timezone=True), nullable=True),
]
SUBSCRIPTIONS: list[sa.Column] = [
    sa.Column('renewal', sa.String(length=10), nullable=False, server_default='manual'),
    sa.Column('renewal_due', sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column('renewal_payment_id', sa.String(length=36), nullable=True),
    sa.Column('current_payment_id', sa.String(length=36), nullable=True),
    sa.Column('grace_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('gateway_subscription_id', sa.String(length=200), nullable=True),
]
INDEXES = [
    ('ix_payments_refunded_at', 'payments', ['refunded_at']),
    ('ix_subscriptions_status_period_end', 'subscriptions', ['status', 'current_period_end']),
    ('ix_subscriptions_status_next_retry_at', 'subscriptions', ['status', 'next_retry_at']),
    ('ix_subscriptions_status_grace_until', 'subscriptions', ['status', 'grace_until']),
    ('ix_workout_sessions_status_last_activity_at', 'workout_sessions', ['status', 'last_activity_at']),
]


def upgrade() -> None:
    for column in PAYMENTS:
        op.add_column('payments', column)
    for column in SUBSCRIPTIONS:
        op.add_column('subscriptions', column)
    op.add_column('workout_sessions', sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=True))
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table('workout_sessions') as batch:
        batch.drop_column('last_activity_at')
    for table, columns in (('subscriptions', SUBSCRIPTIONS), ('payments', PAYMENTS)):
        with op.batch_alter_table(table) as batch:
            for column in reversed(columns):
                batch.drop_column(column.name)
