"""built-in task types: the job's task type and its whole label category file

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 04:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('jobs', sa.Column('task_type', sa.String(length=64), nullable=True))
    op.add_column('jobs', sa.Column('label_config', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('jobs') as batch:
        batch.drop_column('label_config')
        batch.drop_column('task_type')
