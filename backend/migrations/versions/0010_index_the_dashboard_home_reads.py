"""index the Dashboard home's reads of an account's next attempts and Stripe-retried invoices

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
from __future__ import annotations

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('recovery', schema=None) as batch_op:
        batch_op.create_index('ix_recovery_account_next', ['account_id', 'livemode', 'next_attempt_at'],
                              unique=False)
        batch_op.create_index('ix_recovery_account_stripe_retrying', ['account_id', 'livemode', 'stripe_retrying'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('recovery', schema=None) as batch_op:
        batch_op.drop_index('ix_recovery_account_stripe_retrying')
        batch_op.drop_index('ix_recovery_account_next')
