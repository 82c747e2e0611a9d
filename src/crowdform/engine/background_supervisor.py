"""``crowdform serve`` runs the background process while some job runs, and not otherwise.

Every round of background work is about a running job (release, expiry, hooks, consolidation,
output; the vacuum of the task tables follows their churn), so a server whose jobs have all ended,
or which has none yet, has nothing for the process to do, and it would hold an interpreter with
SQLAlchemy and the engine (about 50 MB) for nothing. A thread of the server process looks for a running job
once every :data:`POLL_SECONDS` (one indexed read of the jobs table): the process starts when
there is one, whoever created it (the console, the SageMaker API, ``crowdform job create`` in
another process), and stops, after its round in flight, once no job has run for ``linger`` seconds.
A process that died on its own (a crash) is started again while jobs still run.
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from crowdform.engine.background_process import start_background_process, stop_background_process
from crowdform.engine.states import JobStatus
from crowdform.settings import Settings
from crowdform.store.database import Database
from crowdform.store.models import Job

POLL_SECONDS = 1.0

logger = logging.getLogger(__name__)


class BackgroundSupervisor:
    """Starts and stops the background process as jobs begin and end (see the module's docstring)."""

    def __init__(self, settings: Settings, *, poll_seconds: float = POLL_SECONDS) -> None:
        self.settings = settings
        self.poll_seconds = poll_seconds
        self.linger_seconds = settings.background_linger_seconds
        self.process: subprocess.Popen[bytes] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="crowdform-background-supervisor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop watching, then stop the process (it finishes its round in flight first)."""
        self._stop.set()
        self._thread.join()
        if self.process is not None:
            stop_background_process(self.process)
            self.process = None

    def _watch(self) -> None:
        database = Database(self.settings.resolved_database_url, pool_size=1)
        last_running = time.monotonic()
        try:
            while not self._stop.is_set():
                try:
                    running = _some_job_running(database)
                except SQLAlchemyError:  # a database that does not answer now may answer next time
                    logger.warning("could not look for running jobs; trying again", exc_info=True)
                    running = self.process is not None
                now = time.monotonic()
                if running:
                    last_running = now
                    if self.process is None or self.process.poll() is not None:
                        self.process = start_background_process(self.settings)
                elif self.process is not None and now - last_running >= self.linger_seconds:
                    stop_background_process(self.process)
                    self.process = None
                self._stop.wait(self.poll_seconds)
        finally:
            database.dispose()


def _some_job_running(database: Database) -> bool:
    with database.read() as connection:
        return connection.execute(select(Job.id).where(Job.status.in_(JobStatus.RUNNING)).limit(1)).first() is not None
