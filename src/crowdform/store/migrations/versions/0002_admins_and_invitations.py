"""admins, console sessions and worker invitations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 01:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('admins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=128), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admins')),
    sa.UniqueConstraint('username', name=op.f('uq_admins_username'))
    )
    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.Column('used_at', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_invitations_worker_id_workers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitations_token_hash'))
    )
    op.create_index(op.f('ix_invitations_worker_id'), 'invitations', ['worker_id'], unique=False)
    # SQLite cannot add a foreign key to an existing table: batch mode copies the table.
    with op.batch_alter_table('api_tokens') as batch:
        batch.add_column(sa.Column('admin_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_api_tokens_admin_id_admins'), 'admins', ['admin_id'], ['id'],
                                 ondelete='CASCADE')


def downgrade() -> None:
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_constraint(op.f('fk_api_tokens_admin_id_admins'), type_='foreignkey')
        batch.drop_column('admin_id')
    op.drop_index(op.f('ix_invitations_worker_id'), table_name='invitations')
    op.drop_table('invitations')
    op.drop_table('admins')
