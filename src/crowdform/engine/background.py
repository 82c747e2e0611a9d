"""The engine's background work, one round at a time: the server runs rounds in a thread.

Each round, for every running job: expire leases and objects whose time is up, release the next
iteration, run pre-annotation hooks, consolidate answered objects, apply stopping conditions,
rewrite the output when it changed, and finish the job when nothing is left. Every step claims its
work with a conditional update, so several server processes can run rounds against one database.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import ColumnElement, Connection, exists, func, select, update
from sqlalchemy.exc import SQLAlchemyError

from crowdform.engine.consolidation import Consolidation
from crowdform.engine.hook_pool import HookPool
from crowdform.engine.job_failure import fail_job, failure_reason
from crowdform.engine.jobs import JobRow, begin_stopping, iter_job_rows, load_job
from crowdform.engine.leadership import Leadership
from crowdform.engine.output import write_intermediate, write_output_manifest
from crowdform.engine.preparation import Preparation, release_next_batch
from crowdform.engine.runtime import Runtime
from crowdform.engine.states import JobStatus, LeaseState, ObjectState
from crowdform.engine.tasks import expire_leases
from crowdform.errors import CrowdformError, TooManyRequests
from crowdform.store.models import DataObject, Job, Lease
from crowdform.store.upkeep import vacuum_churned_tables

logger = logging.getLogger("crowdform.background")
OUTPUT_COST_FACTOR = 10
VACUUM_CHECK_SECONDS = 5.0


class Background:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.hooks = HookPool(runtime)
        self.preparation = Preparation(runtime, self.hooks)
        self.consolidation = Consolidation(runtime, self.hooks)
        self.leadership = Leadership(runtime.settings.data_dir)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._reported: dict[int, str] = {}
        self._output_seconds: dict[int, float] = {}  # how long the last output rewrite of each job took
        self._next_vacuum_check = 0.0  # time.monotonic() of the next look at dead rows

    # ---------------------------------------------------------------- one round
    def run_once(self) -> bool:
        """One round over all running jobs; True if anything was done (so the caller can go again at once)."""
        with self.runtime.database.read() as connection:
            jobs = list(iter_job_rows(connection, JobStatus.RUNNING))
        busy = False
        for job in jobs:
            try:
                busy |= self._advance(job)
            except TooManyRequests as exc:  # the server, not the job, is busy: the work is retried next round
                self._report(job, str(exc))
            except CrowdformError as exc:
                # The job's work cannot go on (its output or Ground Truth files cannot be written):
                # it fails, naming the cause, and other jobs go on (engine/job_failure.py).
                self._fail(job, str(exc))
        self.hooks.flush_log()
        self._vacuum_if_due()
        return busy

    def _vacuum_if_due(self) -> None:
        """PostgreSQL: vacuum the tables the crowd churns once enough of them is dead (``store/upkeep``)."""
        now = time.monotonic()
        if now < self._next_vacuum_check:
            return
        self._next_vacuum_check = now + VACUUM_CHECK_SECONDS
        try:
            vacuum_churned_tables(self.runtime.database)
        except SQLAlchemyError:  # upkeep must never stop the jobs' work; autovacuum still runs
            logger.warning("vacuuming the task tables failed", exc_info=True)

    def _report(self, job: JobRow, message: str) -> None:
        if self._reported.get(job.id) != message:
            self._reported[job.id] = message
            self.runtime.log_now(job.id, "engine", f"background work failed, will retry: {message}", "error")
            logger.error("job %s: %s", job.name, message)

    def _fail(self, job: JobRow, cause: str) -> None:
        reason = failure_reason(cause, job.name)
        with self.runtime.database.write() as connection:
            if fail_job(connection, job.id, reason, self.runtime.clock.now()):
                self.runtime.log(connection, job.id, "engine", f"job failed: {reason}", "error")
                logger.error("job %s failed: %s", job.name, cause)
        self.hooks.close_job(job.id)

    def _advance(self, job: JobRow) -> bool:
        now = self.runtime.clock.now()
        expired = lapsed = released = 0
        if self._has_chores(job, now):  # a read first: most rounds have nothing to write
            with self.runtime.database.write() as connection:
                expired = expire_leases(connection, job.id, now)
                lapsed = self._expire_unavailable(connection, job, now)
                released = 0 if job.status == JobStatus.STOPPING else release_next_batch(connection, job, now)
        if released:
            self.runtime.log_now(job.id, "engine", f"released {released} data objects")
        busy = bool(expired or lapsed or released)
        with self.runtime.database.read() as connection:
            job = load_job(connection, job.name)
        if job.status != JobStatus.STOPPING:
            busy |= self.preparation.run(job) > 0
        claim = self.consolidation.claim(job)
        if claim is not None:
            batch_id, iteration = claim
            self.consolidation.run(job, batch_id, iteration)
            self._apply_stopping_conditions(job)
            busy = True
        busy |= self._write_output_if_due(job)
        busy |= self._finish_if_done(job)
        return busy

    def _has_chores(self, job: JobRow, now: float) -> bool:
        """Is there a lease to expire, an object past its availability, or a batch to release?"""
        with self.runtime.database.read() as connection:
            return bool(connection.execute(select(
                exists().where(Lease.job_id == job.id, Lease.state == LeaseState.ACTIVE, Lease.expires_at <= now)
                | exists().where(DataObject.job_id == job.id, DataObject.state == ObjectState.READY,
                                 DataObject.released_at <= now - job.availability_lifetime)
                | (~exists().where(DataObject.job_id == job.id,
                                   DataObject.state.in_((ObjectState.PREPARING, ObjectState.READY)))
                   & exists().where(DataObject.job_id == job.id, DataObject.state == ObjectState.QUEUED))
            )).scalar())

    def _expire_unavailable(self, connection: Connection, job: JobRow, now: float) -> int:
        """Objects offered longer than TaskAvailabilityLifetimeInSeconds: consolidate what they have, or fail."""
        deadline = now - job.availability_lifetime
        lapsed = connection.execute(select(DataObject.id, DataObject.answers).where(
            DataObject.job_id == job.id, DataObject.state == ObjectState.READY, DataObject.released_at <= deadline,
        )).all()
        for object_id, answers in lapsed:
            connection.execute(update(Lease).where(Lease.object_id == object_id, Lease.state == LeaseState.ACTIVE)
                               .values(state=LeaseState.CANCELLED))
            if answers:
                values = {"state": ObjectState.ANSWERED, "answered_at": now}
            else:
                values = {"state": ObjectState.FAILED,
                          "failure_reason": "no worker submitted an answer within TaskAvailabilityLifetimeInSeconds"}
            connection.execute(update(DataObject).where(DataObject.id == object_id,
                                                        DataObject.state == ObjectState.READY).values(**values))
        return len(lapsed)

    def _apply_stopping_conditions(self, job: JobRow) -> None:
        if job.max_human_labeled is None and job.max_percent_labeled is None:
            return
        with self.runtime.database.write() as connection:
            status = connection.execute(select(Job.status).where(Job.id == job.id)).scalar_one()
            if status != JobStatus.IN_PROGRESS:
                return
            labeled = connection.execute(select(func.count()).where(
                DataObject.job_id == job.id, DataObject.state == ObjectState.LABELED)).scalar_one()
            by_count = job.max_human_labeled is not None and labeled >= job.max_human_labeled
            by_percent = (job.max_percent_labeled is not None and job.object_count
                          and labeled * 100 >= job.max_percent_labeled * job.object_count)
            # Met by the last object left to label, the condition completes the job instead: Stopped
            # means objects were left unlabeled (docs/decisions.md, Q4).
            left = connection.execute(select(exists().where(
                DataObject.job_id == job.id, DataObject.state.in_(ObjectState.AWAITING_WORKERS)))).scalar()
            if (by_count or by_percent) and left:
                begin_stopping(connection, job.id, self.runtime.clock.now())
                self.runtime.log(connection, job.id, "engine",
                                 f"stopping condition met after {labeled} labeled objects")

    def _write_output_if_due(self, job: JobRow, *, force: bool = False) -> bool:
        now = self.runtime.clock.now()
        interval = self.runtime.settings.output_interval_seconds
        with self.runtime.database.read() as connection:
            dirty, written = connection.execute(select(Job.output_dirty, Job.output_written_at)
                                                .where(Job.id == job.id)).one()
        # A rewrite costs time proportional to the job's size; spacing rewrites at least ten times
        # their own duration apart keeps them under a tenth of the server's time on big jobs.
        interval = max(interval, OUTPUT_COST_FACTOR * self._output_seconds.get(job.id, 0.0))
        if not dirty or (not force and written is not None and written > now - interval):
            return False
        with self.runtime.database.write() as connection:
            condition: ColumnElement[bool] = Job.output_dirty.is_(True)
            if not force:
                condition = condition & ((Job.output_written_at.is_(None)) | (Job.output_written_at <= now - interval))
            previous = connection.execute(select(Job.output_written_at).where(Job.id == job.id)).scalar_one()
            won = connection.execute(update(Job).where(Job.id == job.id, condition).values(
                output_dirty=False)).rowcount
            changed_iterations = [i for i in connection.execute(select(DataObject.iteration).distinct().where(
                DataObject.job_id == job.id, DataObject.labeled_at >= (previous or 0.0))).scalars() if i is not None]
        if not won:
            return False
        try:
            started = time.monotonic()
            write_output_manifest(self.runtime, job)
            for iteration in changed_iterations:
                write_intermediate(self.runtime, job, iteration)
            self._output_seconds[job.id] = time.monotonic() - started
        except Exception:
            with self.runtime.database.write() as connection:
                connection.execute(update(Job).where(Job.id == job.id).values(output_dirty=True))
            raise
        with self.runtime.database.write() as connection:
            connection.execute(update(Job).where(Job.id == job.id).values(output_written_at=self.runtime.clock.now()))
        return True

    def _finish_if_done(self, job: JobRow) -> bool:
        self.hooks.flush_log()  # the hooks' last lines belong before "job completed" in the log
        with self.runtime.database.read() as connection:
            status = connection.execute(select(Job.status).where(Job.id == job.id)).scalar_one()
            waiting: tuple[str, ...] = ()
            if status == JobStatus.STOPPING:
                waiting = (ObjectState.ANSWERED, ObjectState.CONSOLIDATING)
                final = JobStatus.STOPPED
            elif status == JobStatus.IN_PROGRESS:
                waiting = ObjectState.UNFINISHED
                final = JobStatus.COMPLETED
            elif status == JobStatus.INITIALIZING and job.object_count:
                waiting = ObjectState.UNFINISHED  # every line was already labeled (chained job)
                final = JobStatus.COMPLETED
            pending = bool(waiting) and connection.execute(select(exists().where(
                DataObject.job_id == job.id, DataObject.state.in_(waiting)))).scalar()
        if status == JobStatus.FAILED:  # failed during this round (a batch failed as a whole)
            self._wind_up_failed(job)
            return True
        if not waiting or pending:
            return False
        with self.runtime.database.write() as connection:
            connection.execute(update(Job).where(Job.id == job.id).values(output_dirty=True))
        self._write_output_if_due(job, force=True)
        with self.runtime.database.write() as connection:
            won = connection.execute(update(Job).where(Job.id == job.id, Job.status == status).values(
                status=final, updated_at=self.runtime.clock.now())).rowcount
            if won:
                self.runtime.log(connection, job.id, "engine", f"job {final.lower()}")
        self.hooks.close_job(job.id)
        return bool(won)

    def _wind_up_failed(self, job: JobRow) -> None:
        """A job that failed: write what it has so far, and let its warm hooks go, so that a hook fixed
        before ``retry-consolidation`` is loaded afresh."""
        try:
            self._write_output_if_due(job, force=True)
        except CrowdformError as exc:
            self.runtime.log_now(job.id, "engine", f"the output of the failed job was not written: {exc}", "error")
        self.hooks.close_job(job.id)

    # ---------------------------------------------------------------- thread
    def start(self) -> None:
        """Run rounds in a thread while this process leads its data folder (see ``leadership``)."""
        self._thread = threading.Thread(target=self._loop, name="crowdform-background", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            if not self.leadership.try_acquire():
                self._stop.wait(self.runtime.settings.tick_seconds)  # another process leads; ask again later
                continue
            try:
                busy = self.run_once()
            except Exception:  # one bad round must not end background work for every job
                logger.exception("background round failed")
                busy = False
            if not busy:
                self._stop.wait(self.runtime.settings.tick_seconds)

    def run_until_idle(self, *, max_rounds: int = 1000) -> None:
        """Run rounds until one does nothing (tests and the CLI use this instead of the thread)."""
        for _ in range(max_rounds):
            if not self.run_once():
                return
        raise RuntimeError(f"background work still busy after {max_rounds} rounds")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.leadership.release()
        self.preparation.close()
        self.hooks.close()

