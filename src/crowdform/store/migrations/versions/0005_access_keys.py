"""access keys of the AWS-compatible endpoint, and installation-wide secrets

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 23:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('access_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('access_key_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('revoked_at', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_keys')),
    sa.UniqueConstraint('access_key_id', name=op.f('uq_access_keys_access_key_id')),
    sa.UniqueConstraint('name', name=op.f('uq_access_keys_name'))
    )
    op.create_table('installation_secrets',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_installation_secrets'))
    )


def downgrade() -> None:
    op.drop_table('installation_secrets')
    op.drop_table('access_keys')
