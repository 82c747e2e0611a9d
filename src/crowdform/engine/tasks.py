"""What a worker does: list jobs, take the next task (a lease), submit, decline or release it.

Invariants, enforced by the database rather than by care:
- a worker never holds the same object twice: ``UNIQUE (object_id, worker_id)`` on leases;
- an object never has more than N live-or-done answers: a slot is taken with the conditional
  ``UPDATE data_objects SET slots_taken = slots_taken + 1 WHERE id = ? AND slots_taken < N``,
  which is atomic on SQLite (one writer at a time) and on PostgreSQL (row lock, re-checked);
- a submission is committed before the reply, and submitting the same lease again with the same
  answer returns the first result instead of counting twice.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, exists, insert, select, update
from sqlalchemy.exc import IntegrityError

from crowdform.engine.jobs import JobRow, job_row
from crowdform.engine.runtime import Runtime
from crowdform.engine.states import JobStatus, LeaseState, ObjectState
from crowdform.engine.workforce import WorkerInfo
from crowdform.errors import Conflict, InvalidInput, NotFound
from crowdform.groundtruth.answers import canonical_answer
from crowdform.store.models import DataObject, Job, Lease, TeamMember

CANDIDATES = 16  # objects looked at per next-task call (PostgreSQL skips those other callers hold)
MAX_ANSWER_BYTES = 16 * 1024 * 1024


# The hot path's statements, built once: SQLAlchemy then reuses their compiled form without
# recomputing cache keys on every request.
_HELD_LEASE = select(Lease.id, Lease.object_id, Lease.acquired_at, Lease.expires_at).where(
    Lease.job_id == bindparam("job"), Lease.worker_id == bindparam("worker"), Lease.state == LeaseState.ACTIVE,
    Lease.expires_at > bindparam("now"))
_OPEN_TO_WORKER = (
    DataObject.job_id == bindparam("job"), DataObject.state == ObjectState.READY,
    DataObject.slots_taken < bindparam("n"),
    ~exists().where(Lease.object_id == DataObject.id, Lease.worker_id == bindparam("worker")),
)
_ANY_CANDIDATE = select(DataObject.id).where(*_OPEN_TO_WORKER).limit(1)
_CANDIDATES = (select(DataObject.id).where(*_OPEN_TO_WORKER).order_by(DataObject.position).limit(CANDIDATES)
               .with_for_update(skip_locked=True, of=DataObject))
_TAKE_SLOT = update(DataObject).where(
    DataObject.id == bindparam("object"), DataObject.state == ObjectState.READY,
    DataObject.slots_taken < bindparam("n"),
).values(slots_taken=DataObject.slots_taken + 1)
_INSERT_LEASE = insert(Lease)
_TASK_INPUT = select(DataObject.position, DataObject.task_input).where(DataObject.id == bindparam("object"))
_JOB_FOR_WORKER = select(Job.id, Job.status).join(TeamMember, TeamMember.team_id == Job.team_id).where(
    Job.name_key == bindparam("name"), TeamMember.worker_id == bindparam("worker"))
_LEASE = select(Lease).where(Lease.id == bindparam("lease"))
_SUBMIT_LEASE = update(Lease).where(Lease.id == bindparam("lease"), Lease.state == LeaseState.ACTIVE).values(
    state=LeaseState.SUBMITTED, answer=bindparam("answer"), submitted_at=bindparam("now"),
    time_spent=bindparam("spent"))
# One statement counts the answer and, with the N-th, hands the object to consolidation.
_LAST_ANSWER = and_(
    DataObject.state == ObjectState.READY,
    DataObject.answers + 1 >= select(Job.workers_per_object).where(Job.id == bindparam("job")).scalar_subquery(),
)
_COUNT_ANSWER = update(DataObject).where(DataObject.id == bindparam("object")).values(
    answers=DataObject.answers + 1,
    state=case((_LAST_ANSWER, ObjectState.ANSWERED), else_=DataObject.state),
    answered_at=case((_LAST_ANSWER, bindparam("now")), else_=DataObject.answered_at),
)


@dataclass(frozen=True)
class Task:
    lease_id: str
    job_name: str
    dataset_object_id: str
    task_input: dict[str, Any]
    acquired_at: float
    expires_at: float
    title: str
    description: str
    keywords: list[str]


@dataclass(frozen=True)
class SubmitResult:
    lease_id: str
    submitted_at: float
    already_submitted: bool


class Tasks:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._jobs: dict[int, JobRow] = {}

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

    def _job_for_worker(self, connection: Connection, worker: WorkerInfo, job_name: str) -> JobRow:
        """The job, if the worker's team works on it. Its settings never change, so they are cached."""
        row = connection.execute(_JOB_FOR_WORKER, {"name": job_name.lower(), "worker": worker.id}).first()
        if row is None:  # not found and not yours look the same: workers only learn of their own jobs
            raise NotFound(f"No labeling job {job_name!r} is open to you.")
        job = self._jobs.get(row.id)
        if job is None:
            job = self._jobs[row.id] = job_row(connection.execute(select(Job).where(Job.id == row.id)).one())
        return replace(job, status=row.status)

    # ---------------------------------------------------------------- next task
    def next_task(self, worker: WorkerInfo, job_name: str) -> Task | None:
        """The worker's open task on this job if they hold one, else a new lease, else None.

        A worker with nothing to do is answered from a read transaction, which never blocks writers.
        Taking a task is one short write transaction that finds and claims a candidate: SQLite runs
        one writer at a time, and on PostgreSQL ``FOR UPDATE SKIP LOCKED`` hands concurrent callers
        different rows. The conditional slot update and the unique (object, worker) pair still guard
        the invariants whatever the database does.
        """
        now = self.runtime.clock.now()
        with self.runtime.database.read() as connection:
            job = self._job_for_worker(connection, worker, job_name)
            if job.status != JobStatus.IN_PROGRESS:
                return None
            params = {"job": job.id, "worker": worker.id, "n": job.workers_per_object, "now": now}
            held = connection.execute(_HELD_LEASE, params).first()
            if held is not None:
                return self._task(connection, job, held.id, held.object_id, held.acquired_at, held.expires_at)
            if connection.execute(_ANY_CANDIDATE, params).first() is None:
                return None
        for _ in range(3):
            try:
                return self._take(job, worker, params, now)
            except IntegrityError:
                # Two calls by the same worker raced for one object (PostgreSQL): the loser's transaction
                # was rolled back whole, and asking again returns the lease the winner took.
                continue
        return None

    def _take(self, job: JobRow, worker: WorkerInfo, params: dict[str, Any], now: float) -> Task | None:
        with self.runtime.database.write(durable=False) as connection:
            held = connection.execute(_HELD_LEASE, params).first()
            if held is not None:
                return self._task(connection, job, held.id, held.object_id, held.acquired_at, held.expires_at)
            for object_id in connection.execute(_CANDIDATES, params).scalars():
                if connection.execute(_TAKE_SLOT, {"object": object_id, "n": job.workers_per_object}).rowcount:
                    lease_id = uuid.uuid4().hex
                    expires = now + job.task_time_limit
                    connection.execute(_INSERT_LEASE, {
                        "id": lease_id, "job_id": job.id, "object_id": object_id, "worker_id": worker.id,
                        "state": LeaseState.ACTIVE, "acquired_at": now, "expires_at": expires})
                    return self._task(connection, job, lease_id, object_id, now, expires)
        return None

    @staticmethod
    def _task(connection: Connection, job: JobRow, lease_id: str, object_id: int,
              acquired: float, expires: float) -> Task:
        obj = connection.execute(_TASK_INPUT, {"object": object_id}).one()
        return Task(
            lease_id=lease_id, job_name=job.name, dataset_object_id=str(obj.position),
            task_input=json.loads(obj.task_input or "{}"), acquired_at=acquired, expires_at=expires,
            title=job.title, description=job.description, keywords=list(job.keywords),
        )

    # ---------------------------------------------------------------- submit / decline / release
    def submit(self, worker: WorkerInfo, lease_id: str, answer: Any) -> SubmitResult:
        """Store the worker's answer durably. Repeating a submission with the same answer is harmless."""
        text = canonical_answer(answer)
        if len(text.encode()) > MAX_ANSWER_BYTES:
            raise InvalidInput.one("submission", f"the answer is larger than {MAX_ANSWER_BYTES // 2**20} MiB",
                                   field="answer")
        now = self.runtime.clock.now()
        with self.runtime.database.write() as connection:
            lease = self._own_lease(connection, worker, lease_id)
            if lease.state == LeaseState.SUBMITTED:
                if json.loads(lease.answer or "null") != answer:
                    raise Conflict("This task was already submitted with a different answer; the first answer is kept.")
                return SubmitResult(lease_id, lease.submitted_at, already_submitted=True)
            self._check_open(connection, lease, now)
            taken = connection.execute(_SUBMIT_LEASE, {
                "lease": lease_id, "answer": text, "now": now, "spent": round(now - lease.acquired_at, 3)}).rowcount
            if not taken:
                raise Conflict("This task changed while it was being submitted; submit it again to see its state.")
            connection.execute(_COUNT_ANSWER, {"object": lease.object_id, "job": lease.job_id, "now": now})
            return SubmitResult(lease_id, now, already_submitted=False)

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

