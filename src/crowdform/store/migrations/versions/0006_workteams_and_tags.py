"""work teams (SageMaker's CreateWorkteam) over teams: their settings, member groups and derived members; tags

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 09:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('teams', sa.Column('is_workteam', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column('teams', sa.Column('workteam', sa.Text(), nullable=True))
    op.add_column('teams', sa.Column('updated_at', sa.Float(), nullable=True))
    op.add_column('team_members', sa.Column('direct', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table('team_groups',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['teams.id'], name=op.f('fk_team_groups_group_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_groups_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'group_id', name=op.f('pk_team_groups'))
    )
    op.create_index(op.f('ix_team_groups_group_id'), 'team_groups', ['group_id'], unique=False)
    op.create_table('tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_arn', sa.String(length=256), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('value', sa.String(length=256), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('resource_arn', 'key', name=op.f('uq_tags_resource_arn'))
    )


def downgrade() -> None:
    op.drop_table('tags')
    op.drop_index(op.f('ix_team_groups_group_id'), table_name='team_groups')
    op.drop_table('team_groups')
    # Plain DROP COLUMN (SQLite 3.35+): recreating teams in batch mode would cascade to its members.
    op.drop_column('team_members', 'direct')
    op.drop_column('teams', 'updated_at')
    op.drop_column('teams', 'workteam')
    op.drop_column('teams', 'is_workteam')
