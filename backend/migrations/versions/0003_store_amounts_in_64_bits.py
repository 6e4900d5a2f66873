"""store amounts in 64 bits

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# Every column that holds an amount or a sum of amounts (smallest currency unit).
_MONEY = {
    'recovery': ('amount',),
    'recovery_totals': ('open_amount', 'recovered_amount', 'exhausted_amount'),
}


def upgrade() -> None:
    for table, columns in _MONEY.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=sa.Integer(), type_=sa.BigInteger(),
                                      existing_nullable=False)


def downgrade() -> None:
    for table, columns in _MONEY.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=sa.BigInteger(), type_=sa.Integer(),
                                      existing_nullable=False)
