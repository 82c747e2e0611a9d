"""What every engine service shares: settings, the database, storage, the secret, the clock, and the job log.

One :class:`Runtime` per process. Services (workforce, jobs, tasks, background work) take it in
their constructor, so tests build the same objects the server does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, insert

from crowdform.engine.clock import Clock, SystemClock
from crowdform.secrets import SigningSecret
from crowdform.settings import Settings
from crowdform.storage import Storage
from crowdform.store.database import Database
from crowdform.store.migrate import upgrade
from crowdform.store.models import JobLogEntry


def open_storage(settings: Settings) -> Storage:
    """The storage of a process of this data folder: its roots, with the data folder private apart from
    ``buckets_dir``, the embedded S3 store's content (docs/decisions.md, "What may be served"), where
    ``s3://`` URIs live unless ``s3_endpoint_url`` names an external store."""
    return Storage(settings.all_storage_roots, private=settings.private_paths, public=(settings.buckets_dir,),
                   s3_endpoint_url=settings.s3_endpoint_url, buckets_dir=settings.buckets_dir)


@dataclass
class Runtime:
    settings: Settings
    database: Database
    storage: Storage
    signing_secret: SigningSecret  # generated into the data folder on first start; rotated by `crowdform secrets rotate`
    clock: Clock = field(default_factory=SystemClock)

    @property
    def secret(self) -> str:
        """The secret that signs sessions, CSRF tokens and file links now (a rotation shows within a second)."""
        return self.signing_secret.value

    @classmethod
    def open(cls, settings: Settings, *, clock: Clock | None = None, migrate: bool = True) -> "Runtime":
        """Create the data folder, connect, and bring the schema up to date."""
        Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
        database = Database(settings.resolved_database_url)
        if migrate:
            upgrade(database)
        return cls(settings, database, open_storage(settings), SigningSecret(settings), clock or SystemClock())

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
