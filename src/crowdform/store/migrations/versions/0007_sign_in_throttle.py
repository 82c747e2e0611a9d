"""sign_in_counts: failed sign-ins per account and per client address, shared by every server process

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 09:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_counts',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('window_started', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_counts'))
    )
    op.create_index(op.f('ix_sign_in_counts_window_started'), 'sign_in_counts', ['window_started'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_sign_in_counts_window_started'), table_name='sign_in_counts')
    op.drop_table('sign_in_counts')
