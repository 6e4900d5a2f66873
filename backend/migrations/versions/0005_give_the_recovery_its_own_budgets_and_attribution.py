"""give the recovery its own budgets and attribution

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('recovery') as batch:
        batch.add_column(sa.Column('paper_attempts_made', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('auto_advance_found', sa.Boolean(), nullable=True))
    with op.batch_alter_table('recovery_totals') as batch:
        batch.add_column(sa.Column('paid_elsewhere_count', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('paid_elsewhere_amount', sa.BigInteger(), nullable=False, server_default='0'))
    # A retry of Recoup's was called "retry"; attribution now names who caused every payment.
    op.execute("UPDATE recovery SET recovered_by = 'recoup_retry' WHERE recovered_by = 'retry'")
    # Payments Recoup had no part in leave recovered revenue for the figure beside it.
    op.execute("""
        UPDATE recovery_totals SET
          paid_elsewhere_count = (SELECT COUNT(*) FROM recovery r WHERE r.account_id = recovery_totals.account_id
            AND r.livemode = recovery_totals.livemode AND r.currency = recovery_totals.currency
            AND r.status = 'recovered' AND r.recovered_by NOT IN ('recoup_retry', 'card_update')),
          paid_elsewhere_amount = (SELECT COALESCE(SUM(r.amount), 0) FROM recovery r
            WHERE r.account_id = recovery_totals.account_id AND r.livemode = recovery_totals.livemode
            AND r.currency = recovery_totals.currency AND r.status = 'recovered'
            AND r.recovered_by NOT IN ('recoup_retry', 'card_update'))
    """)
    op.execute("UPDATE recovery_totals SET recovered_count = recovered_count - paid_elsewhere_count, "
               "recovered_amount = recovered_amount - paid_elsewhere_amount")


def downgrade() -> None:
    op.execute("UPDATE recovery_totals SET recovered_count = recovered_count + paid_elsewhere_count, "
               "recovered_amount = recovered_amount + paid_elsewhere_amount")
    op.execute("UPDATE recovery SET recovered_by = 'retry' WHERE recovered_by = 'recoup_retry'")
    with op.batch_alter_table('recovery_totals') as batch:
        batch.drop_column('paid_elsewhere_amount')
        batch.drop_column('paid_elsewhere_count')
    with op.batch_alter_table('recovery') as batch:
        batch.drop_column('auto_advance_found')
        batch.drop_column('window_started_at')
        batch.drop_column('paper_attempts_made')
