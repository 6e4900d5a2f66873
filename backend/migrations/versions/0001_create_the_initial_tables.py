"""create the initial tables

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account',
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('installed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uninstalled_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('account_id', 'livemode')
    )
    op.create_table('account_settings',
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('account_id', 'livemode')
    )
    op.create_table('attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recovery_id', sa.String(length=64), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('payment_method_id', sa.String(length=255), nullable=True),
    sa.Column('card_brand', sa.String(length=32), nullable=True),
    sa.Column('card_last4', sa.String(length=4), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('decline_code', sa.String(length=64), nullable=True),
    sa.Column('advice_code', sa.String(length=64), nullable=True),
    sa.Column('network_advice_code', sa.String(length=8), nullable=True),
    sa.Column('request_id', sa.String(length=255), nullable=True),
    sa.Column('idempotency_key', sa.String(length=255), nullable=False),
    sa.Column('trigger', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_recovery_id'), ['recovery_id'], unique=False)

    op.create_table('job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('recovery_id', sa.String(length=64), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('run_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('max_tries', sa.Integer(), nullable=False),
    sa.Column('lease_owner', sa.String(length=128), nullable=True),
    sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=2000), nullable=True),
    sa.Column('dedupe_key', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dedupe_key')
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index('ix_job_account', ['account_id', 'livemode', 'status'], unique=False)
        batch_op.create_index('ix_job_due', ['status', 'run_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_recovery_id'), ['recovery_id'], unique=False)

    op.create_table('recovery',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('invoice_id', sa.String(length=255), nullable=False),
    sa.Column('customer_id', sa.String(length=255), nullable=False),
    sa.Column('customer_country', sa.String(length=2), nullable=True),
    sa.Column('subscription_id', sa.String(length=255), nullable=True),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('first_decline_category', sa.String(length=32), nullable=True),
    sa.Column('first_decline_code', sa.String(length=64), nullable=True),
    sa.Column('latest_decline_category', sa.String(length=32), nullable=True),
    sa.Column('latest_decline_code', sa.String(length=64), nullable=True),
    sa.Column('latest_advice_code', sa.String(length=64), nullable=True),
    sa.Column('latest_network_advice_code', sa.String(length=8), nullable=True),
    sa.Column('strategy', sa.String(length=64), nullable=True),
    sa.Column('attempts_made', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_attempt_reason', sa.String(length=500), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=64), nullable=True),
    sa.Column('outcome_detail', sa.String(length=1000), nullable=True),
    sa.Column('recovered_by', sa.String(length=32), nullable=True),
    sa.Column('difficulty', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stripe_retrying', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_id', 'livemode', 'invoice_id', name='uq_recovery_invoice')
    )
    with op.batch_alter_table('recovery', schema=None) as batch_op:
        batch_op.create_index('ix_recovery_account_status', ['account_id', 'livemode', 'status'], unique=False)
        batch_op.create_index('ix_recovery_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('webhook_event',
    sa.Column('event_id', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=128), nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=True),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    with op.batch_alter_table('webhook_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_event_account_id'), ['account_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('webhook_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_event_account_id'))

    op.drop_table('webhook_event')
    with op.batch_alter_table('recovery', schema=None) as batch_op:
        batch_op.drop_index('ix_recovery_due')
        batch_op.drop_index('ix_recovery_account_status')

    op.drop_table('recovery')
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_recovery_id'))
        batch_op.drop_index('ix_job_due')
        batch_op.drop_index('ix_job_account')

    op.drop_table('job')
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_recovery_id'))

    op.drop_table('attempt')
    op.drop_table('account_settings')
    op.drop_table('account')
