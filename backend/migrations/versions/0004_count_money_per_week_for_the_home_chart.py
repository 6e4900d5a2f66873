"""count money failed and recovered per week and currency for the home chart

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('recovery_week_money',
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('week_start', sa.String(length=10), nullable=False),
    sa.Column('currency', sa.String(length=8), nullable=False),
    sa.Column('failed_amount', sa.BigInteger(), nullable=False),
    sa.Column('recovered_amount', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('account_id', 'livemode', 'week_start', 'currency')
    )
    _backfill()


# Attribution names as stored before and after revision 0005 renamed `retry`.
_CAUSED_BY_RECOUP = frozenset({"retry", "recoup_retry", "card_update"})


def _backfill() -> None:
    """Count the money of the recoveries that existed before the table did."""
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT account_id, livemode, currency, amount, status, started_at, closed_at, recovered_by"
        " FROM recovery")).all()
    weeks: dict[tuple[str, bool, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for account_id, livemode, currency, amount, status, started_at, closed_at, recovered_by in rows:
        weeks[(account_id, bool(livemode), _monday(started_at), currency)]["failed"] += amount
        # Recovered money is what Recoup caused (its retry, or a card update it asked for).
        if status == "recovered" and closed_at is not None and recovered_by in _CAUSED_BY_RECOUP:
            weeks[(account_id, bool(livemode), _monday(closed_at), currency)]["recovered"] += amount
    for (account_id, livemode, week, currency), amounts in weeks.items():
        connection.execute(sa.text("INSERT INTO recovery_week_money VALUES (:a, :l, :w, :c, :f, :r)"),
                           {"a": account_id, "l": livemode, "w": week, "c": currency,
                            "f": amounts["failed"], "r": amounts["recovered"]})


def _monday(moment: datetime | str) -> str:
    # SQLite hands back text, PostgreSQL a datetime.
    day = (datetime.fromisoformat(moment) if isinstance(moment, str) else moment).date()
    return (day - timedelta(days=day.weekday())).isoformat()


def downgrade() -> None:
    op.drop_table('recovery_week_money')
