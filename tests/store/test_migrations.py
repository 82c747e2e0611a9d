"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from crowdform.store.models import Base
from tests.helpers import open_runtime


def test_migrated_schema_matches_the_models(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)  # runs every migration
    with runtime.database.writer.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    runtime.close()
    assert differences == []
