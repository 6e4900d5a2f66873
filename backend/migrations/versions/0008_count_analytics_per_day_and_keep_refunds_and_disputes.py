"""count analytics per day and currency; keep refunds and disputes of recovered payments

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_DAY_COUNTERS = (
    "failed_count", "failed_amount", "in_flight_count", "in_flight_amount",
    "recovered_count", "recovered_amount", "retry_count", "retry_amount",
    "card_update_count", "card_update_amount", "customer_count", "customer_amount",
    "elsewhere_count", "elsewhere_amount", "exhausted_count", "exhausted_amount", "closed_count",
    "refunded_amount", "dispute_lost_amount", "reversed_amount",
    "dispute_open_count", "dispute_won_count", "dispute_lost_count",
)
_CAUSE = {"recoup_retry": "retry", "retry": "retry", "card_update": "card_update", "customer": "customer"}


def _counter(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def upgrade() -> None:
    with op.batch_alter_table('recovery') as batch:
        batch.add_column(sa.Column('refunded_amount', sa.BigInteger(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('dispute_status', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('disputed_amount', sa.BigInteger(), nullable=False, server_default='0'))
    with op.batch_alter_table('attempt') as batch:
        batch.add_column(sa.Column('payment_intent_id', sa.String(length=255), nullable=True))
        batch.add_column(sa.Column('charge_id', sa.String(length=255), nullable=True))
    op.create_index('ix_attempt_payment_intent_id', 'attempt', ['payment_intent_id'], unique=False)
    op.create_index('ix_attempt_charge_id', 'attempt', ['charge_id'], unique=False)
    op.create_table('recovery_day',
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('currency', sa.String(length=8), nullable=False),
    *[_counter(name) for name in _DAY_COUNTERS],
    sa.PrimaryKeyConstraint('account_id', 'livemode', 'day', 'currency')
    )
    op.create_table('recovery_days_to_recover',
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    _counter('count'),
    sa.PrimaryKeyConstraint('account_id', 'livemode', 'day', 'days')
    )
    op.create_table('message_day',
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    _counter('sent_count'), _counter('opened_count'), _counter('clicked_count'),
    sa.PrimaryKeyConstraint('account_id', 'livemode', 'day')
    )
    _backfill()


def _moment(value: datetime | str) -> datetime:
    # SQLite hands back text, PostgreSQL a datetime; both are stored in UTC.
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _backfill() -> None:
    """Count the recoveries and messages that existed before the daily buckets did."""
    connection = op.get_bind()
    days: dict[tuple[str, bool, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    spread: dict[tuple[str, bool, str, int], int] = defaultdict(int)
    rows = connection.execute(sa.text(
        "SELECT account_id, livemode, currency, amount, status, started_at, closed_at, recovered_by"
        " FROM recovery")).all()
    for account_id, livemode, currency, amount, status, started_at, closed_at, recovered_by in rows:
        opened = days[(account_id, bool(livemode), _moment(started_at).date().isoformat(), currency)]
        opened["failed_count"] += 1
        opened["failed_amount"] += amount
        if closed_at is None:
            opened["in_flight_count"] += 1
            opened["in_flight_amount"] += amount
            continue
        ended_day = _moment(closed_at).date().isoformat()
        ended = days[(account_id, bool(livemode), ended_day, currency)]
        if status == "recovered":
            cause = _CAUSE.get(recovered_by or "", "elsewhere")
            ended[f"{cause}_count"] += 1
            ended[f"{cause}_amount"] += amount
            if cause in ("retry", "card_update"):
                ended["recovered_count"] += 1
                ended["recovered_amount"] += amount
                took = max(0, (_moment(closed_at) - _moment(started_at)).days)
                spread[(account_id, bool(livemode), ended_day, took)] += 1
        elif status == "exhausted":
            ended["exhausted_count"] += 1
            ended["exhausted_amount"] += amount
        else:
            ended["closed_count"] += 1
    names = ", ".join(_DAY_COUNTERS)
    values = ", ".join(f":{name}" for name in _DAY_COUNTERS)
    for (account_id, livemode, day, currency), counters in days.items():
        connection.execute(sa.text(
            f"INSERT INTO recovery_day (account_id, livemode, day, currency, {names})"
            f" VALUES (:a, :l, :d, :c, {values})"),
            {"a": account_id, "l": livemode, "d": day, "c": currency,
             **{name: counters.get(name, 0) for name in _DAY_COUNTERS}})
    for (account_id, livemode, day, took), count in spread.items():
        connection.execute(sa.text("INSERT INTO recovery_days_to_recover VALUES (:a, :l, :d, :n, :c)"),
                           {"a": account_id, "l": livemode, "d": day, "n": took, "c": count})
    _backfill_messages(connection)


def _backfill_messages(connection: sa.Connection) -> None:
    sent: dict[tuple[str, bool, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    rows = connection.execute(sa.text(
        "SELECT account_id, livemode, sent_at, opened_at, clicked_at FROM notification"
        " WHERE status = 'sent' AND sent_at IS NOT NULL")).all()
    for account_id, livemode, sent_at, opened_at, clicked_at in rows:
        counts = sent[(account_id, bool(livemode), _moment(sent_at).date().isoformat())]
        counts[0] += 1
        counts[1] += opened_at is not None
        counts[2] += clicked_at is not None
    for (account_id, livemode, day), (sends, opens, clicks) in sent.items():
        connection.execute(sa.text("INSERT INTO message_day VALUES (:a, :l, :d, :s, :o, :c)"),
                           {"a": account_id, "l": livemode, "d": day, "s": sends, "o": opens, "c": clicks})


def downgrade() -> None:
    op.drop_table('message_day')
    op.drop_table('recovery_days_to_recover')
    op.drop_table('recovery_day')
    op.drop_index('ix_attempt_charge_id', table_name='attempt')
    op.drop_index('ix_attempt_payment_intent_id', table_name='attempt')
    with op.batch_alter_table('attempt') as batch:
        batch.drop_column('charge_id')
        batch.drop_column('payment_intent_id')
    with op.batch_alter_table('recovery') as batch:
        batch.drop_column('disputed_amount')
        batch.drop_column('dispute_status')
        batch.drop_column('refunded_amount')
