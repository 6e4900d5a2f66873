"""keep customer messages and opt-outs

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notification',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('recovery_id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('customer_id', sa.String(length=255), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('step', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('send_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('clicked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('provider_id', sa.String(length=255), nullable=True),
    sa.Column('to_address', sa.String(length=320), nullable=True),
    sa.Column('locale', sa.String(length=16), nullable=True),
    sa.Column('error', sa.String(length=1000), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_notification_recovery_id', 'notification', ['recovery_id'], unique=False)
    op.create_index('ix_notification_account', 'notification', ['account_id', 'livemode', 'status'],
                    unique=False)
    op.create_table('outreach_opt_out',
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('customer_id', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('account_id', 'livemode', 'customer_id')
    )


def downgrade() -> None:
    op.drop_table('outreach_opt_out')
    op.drop_index('ix_notification_account', table_name='notification')
    op.drop_index('ix_notification_recovery_id', table_name='notification')
    op.drop_table('notification')
