"""PostgreSQL upkeep the engine asks for: vacuuming the tables a busy crowd churns.

Every task taken, answer counted and lease submitted leaves a dead row version on PostgreSQL until
VACUUM removes it. The index range that the next-task query scans (objects in state ``ready``) fills
with entries of objects that have left it, and every take walks past them. Autovacuum waits until
20% of a table is dead and looks at most once a minute. Measured: throughput halved within 30 s of
a 16-worker crowd, and one VACUUM brought it back (bench/RESULTS.md, section 2c). So the background
work vacuums these tables itself once enough of them is dead. SQLite reuses freed pages and needs
none of this.
"""

from __future__ import annotations

from sqlalchemy import bindparam, text

from crowdform.store.database import Database

CHURNED_TABLES = ("data_objects", "leases")
MIN_DEAD_ROWS = 5_000
DEAD_FRACTION = 0.05  # of the live rows: a big table is vacuumed less often, as each VACUUM costs more

_DEAD_ROWS = text(
    "SELECT relname, n_dead_tup, n_live_tup FROM pg_stat_user_tables "
    "WHERE schemaname = current_schema() AND relname IN :tables"
).bindparams(bindparam("tables", expanding=True))


def vacuum_churned_tables(database: Database) -> list[str]:
    """VACUUM each churned table with more than ``max(MIN_DEAD_ROWS, DEAD_FRACTION x live)`` dead
    rows; returns the tables vacuumed (none on SQLite)."""
    if database.is_sqlite:
        return []
    with database.reader.connect() as connection:
        counts = connection.execute(_DEAD_ROWS, {"tables": list(CHURNED_TABLES)}).all()
    due = [name for name, dead, live in counts if dead > max(MIN_DEAD_ROWS, DEAD_FRACTION * live)]
    if due:
        # VACUUM cannot run inside a transaction block.
        with database.writer.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for name in due:
                connection.exec_driver_sql(f"VACUUM {name}")
    return due
