"""PostgreSQL: leave room in data_objects pages so slot and answer counts update in place

Every task taken and every answer counted updates a data object's row. With full pages (the default
fillfactor of 100, which ingest produces) PostgreSQL writes each new row version to another page
and adds an entry to every index of the table; the index range the next-task query scans then fills
with entries of dead versions, and taking a task slowed down by 40% within 30 s of a busy crowd
(bench/RESULTS.md, section 2c). With free room on the page the update is a heap-only tuple (HOT)
update: no index changes while the indexed columns (job, state, position) stay the same. SQLite
updates rows in place and has no such setting.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 07:45:00
"""

from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

FILLFACTOR = 70


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'ALTER TABLE data_objects SET (fillfactor = {FILLFACTOR})')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE data_objects RESET (fillfactor)')
