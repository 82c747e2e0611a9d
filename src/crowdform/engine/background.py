"""The engine's background work: each running job's steps, in lanes so that no job waits for another.

A step of a job: expire leases and objects whose time is up, release more objects as others leave
the in-flight set, run pre-annotation hooks, consolidate answered objects, apply stopping
conditions, rewrite the output when it changed, and finish the job when nothing is left. Jobs run in
``background_lanes`` threads (:mod:`crowdform.engine.lanes`), so one job's slow hook never holds
another's. Every step claims its work with a conditional update naming this start's incarnation
(:mod:`crowdform.engine.incarnations`), so several server processes can run against one database,
and a restarted leader takes over what its dead predecessor had claimed at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import partial

from sqlalchemy import ColumnElement, Connection, exists, func, select, update
from sqlalchemy.exc import SQLAlchemyError

from crowdform.engine.consolidation import Consolidation
from crowdform.engine.hook_pool import HookPool
from crowdform.engine.incarnations import new_incarnation, place_of, take_over
from crowdform.engine.job_failure import fail_job, failure_reason
from crowdform.engine.jobs import JobRow, begin_stopping, iter_job_rows, load_job
from crowdform.engine.lanes import Lanes
from crowdform.engine.leadership import Leadership
from crowdform.engine.output import write_intermediate, write_output_manifest
from crowdform.engine.preparation import Preparation, Released, release_more, release_room
from crowdform.engine.runtime import Runtime
from crowdform.engine.states import JobStatus, LeaseState, ObjectState
from crowdform.engine.tasks import expire_leases
from crowdform.errors import CrowdformError, TooManyRequests
from crowdform.store.models import DataObject, Job, Lease
from crowdform.store.upkeep import vacuum_churned_tables

logger = logging.getLogger("crowdform.background")
OUTPUT_COST_FACTOR = 10
VACUUM_CHECK_SECONDS = 5.0
CHORES_SECONDS = 0.05  # a job's expiry and release run at most this often: a crowd drains little meanwhile
STOP_SECONDS = 25.0  # how long stopping waits for the lanes' current steps (a hook call may be running)


class Background:
    """A process's background work: :meth:`start` schedules jobs in a thread; :meth:`run_once` runs one
    round of every job and waits (tests, ``run_until_idle``)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.incarnation = new_incarnation()
        self.hooks = HookPool(runtime)
        self.preparation = Preparation(runtime, self.hooks, self.incarnation)
        self.consolidation = Consolidation(runtime, self.hooks, self.incarnation)
        self.leadership = Leadership(runtime.settings.data_dir)
        self.lanes = Lanes(max(1, runtime.settings.background_lanes), name="crowdform-lane")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._reported: dict[int, str] = {}
        self._output_seconds: dict[int, float] = {}  # how long the last output rewrite of each job took
        self._next_vacuum_check = 0.0  # time.monotonic() of the next look at dead rows
        self._due: dict[int, float] = {}  # time.monotonic() at which each job's next step is due
        self._chores_due: dict[int, float] = {}  # ... and its next expiry and release

    # ---------------------------------------------------------------- rounds and steps
    def run_once(self) -> bool:
        """One step of every running job, in the lanes, waiting for all of them; True if any did something
        (tests and ``run_until_idle`` use this; the thread schedules jobs one by one instead)."""
        jobs = self._running_jobs()
        busy = False
        for job in jobs:
            busy |= self._chores(job)
        for job in jobs:
            self.lanes.start(job.id, partial(self._step, job))
        busy |= any(self.lanes.wait_all().values())
        self.hooks.flush_log()
        self._vacuum_if_due()
        return busy

    def _running_jobs(self) -> list[JobRow]:
        with self.runtime.database.read() as connection:
            return list(iter_job_rows(connection, JobStatus.RUNNING))

    def _chores(self, job: JobRow) -> bool:
        """The job's quick chores, outside the lanes (see :meth:`_expire_and_release`); errors stay with the job."""
        return self._guarded(job, self._expire_and_release)

    def _step(self, job: JobRow) -> bool:
        """One step of the job's slower work, in its lane (see :meth:`_advance`); errors stay with the job."""
        return self._guarded(job, self._advance)

    def _guarded(self, job: JobRow, work: Callable[[JobRow], bool]) -> bool:
        try:
            return work(job)
        except TooManyRequests as exc:  # the server, not the job, is busy: the work is retried next step
            self._report(job, str(exc))
        except CrowdformError as exc:
            # The job's work cannot go on (its output or Ground Truth files cannot be written):
            # it fails, naming the cause, and other jobs go on (engine/job_failure.py).
            self._fail(job, str(exc))
        except Exception:  # one job's bad step must not end background work for the others
            logger.exception("background step of job %s failed", job.name)
        return False

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

    def _expire_and_release(self, job: JobRow) -> bool:
        """Expire leases and objects whose time is up, and release more objects as others left the
        in-flight set. Short transactions and no hook, so the scheduler runs them itself for every
        job on every pass: the crowd's supply never waits behind a job's hook or output rewrite."""
        now = self.runtime.clock.now()
        if not self._has_chores(job, now):  # a read first: most passes have nothing to write
            return False
        with self.runtime.database.write() as connection:
            expired = expire_leases(connection, job.id, now)
            lapsed = self._expire_unavailable(connection, job, now)
            released = Released(0, None) if job.status == JobStatus.STOPPING else release_more(connection, job, now)
            if released.new_iteration is not None:
                self.runtime.log(connection, job.id, "engine", f"released {released.objects} data objects"
                                 + (f" (iteration {released.new_iteration} begins)" if released.new_iteration > 1 else ""))
        return bool(expired or lapsed or released.objects)

    def _advance(self, job: JobRow) -> bool:
        """Pre-annotation hook, consolidation, stopping conditions, output and finishing: one step each."""
        busy = False
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
        """Is there a lease to expire, an object past its availability, or room to release more?"""
        with self.runtime.database.read() as connection:
            return bool(connection.execute(select(
                exists().where(Lease.job_id == job.id, Lease.state == LeaseState.ACTIVE, Lease.expires_at <= now)
                | exists().where(DataObject.job_id == job.id, DataObject.state == ObjectState.READY,
                                 DataObject.released_at <= now - job.availability_lifetime)
            )).scalar()) or (job.status != JobStatus.STOPPING and release_room(connection, job) > 0)

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
        if status == JobStatus.FAILED:  # failed during this step (a batch failed as a whole)
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
        self.preparation.close_job(job.id)
        return bool(won)

    def _wind_up_failed(self, job: JobRow) -> None:
        """A job that failed: write what it has so far, and let its warm hooks go, so that a hook fixed
        before ``retry-consolidation`` is loaded afresh."""
        try:
            self._write_output_if_due(job, force=True)
        except CrowdformError as exc:
            self.runtime.log_now(job.id, "engine", f"the output of the failed job was not written: {exc}", "error")
        self.hooks.close_job(job.id)
        self.preparation.close_job(job.id)

    # ---------------------------------------------------------------- thread
    def start(self) -> None:
        """Run jobs' steps in a thread while this process leads its data folder (see ``leadership``)."""
        self._thread = threading.Thread(target=self._loop, name="crowdform-background", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        tick = self.runtime.settings.tick_seconds
        leading = False
        while not self._stop.is_set():
            if not self.leadership.try_acquire():
                self._stop.wait(tick)  # another process leads; ask again later
                continue
            try:
                if not leading:
                    self._take_over()
                    leading = True
                self._schedule()
            except Exception:  # one bad pass must not end background work for every job
                logger.exception("background scheduling failed")
                self._stop.wait(tick)
                continue
            self.lanes.wait_for_any(self._next_due_in(tick))

    def _take_over(self) -> None:
        """Newly leading: take over at once what dead incarnations of this data folder had claimed."""
        taken = take_over(self.runtime.database, self.incarnation, place_of(self.runtime.settings.data_dir),
                          self.runtime.clock.now())
        if taken.objects or taken.batches:
            logger.warning("took over %d pre-hook objects and %d consolidation batches from %d stopped "
                           "background process(es)", taken.objects, taken.batches, taken.incarnations)

    def _schedule(self) -> None:
        """Start the step of every running job that is due and not in a lane already.

        A job whose step did something is due again at once (behind the others waiting for a lane);
        one whose step found nothing waits ``tick_seconds``.
        """
        now = time.monotonic()
        tick = self.runtime.settings.tick_seconds
        for job_id, busy in self.lanes.collect().items():
            self._due[job_id] = now if busy else now + tick
        jobs = self._running_jobs()
        running = {job.id for job in jobs}
        for job_id in [j for j in self._due if j not in running]:
            del self._due[job_id]  # finished or removed
            self._chores_due.pop(job_id, None)
        for job in jobs:
            if self._chores_due.get(job.id, now) <= now:
                self._chores_due[job.id] = now + CHORES_SECONDS
                self._chores(job)
            if self._due.get(job.id, now) <= now and self.lanes.start(job.id, partial(self._step, job)):
                self._due[job.id] = float("inf")  # in a lane until collected
        self.hooks.flush_log()
        self._vacuum_if_due()

    def _next_due_in(self, tick: float) -> float:
        """Seconds until the next job is due (at most a tick: new jobs appear between passes)."""
        if not self._due:
            return tick
        return max(0.0, min(tick, min(self._due.values()) - time.monotonic()))

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
        self.lanes.close(STOP_SECONDS)
        self.leadership.release()
        self.preparation.close()
        self.hooks.close()
