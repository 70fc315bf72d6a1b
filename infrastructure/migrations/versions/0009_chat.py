"""read models: chat conversations and their messages

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-30 02:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'conversations',
        sa.Column('id', sa.String(length=36), primary_key=True),
        sa.Column('seq', sa.BigInteger(), nullable=False, unique=True),
        sa.Column('participant_a', sa.String(length=128), nullable=False),
        sa.Column('participant_b', sa.String(length=128), nullable=False),
        sa.Column('read_a', sa.BigInteger(), nullable=False),
        sa.Column('read_b', sa.BigInteger(), nullable=False),
        sa.Column('last_seq', sa.BigInteger(), nullable=False),
        sa.Column('last_message', sa.JSON(), nullable=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('position', sa.BigInteger(), nullable=False),
    )
    op.create_index('ix_conversations_participant_a', 'conversations', ['participant_a'])
    op.create_index('ix_conversations_participant_b', 'conversations', ['participant_b'])
    op.create_table(
        'chat_messages',
        sa.Column('id', sa.String(length=36), primary_key=True),
        sa.Column('conversation_id', sa.String(length=36), nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('sender_id', sa.String(length=128), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('client_message_id', sa.String(length=128), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('position', sa.BigInteger(), nullable=False),
    )
    op.create_index('ix_chat_messages_conversation_seq', 'chat_messages', ['conversation_id', 'seq'],
                    unique=True)


def downgrade() -> None:
    op.drop_index('ix_chat_messages_conversation_seq', table_name='chat_messages')
    op.drop_table('chat_messages')
    op.drop_index('ix_conversations_participant_b', table_name='conversations')
    op.drop_index('ix_conversations_participant_a', table_name='conversations')
    op.drop_table('conversations')
