"""keep running totals for the home view

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('recovery_totals',
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('currency', sa.String(length=8), nullable=False),
    sa.Column('open_count', sa.Integer(), nullable=False),
    sa.Column('open_amount', sa.Integer(), nullable=False),
    sa.Column('recovered_count', sa.Integer(), nullable=False),
    sa.Column('recovered_amount', sa.Integer(), nullable=False),
    sa.Column('exhausted_count', sa.Integer(), nullable=False),
    sa.Column('exhausted_amount', sa.Integer(), nullable=False),
    sa.Column('closed_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('account_id', 'livemode', 'currency')
    )
    op.create_table('recovery_week',
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('week_start', sa.String(length=10), nullable=False),
    sa.Column('failed_count', sa.Integer(), nullable=False),
    sa.Column('recovered_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('account_id', 'livemode', 'week_start')
    )
    with op.batch_alter_table('recovery', schema=None) as batch_op:
        batch_op.create_index('ix_recovery_account_closed', ['account_id', 'livemode', 'closed_at'], unique=False)
    _backfill()


def _backfill() -> None:
    """Count the recoveries that existed before the totals did."""
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT account_id, livemode, currency, amount, status, started_at, closed_at FROM recovery")).all()
    totals: dict[tuple[str, bool, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    weeks: dict[tuple[str, bool, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for account_id, livemode, currency, amount, status, started_at, closed_at in rows:
        total = totals[(account_id, bool(livemode), currency)]
        if status in ("recovered", "exhausted"):
            total[f"{status}_count"] += 1
            total[f"{status}_amount"] += amount
        elif status == "closed":
            total["closed_count"] += 1
        else:
            total["open_count"] += 1
            total["open_amount"] += amount
        weeks[(account_id, bool(livemode), _monday(started_at))]["failed_count"] += 1
        if status == "recovered" and closed_at is not None:
            weeks[(account_id, bool(livemode), _monday(closed_at))]["recovered_count"] += 1
    for (account_id, livemode, currency), counts in totals.items():
        op.get_bind().execute(sa.text(
            "INSERT INTO recovery_totals VALUES (:a, :l, :c, :oc, :oa, :rc, :ra, :ec, :ea, :cc)"),
            {"a": account_id, "l": livemode, "c": currency, "oc": counts["open_count"],
             "oa": counts["open_amount"], "rc": counts["recovered_count"], "ra": counts["recovered_amount"],
             "ec": counts["exhausted_count"], "ea": counts["exhausted_amount"], "cc": counts["closed_count"]})
    for (account_id, livemode, week), counts in weeks.items():
        op.get_bind().execute(sa.text("INSERT INTO recovery_week VALUES (:a, :l, :w, :f, :r)"),
                              {"a": account_id, "l": livemode, "w": week, "f": counts["failed_count"],
                               "r": counts["recovered_count"]})


def _monday(moment: datetime | str) -> str:
    # SQLite hands back text, PostgreSQL a datetime.
    day = (datetime.fromisoformat(moment) if isinstance(moment, str) else moment).date()
    return (day - timedelta(days=day.weekday())).isoformat()



def downgrade() -> None:
    with op.batch_alter_table('recovery', schema=None) as batch_op:
        batch_op.drop_index('ix_recovery_account_closed')

    op.drop_table('recovery_week')
    op.drop_table('recovery_totals')
