"""track takeovers of earlier failed invoices

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('takeover',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('running_key', sa.String(length=80), nullable=True),
    sa.Column('look_back_days', sa.Integer(), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cursor_start', sa.BigInteger(), nullable=False),
    sa.Column('cursor_window', sa.BigInteger(), nullable=False),
    sa.Column('cursor_after', sa.String(length=255), nullable=True),
    sa.Column('scanned', sa.Integer(), nullable=False),
    sa.Column('enrolled', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.JSON(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.String(length=1000), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('running_key')
    )
    op.create_index('ix_takeover_account', 'takeover', ['account_id', 'livemode', 'started_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_takeover_account', table_name='takeover')
    op.drop_table('takeover')
