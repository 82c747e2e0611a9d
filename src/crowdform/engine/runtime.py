"""What every engine service shares: settings, the database, storage, the clock, and the job log.

One :class:`Runtime` per process. Services (workforce, jobs, tasks, background work) take it in
their constructor, so tests build the same objects the server does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, insert

from crowdform.engine.clock import Clock, SystemClock
from crowdform.secrets import load_or_create_secret
from crowdform.settings import Settings
from crowdform.storage import Storage
from crowdform.store.database import Database
from crowdform.store.migrate import upgrade
from crowdform.store.models import JobLogEntry


@dataclass
class Runtime:
    settings: Settings
    database: Database
    storage: Storage
    secret: str  # signs sessions and read URLs; generated into the data folder on first start
    clock: Clock = field(default_factory=SystemClock)

    @classmethod
    def open(cls, settings: Settings, *, clock: Clock | None = None, migrate: bool = True) -> "Runtime":
        """Create the data folder, connect, and bring the schema up to date."""
        Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
        database = Database(settings.resolved_database_url)
        if migrate:
            upgrade(database)
        storage = Storage(settings.all_storage_roots, s3_endpoint_url=settings.s3_endpoint_url)
        return cls(settings, database, storage, load_or_create_secret(settings), clock or SystemClock())

    def log(self, connection: Connection, job_id: int, source: str, message: str, level: str = "info") -> None:
        """Append a line to a job's log inside the caller's transaction."""
        connection.execute(
            insert(JobLogEntry).values(job_id=job_id, at=self.clock.now(), source=source, level=level, message=message)
        )

    def log_now(self, job_id: int, source: str, message: str, level: str = "info") -> None:
        """Append a line to a job's log in a transaction of its own (hook output arrives from other threads)."""
        with self.database.write() as connection:
            self.log(connection, job_id, source, message, level)

    def close(self) -> None:
        self.database.dispose()
