"""incarnations and claimed_by: claims name their claimer, so a restarted leader takes over a dead one's
work at once; jobs.released counts released objects for the sliding release

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 02:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('incarnations',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('place', sa.Text(), nullable=False),
    sa.Column('started_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incarnations'))
    )
    op.create_index(op.f('ix_incarnations_place'), 'incarnations', ['place'], unique=False)
    op.add_column('data_objects', sa.Column('claimed_by', sa.String(length=32), nullable=True))
    op.add_column('consolidation_batches', sa.Column('claimed_by', sa.String(length=32), nullable=True))
    op.add_column('jobs', sa.Column('released', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE jobs SET released = (SELECT count(*) FROM data_objects "
               "WHERE data_objects.job_id = jobs.id AND data_objects.iteration IS NOT NULL)")


def downgrade() -> None:
    with op.batch_alter_table('jobs') as batch:
        batch.drop_column('released')
    with op.batch_alter_table('consolidation_batches') as batch:
        batch.drop_column('claimed_by')
    with op.batch_alter_table('data_objects') as batch:
        batch.drop_column('claimed_by')
    op.drop_index(op.f('ix_incarnations_place'), table_name='incarnations')
    op.drop_table('incarnations')
