"""Vacuuming the tables a busy crowd churns, on PostgreSQL, once enough of them is dead."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import text, update

from crowdform.store.models import DataObject
from crowdform.store.upkeep import MIN_DEAD_ROWS, vacuum_churned_tables
from tests.helpers import open_runtime, synthetic_job, team_with_workers

_STATS = text("SELECT n_dead_tup, last_vacuum FROM pg_stat_user_tables WHERE relname = 'data_objects'")


def test_sqlite_needs_no_vacuum(tmp_path: Path) -> None:
    runtime = open_runtime(tmp_path, f"sqlite:///{tmp_path / 'crowdform.db'}")
    assert vacuum_churned_tables(runtime.database) == []
    runtime.close()


def test_churned_tables_are_vacuumed_once_enough_of_them_is_dead(tmp_path: Path, postgres_url: str) -> None:
    runtime = open_runtime(tmp_path, postgres_url)
    team_with_workers(runtime, "animal-team", 1)
    synthetic_job(runtime, tmp_path, name="churn", objects=2_000, workers_per_object=1)
    assert vacuum_churned_tables(runtime.database) == []  # nothing dead yet
    with runtime.database.write() as connection:
        for _ in range(MIN_DEAD_ROWS // 2_000 + 1):  # each pass leaves one dead version of every row
            connection.execute(update(DataObject).values(slots_taken=DataObject.slots_taken + 1))
    for _ in range(100):  # statistics reach pg_stat_user_tables within about a second
        with runtime.database.read() as connection:  # a new transaction: statistics are cached in one
            dead, last_vacuum = connection.execute(_STATS).one()
        if dead > MIN_DEAD_ROWS:
            break
        time.sleep(0.1)
    assert dead > MIN_DEAD_ROWS and last_vacuum is None
    assert vacuum_churned_tables(runtime.database) == ["data_objects"]  # leases has no dead rows
    with runtime.database.read() as connection:
        assert connection.execute(_STATS).one().last_vacuum is not None
    runtime.close()
