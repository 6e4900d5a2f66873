"""keep a hash-chained audit trail and record data deletions

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('operation', sa.String(length=128), nullable=False),
    sa.Column('actor', sa.String(length=255), nullable=False),
    sa.Column('invoice_id', sa.String(length=255), nullable=True),
    sa.Column('recovery_id', sa.String(length=64), nullable=True),
    sa.Column('request_id', sa.String(length=255), nullable=True),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('details_digest', sa.String(length=64), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('row_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_id', 'livemode', 'seq', name='uq_audit_entry_seq')
    )
    op.create_index('ix_audit_entry_invoice', 'audit_entry', ['account_id', 'livemode', 'invoice_id'],
                    unique=False)
    op.create_table('audit_head',
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('row_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('account_id', 'livemode')
    )
    op.create_table('data_deletion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.String(length=64), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_data_deletion_account_id', 'data_deletion', ['account_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_data_deletion_account_id', table_name='data_deletion')
    op.drop_table('data_deletion')
    op.drop_table('audit_head')
    op.drop_index('ix_audit_entry_invoice', table_name='audit_entry')
    op.drop_table('audit_entry')
