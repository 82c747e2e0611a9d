"""hooks.requirements: the requirements.txt of a hook with its own environment (hook add --requirements/--zip)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 02:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('hooks') as batch:
        batch.add_column(sa.Column('requirements', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('hooks') as batch:
        batch.drop_column('requirements')
