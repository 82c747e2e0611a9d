"""Bring a database to the newest schema with Alembic, from code (no alembic.ini needed).

Alembic (with Mako and Pygments, about 8 MB) is imported when a migration runs, not with this module:
``crowdform serve`` migrates in a short-lived process of its own, so its long-lived processes never load it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from crowdform.store.database import Database

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(database: Database) -> None:
    """Apply every migration not yet applied. Safe to call at every start and from several processes."""
    from alembic import command

    config = alembic_config(database.url)
    with database.writer.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
