"""What a worker does: list jobs, take the next task (a lease), submit, decline or release it.

Invariants, enforced by the database rather than by care:
- a worker never holds the same object twice: ``UNIQUE (object_id, worker_id)`` on leases;
- an object never has more than N live-or-done answers: a slot is taken with the conditional
  ``UPDATE data_objects SET slots_taken = slots_taken + 1 WHERE id = ? AND slots_taken < N``,
  which is atomic on SQLite (one writer at a time) and on PostgreSQL (row lock, re-checked);
- a submission is committed before the reply, and submitting the same lease again with the same
  answer returns the first result instead of counting twice.

The hot path (next task, submit, and the two combined) runs fixed driver SQL (``task_sql``). The
web layer runs these calls in batches, one transaction each (:meth:`Tasks.run_batch`, group commit).
Anything unusual (a repeated or late submission, a race lost on PostgreSQL) falls back to the general
SQLAlchemy code below.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, bindparam, exists, select, update
from sqlalchemy.exc import DBAPIError

from crowdform.engine.jobs import JobRow, job_row
from crowdform.engine.runtime import Runtime
from crowdform.engine.states import JobStatus, LeaseState, ObjectState
from crowdform.engine.task_sql import HotSql, execute_all, raw_connection, sqlstate
from crowdform.engine.workforce import WorkerInfo
from crowdform.errors import Conflict, CrowdformError, InvalidInput, NotFound
from crowdform.groundtruth.answers import canonical_answer
from crowdform.store.models import DataObject, Job, Lease, TeamMember

BATCH_ATTEMPTS = 3
# PostgreSQL rolled the whole transaction back: deadlock detected, serialization failure, and a unique
# violation (two calls of one worker took the same object in two processes at once).
RETRYABLE_SQLSTATES = ("40P01", "40001", "23505")
CANDIDATES = 16  # objects looked at per next-task call (PostgreSQL skips those other callers hold)
MAX_ANSWER_BYTES = 16 * 1024 * 1024


# The PostgreSQL fallback of taking a task and the general lookup of a lease, built once: SQLAlchemy
# then reuses their compiled form without recomputing cache keys on every request.
_OPEN_TO_WORKER = (
    DataObject.job_id == bindparam("job"), DataObject.state == ObjectState.READY,
    DataObject.slots_taken < bindparam("n"),
    ~exists().where(Lease.object_id == DataObject.id, Lease.worker_id == bindparam("worker")),
)
_CANDIDATES = (select(DataObject.id).where(*_OPEN_TO_WORKER).order_by(DataObject.position).limit(CANDIDATES)
               .with_for_update(skip_locked=True, of=DataObject))
_TAKE_SLOT = update(DataObject).where(
    DataObject.id == bindparam("object"), DataObject.state == ObjectState.READY,
    DataObject.slots_taken < bindparam("n"),
).values(slots_taken=DataObject.slots_taken + 1)
_LEASE = select(Lease).where(Lease.id == bindparam("lease"))


@dataclass(frozen=True)
class Task:
    lease_id: str
    job_name: str
    dataset_object_id: str
    task_input_json: str  # the stored JSON text: the API splices it into its reply as it is
    acquired_at: float
    expires_at: float
    title: str
    description: str
    keywords: list[str]

    @property
    def task_input(self) -> Any:
        return json.loads(self.task_input_json)


def _make_task(job: JobRow, lease_id: str, position: int, task_input: str | None, acquired: float,
               expires: float) -> Task:
    return Task(lease_id=lease_id, job_name=job.name, dataset_object_id=str(position),
                task_input_json=task_input or "{}", acquired_at=acquired, expires_at=expires,
                title=job.title, description=job.description, keywords=list(job.keywords))


def _answer_text(answer: Any) -> str:
    text = canonical_answer(answer)
    if len(text) > MAX_ANSWER_BYTES // 4 and len(text.encode()) > MAX_ANSWER_BYTES:  # a character is <= 4 bytes
        raise InvalidInput.one("submission", f"the answer is larger than {MAX_ANSWER_BYTES // 2**20} MiB",
                               field="answer")
    return text


@dataclass(frozen=True)
class Submission:
    """An item of :meth:`Tasks.run_batch`: a submission (as :meth:`Tasks.submit`), optionally with the
    worker's next task (as :meth:`Tasks.submit_and_next`)."""

    worker: WorkerInfo
    lease_id: str
    answer: Any
    then_next: bool = False


@dataclass(frozen=True)
class NextTask:
    """An item of :meth:`Tasks.run_batch`: the worker's next task on a job (as :meth:`Tasks.next_task`)."""

    worker: WorkerInfo
    job_name: str


class _Refused(Exception):
    """An item of a batch run without savepoints was refused: roll back and run it with them."""


@dataclass(frozen=True)
class SubmitResult:
    lease_id: str
    submitted_at: float
    already_submitted: bool


class Tasks:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._jobs: dict[int, JobRow] = {}
        self._postgres = not runtime.database.is_sqlite
        self._sql = HotSql(postgres=self._postgres)
        # Errors of the hot path's driver SQL come unwrapped (the commit's come wrapped by SQLAlchemy).
        self._dbapi_error = runtime.database.writer.dialect.loaded_dbapi.Error

    # ---------------------------------------------------------------- jobs a worker can see
    def jobs_for(self, worker: WorkerInfo) -> list[dict[str, Any]]:
        """Running jobs of the worker's teams, with how many objects still need someone."""
        with self.runtime.database.read() as connection:
            rows = connection.execute(
                select(Job).join(TeamMember, TeamMember.team_id == Job.team_id)
                .where(TeamMember.worker_id == worker.id, Job.status == JobStatus.IN_PROGRESS)
                .order_by(Job.created_at)
            ).all()
            out = []
            for row in rows:
                job = job_row(row)
                available = connection.execute(
                    select(DataObject.id).where(
                        DataObject.job_id == job.id, DataObject.state == ObjectState.READY,
                        DataObject.slots_taken < job.workers_per_object,
                        ~exists().where(Lease.object_id == DataObject.id, Lease.worker_id == worker.id),
                    ).limit(1)
                ).first() is not None
                out.append({
                    "name": job.name, "title": job.title, "description": job.description,
                    "keywords": list(job.keywords),
                    "tasksAvailable": available, "taskTimeLimitInSeconds": job.task_time_limit,
                })
            return out

    def _job(self, connection: Connection, job_id: int) -> JobRow:
        """A job's settings, which never change after creation (its status does: read it separately)."""
        job = self._jobs.get(job_id)
        if job is None:
            job = self._jobs[job_id] = job_row(connection.execute(select(Job).where(Job.id == job_id)).one())
        return job

    def _job_found(self, connection: Connection, job_name: str, row: Any) -> tuple[JobRow, str]:
        """The job and its status from the row of ``job_for_worker``, else NotFound."""
        if row is None:  # not found and not yours look the same: workers only learn of their own jobs
            raise NotFound(f"No labeling job {job_name!r} is open to you.")
        return self._job(connection, row[0]), row[1]

    # ---------------------------------------------------------------- next task
    def next_task(self, worker: WorkerInfo, job_name: str) -> Task | None:
        """The worker's open task on this job if they hold one, else a new lease, else None.

        Taking a task is one short write transaction that finds and claims a candidate: SQLite runs
        one writer at a time, and on PostgreSQL ``FOR UPDATE SKIP LOCKED`` hands concurrent callers
        different rows. The conditional slot update and the unique (object, worker) pair still guard
        the invariants whatever the database does.
        """
        return self._run_one(NextTask(worker, job_name))  # type: ignore[no-any-return]

    def _take_all(self, connection: Connection, takes: list[tuple[JobRow, WorkerInfo]], now: float) -> list[Task | None]:
        """Inside a write transaction, for each (job, worker) in order: the task the worker holds on the
        job, else a newly claimed one, else None.

        On PostgreSQL each take is one statement (slot and lease), and all of them go to the server in
        one pipeline: one round trip for the batch. SQLite needs the slot's id for the lease's insert,
        and its statements cost no round trip, so it runs them one by one. A take that claimed nothing
        (the worker holds a task; PostgreSQL: the first candidate was locked) asks further afterwards.
        """
        raw = raw_connection(connection)
        leases = [(uuid.uuid4().hex, now + job.task_time_limit) for job, _ in takes]
        if self._sql.take_and_lease:
            claimed = execute_all(raw, [
                (self._sql.take_and_lease, (*self._take_params(job, worker, now), lease_id, job.id, worker.id, now, expires))
                for (job, worker), (lease_id, expires) in zip(takes, leases)], pipeline=True)
        else:
            claimed = []
            for (job, worker), (lease_id, expires) in zip(takes, leases):
                row = raw.execute(self._sql.take_first, self._take_params(job, worker, now)).fetchone()
                if row is not None:
                    raw.execute(self._sql.insert_lease, (lease_id, job.id, row[0], worker.id, now, expires))
                claimed.append(row)
        return [_make_task(job, lease_id, row[1], row[2], now, expires) if row is not None
                else self._held_or_further(connection, job, worker, now, lease_id, expires)
                for (job, worker), (lease_id, expires), row in zip(takes, leases, claimed)]

    @staticmethod
    def _take_params(job: JobRow, worker: WorkerInfo, now: float) -> tuple[Any, ...]:
        n = job.workers_per_object
        return job.id, n, worker.id, n, job.id, worker.id, now

    def _held_or_further(self, connection: Connection, job: JobRow, worker: WorkerInfo, now: float, lease_id: str,
                         expires: float) -> Task | None:
        """After a take that claimed nothing: the task the worker holds, else (PostgreSQL) a candidate
        further down the list, else None."""
        raw = raw_connection(connection)
        held = raw.execute(self._sql.held, (job.id, worker.id, now)).fetchone()
        if held is not None:
            return self._task(raw, job, *held)
        if self._postgres:
            # PostgreSQL: the first candidate may have been locked or taken by a concurrent caller; look
            # further down the list (SQLite runs one writer at a time, so its first candidate is final).
            n = job.workers_per_object
            params = {"job": job.id, "worker": worker.id, "n": n, "now": now}
            for object_id in connection.execute(_CANDIDATES, params).scalars():
                if connection.execute(_TAKE_SLOT, {"object": object_id, "n": n}).rowcount:
                    position, task_input = raw.execute(self._sql.task_input, (object_id,)).fetchone()
                    raw.execute(self._sql.insert_lease, (lease_id, job.id, object_id, worker.id, now, expires))
                    return _make_task(job, lease_id, position, task_input, now, expires)
        return None

    def _task(self, raw: Any, job: JobRow, lease_id: str, object_id: int, acquired: float, expires: float) -> Task:
        position, task_input = raw.execute(self._sql.task_input, (object_id,)).fetchone()
        return _make_task(job, lease_id, position, task_input, acquired, expires)

    # ---------------------------------------------------------------- submit / decline / release
    def submit(self, worker: WorkerInfo, lease_id: str, answer: Any) -> SubmitResult:
        """Store the worker's answer durably. Repeating a submission with the same answer is harmless."""
        return self._run_one(Submission(worker, lease_id, answer))[0]  # type: ignore[no-any-return]

    def submit_and_next(self, worker: WorkerInfo, lease_id: str, answer: Any) -> tuple[SubmitResult, Task | None]:
        """Submit, then take the worker's next task on the same job, in one durable transaction.

        Returns the submission's result and the next task (the one the worker already holds on this job,
        else a newly claimed one), or None when nothing is left for them or the job no longer runs.
        Repeating the call is harmless: the submission is answered as already submitted and the next
        task is the one handed out the first time (the worker still holds it). If the submission fails
        (not yours, late, a different answer), nothing is taken.
        """
        return self._run_one(Submission(worker, lease_id, answer, then_next=True))  # type: ignore[no-any-return]

    def _run_one(self, item: Submission | NextTask) -> Any:
        """One call alone: a batch of one item, its refusal raised."""
        [result] = self.run_batch([item])
        if isinstance(result, CrowdformError):
            raise result
        return result

    def run_batch(self, items: list[Submission | NextTask]) -> list[Any]:
        """Several submissions and next-task calls in one transaction: group commit.

        Each item gets what :meth:`submit`, :meth:`submit_and_next` or :meth:`next_task` returns (those
        are batches of one), and items run in list order, so a later item sees what an earlier one did (a
        repeated submission is answered as already submitted; a repeated next-task call gets the task
        the first one took). An item refused with a :class:`CrowdformError` (not yours, late, a
        different answer, no such job) is returned as that error, with nothing of it kept, and the
        others still commit. One commit -- one fsync on SQLite -- makes all of them durable (the
        transaction is durable if any item is a submission), and the caller replies to none before this
        returns. Any other error rolls the whole batch back and is raised.

        Refusals are rare, so the batch first runs without savepoints (two statements per item fewer,
        each a network round trip on PostgreSQL). If an item is refused, that attempt is rolled back
        whole and the batch runs again with every item in a savepoint of its own. An attempt that
        PostgreSQL rolls back whole (a deadlock between server processes, a same-worker race on a
        lease) runs again too.
        """
        texts: list[str | CrowdformError | None] = []
        for item in items:
            try:
                texts.append(_answer_text(item.answer) if isinstance(item, Submission) else None)
            except CrowdformError as error:
                texts.append(error)
        isolated, rolled_back = False, 0
        while True:
            try:
                return self._run_batch(items, texts, isolated=isolated)
            except _Refused:
                isolated = True  # once: a batch run with savepoints never raises _Refused
            except (self._dbapi_error, DBAPIError) as error:
                rolled_back += 1
                if sqlstate(error) not in RETRYABLE_SQLSTATES or rolled_back == BATCH_ATTEMPTS:
                    raise

    def _run_batch(self, items: list[Submission | NextTask], texts: list[str | CrowdformError | None],
                   *, isolated: bool) -> list[Any]:
        """One attempt, in three passes over the items, each in list order: the submissions (and the
        jobs of next-task calls); every answer count, in object order; the tasks taken. On PostgreSQL
        each pass is one round trip (a pipeline) unless an item needs more (a repeated submission, a
        take that found nothing).

        Only counting waits for another transaction's row locks (taking a task skips locked rows), and
        a batch counts before it takes, so the batches of several server processes on PostgreSQL do
        not deadlock over objects: measured, with the counts among the takes, two processes' batches
        deadlocked every few seconds and each deadlock cost a second (PostgreSQL's deadlock_timeout).
        """
        out: list[Any] = list(texts)  # an unreadable answer's error stands; the rest is filled in below
        now = self.runtime.clock.now()
        durable = any(isinstance(item, Submission) for item in items)
        counts: list[tuple[Any, ...]] = []
        takes: list[tuple[int, JobRow]] = []
        live = [index for index, text in enumerate(texts) if not isinstance(text, CrowdformError)]
        firsts = {index: self._first_statement(items[index], texts[index], now) for index in live}
        with self.runtime.database.write(durable=durable) as connection:
            raw = raw_connection(connection)
            # Without savepoints, every item's first statement goes to the database at once (one round
            # trip on PostgreSQL); with them, each runs inside its item's savepoint.
            rows = {} if isolated else dict(zip(live, execute_all(raw, [firsts[index] for index in live], pipeline=self._postgres)))
            for index in live:
                item = items[index]
                if isolated:
                    raw.execute("SAVEPOINT item")
                counted = len(counts)
                try:
                    row = rows[index] if index in rows else execute_all(raw, [firsts[index]], pipeline=self._postgres)[0]
                    out[index], take_on = self._before_taking(connection, item, now, counts, row)
                except CrowdformError as error:
                    if not isolated:
                        raise _Refused() from error
                    raw.execute("ROLLBACK TO SAVEPOINT item")
                    del counts[counted:]
                    out[index], take_on = error, None
                if isolated:
                    raw.execute("RELEASE SAVEPOINT item")
                if take_on is not None:
                    takes.append((index, take_on))
            self._count_answers(connection, counts)
            tasks = self._take_all(connection, [(job, items[index].worker) for index, job in takes], now)
            for (index, _), task in zip(takes, tasks):
                out[index] = task if isinstance(items[index], NextTask) else (out[index][0], task)
        return out

    def _first_statement(self, item: Submission | NextTask, text: str | CrowdformError | None,
                         now: float) -> tuple[str, tuple[Any, ...]]:
        """The statement an item starts with: its job's lookup, or its submission's conditional update."""
        if isinstance(item, NextTask):
            return self._sql.job_for_worker, (item.job_name.lower(), item.worker.id)
        assert isinstance(text, str)
        return self._sql.submit, (text, now, now, item.lease_id, item.worker.id, now)

    def _before_taking(self, connection: Connection, item: Submission | NextTask, now: float,
                       counts: list[tuple[Any, ...]], row: Any) -> tuple[Any, JobRow | None]:
        """An item's first pass, once its first statement returned ``row``: its result so far and the job
        to take the worker's next task on, if any."""
        if isinstance(item, NextTask):
            job, status = self._job_found(connection, item.job_name, row)
            return None, job if status == JobStatus.IN_PROGRESS else None
        result, job_id, status = self._submitted(connection, item.worker, item.lease_id, item.answer, now, counts, row)
        take_on = self._job(connection, job_id) if item.then_next and status == JobStatus.IN_PROGRESS else None
        return (result, None), take_on

    def _submitted(self, connection: Connection, worker: WorkerInfo, lease_id: str, answer: Any, now: float,
                   counts: list[tuple[Any, ...]], row: Any) -> tuple[SubmitResult, int, str | None]:
        """Inside a durable write transaction, once a submission's conditional update returned ``row``:
        the submission's result, the lease's job id and that job's status (None if the worker is no
        longer on the job's team).

        The new answer is counted on its object by :meth:`_count_answers`, which the caller runs on
        ``counts`` before committing: one statement for a whole batch. Nothing in the transaction reads
        the count meanwhile (taking a task looks at slots, which the lease already holds)."""
        raw = raw_connection(connection)
        if row is not None:  # the usual case: the worker's own active lease, in time
            job_id, object_id, status = row
            n = self._job(connection, job_id).workers_per_object
            counts.append((n, n, now, object_id))
            return SubmitResult(lease_id, now, already_submitted=False), job_id, status
        lease = self._own_lease(connection, worker, lease_id)
        if lease.state == LeaseState.SUBMITTED:
            if json.loads(lease.answer or "null") != answer:
                raise Conflict("This task was already submitted with a different answer; the first answer is kept.")
            status = raw.execute(self._sql.job_status_for_worker, (lease.job_id, worker.id)).fetchone()
            return (SubmitResult(lease_id, lease.submitted_at, already_submitted=True), lease.job_id,
                    None if status is None else status[0])
        self._check_open(connection, lease, now)
        raise Conflict("This task changed while it was being submitted; submit it again to see its state.")

    def _count_answers(self, connection: Connection, counts: list[tuple[Any, ...]]) -> None:
        if counts:
            cursor = raw_connection(connection).cursor()
            try:  # in object order, so that concurrent batches lock the rows they share in one order
                cursor.executemany(self._sql.count_answer, sorted(counts, key=lambda params: params[-1]))
            finally:
                cursor.close()

    def decline(self, worker: WorkerInfo, lease_id: str) -> None:
        """The worker will not do this task: the slot goes to someone else; after N declines the object fails."""
        self._give_back(worker, lease_id, LeaseState.DECLINED)

    def release(self, worker: WorkerInfo, lease_id: str) -> None:
        """The worker hands the task back (e.g. to stop for now): the slot goes to someone else."""
        self._give_back(worker, lease_id, LeaseState.RELEASED)

    def _give_back(self, worker: WorkerInfo, lease_id: str, state: str) -> None:
        now = self.runtime.clock.now()
        with self.runtime.database.write() as connection:
            lease = self._own_lease(connection, worker, lease_id)
            if lease.state == state:
                return
            self._check_open(connection, lease, now)
            connection.execute(update(Lease).where(Lease.id == lease_id).values(state=state))
            values: dict[str, Any] = {"slots_taken": DataObject.slots_taken - 1}
            if state == LeaseState.DECLINED:
                values["declines"] = DataObject.declines + 1
            connection.execute(update(DataObject).where(DataObject.id == lease.object_id).values(**values))
            if state == LeaseState.DECLINED:
                n = connection.execute(select(Job.workers_per_object).where(Job.id == lease.job_id)).scalar_one()
                connection.execute(update(DataObject).where(
                    DataObject.id == lease.object_id, DataObject.declines >= n, DataObject.answers == 0,
                    DataObject.state == ObjectState.READY,
                ).values(state=ObjectState.FAILED, failure_reason=f"declined by {n} workers"))

    def _own_lease(self, connection: Connection, worker: WorkerInfo, lease_id: str) -> Any:
        lease = connection.execute(_LEASE, {"lease": lease_id}).first()
        if lease is None or lease.worker_id != worker.id:
            raise NotFound(f"Task {lease_id!r} is not one of yours.")
        return lease

    def _check_open(self, connection: Connection, lease: Any, now: float) -> None:
        if lease.state == LeaseState.ACTIVE and lease.expires_at <= now:
            expire_lease(connection, lease.id, lease.object_id)
            raise Conflict("The time limit for this task ran out before it was submitted; the task went back to the "
                           "pool. Ask for the next task.")
        if lease.state != LeaseState.ACTIVE:
            raise Conflict(f"This task is no longer yours to change (it was {lease.state}).")


def expire_lease(connection: Connection, lease_id: str, object_id: int) -> bool:
    """Mark an active lease expired and give its slot back; False if someone else already did."""
    changed = connection.execute(update(Lease).where(
        Lease.id == lease_id, Lease.state == LeaseState.ACTIVE).values(state=LeaseState.EXPIRED)).rowcount
    if changed:
        connection.execute(update(DataObject).where(DataObject.id == object_id)
                           .values(slots_taken=DataObject.slots_taken - 1))
    return bool(changed)


def expire_leases(connection: Connection, job_id: int, now: float) -> int:
    """Expire every lease of a job whose time limit has passed."""
    stale = connection.execute(select(Lease.id, Lease.object_id).where(
        and_(Lease.job_id == job_id, Lease.state == LeaseState.ACTIVE, Lease.expires_at <= now))).all()
    return sum(expire_lease(connection, lease_id, object_id) for lease_id, object_id in stale)

