"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import importlib

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from crowdform.store.models import Base
from tests.helpers import open_runtime

FILLFACTOR = importlib.import_module("crowdform.store.migrations.versions.0004_hot_updates").FILLFACTOR


def test_migrated_schema_matches_the_models(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)  # runs every migration
    with runtime.database.writer.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    runtime.close()
    assert differences == []


def test_postgresql_data_objects_leave_room_for_in_place_updates(tmp_path: Path, postgres_url: str) -> None:
    runtime = open_runtime(tmp_path, postgres_url)
    with runtime.database.read() as connection:
        options = connection.execute(text("SELECT reloptions FROM pg_class WHERE relname = 'data_objects'")).scalar_one()
    runtime.close()
    assert options == [f"fillfactor={FILLFACTOR}"] and FILLFACTOR < 100
