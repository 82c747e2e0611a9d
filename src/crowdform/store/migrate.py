"""Bring a database to the newest schema with Alembic, from code (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from crowdform.store.database import Database

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(database: Database) -> None:
    """Apply every migration not yet applied. Safe to call at every start and from several processes."""
    config = alembic_config(database.url)
    with database.writer.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
