"""What a worker does: list jobs, take the next task (a lease), submit, decline or release it.

Invariants, enforced by the database rather than by care:
- a worker never holds the same object twice: ``UNIQUE (object_id, worker_id)`` on leases;
- an object never has more than N live-or-done answers: a slot is taken with the conditional
  ``UPDATE data_objects SET slots_taken = slots_taken + 1 WHERE id = ? AND slots_taken < N``,
  which is atomic on SQLite (one writer at a time) and on PostgreSQL (row lock, re-checked);
- a submission is committed before the reply, and submitting the same lease again with the same
  answer returns the first result instead of counting twice.

Next task and submit run in batches, one transaction each, where a failing item fails alone
(``task_batch``; the web layer gathers the batches, group commit); the single calls here are batches
of one. Decline and release are plain SQLAlchemy transactions of their own.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, exists, select, update

from crowdform.engine.jobs import JobRow, job_row
from crowdform.engine.leases import check_open, expire_lease, own_lease
from crowdform.engine.runtime import Runtime
from crowdform.engine.states import JobStatus, LeaseState, ObjectState
from crowdform.engine.task_batch import BatchRunner, Item
from crowdform.engine.task_items import NextTask, Submission, SubmitResult, Task
from crowdform.engine.workforce import WorkerInfo
from crowdform.errors import CrowdformError
from crowdform.store.models import DataObject, Job, Lease, Team, TeamMember


class Tasks:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._jobs: dict[int, JobRow] = {}
        self._batches = BatchRunner(runtime, self._jobs)

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

    # ---------------------------------------------------------------- next task and submit
    def next_task(self, worker: WorkerInfo, job_name: str) -> Task | None:
        """The worker's open task on this job if they hold one, else a new lease, else None.

        Taking a task is one short write transaction that finds and claims a candidate: SQLite runs
        one writer at a time, and on PostgreSQL ``FOR UPDATE SKIP LOCKED`` hands concurrent callers
        different rows. The conditional slot update and the unique (object, worker) pair still guard
        the invariants whatever the database does.
        """
        return self._run_one(NextTask(worker, job_name))  # type: ignore[no-any-return]

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

    def run_batch(self, items: list[Item]) -> list[Any]:
        """Several submissions and next-task calls in one transaction: group commit.

        Each item gets what :meth:`submit`, :meth:`submit_and_next` or :meth:`next_task` returns (those
        are batches of one), or the :class:`CrowdformError` it failed with, nothing of it kept; the others
        commit as if it had not been there (``task_batch``). One commit makes all of them durable, and
        the caller replies to none before this returns.
        """
        return self._batches.run(items)

    def _run_one(self, item: Item) -> Any:
        """One call alone: a batch of one item, its refusal raised."""
        [result] = self.run_batch([item])
        if isinstance(result, CrowdformError):
            raise result
        return result

    # ---------------------------------------------------------------- decline / release
    def decline(self, worker: WorkerInfo, lease_id: str) -> None:
        """The worker will not do this task: it goes back to the pool for another worker, as in Ground
        Truth; this worker is never offered it again.

        Once no member of the job's team is left who could take it (each declined it, released it or
        let its time run out) and nobody holds it, it is settled at once rather than at
        ``TaskAvailabilityLifetimeInSeconds``: consolidated with the answers it has, or failed without
        any (docs/decisions.md).
        """
        self._give_back(worker, lease_id, LeaseState.DECLINED)

    def release(self, worker: WorkerInfo, lease_id: str) -> None:
        """The worker hands the task back (e.g. to stop for now): the slot goes to someone else."""
        self._give_back(worker, lease_id, LeaseState.RELEASED)

    def _give_back(self, worker: WorkerInfo, lease_id: str, state: str) -> None:
        now = self.runtime.clock.now()
        with self.runtime.database.write() as connection:
            lease = own_lease(connection, worker, lease_id)
            if lease.state == state:
                return
            check_open(connection, lease, now)
            connection.execute(update(Lease).where(Lease.id == lease_id).values(state=state))
            values: dict[str, Any] = {"slots_taken": DataObject.slots_taken - 1}
            if state == LeaseState.DECLINED:
                values["declines"] = DataObject.declines + 1
            connection.execute(update(DataObject).where(DataObject.id == lease.object_id).values(**values))
            if state == LeaseState.DECLINED:
                _settle_if_nobody_is_left(connection, lease.job_id, lease.object_id, now)


def _settle_if_nobody_is_left(connection: Connection, job_id: int, object_id: int, now: float) -> None:
    """After a decline: if no member of the job's team is left who has not had the object, and no lease
    on it is active, nobody can answer it any more: consolidate what it has, or fail it."""
    team_id, team = connection.execute(select(Job.team_id, Team.name).join(Team, Team.id == Job.team_id)
                                       .where(Job.id == job_id)).one()
    untried = exists().where(TeamMember.team_id == team_id, ~exists().where(
        Lease.object_id == object_id, Lease.worker_id == TeamMember.worker_id))
    active = exists().where(Lease.object_id == object_id, Lease.state == LeaseState.ACTIVE)
    if connection.execute(select(untried | active)).scalar():
        return
    connection.execute(update(DataObject).where(
        DataObject.id == object_id, DataObject.state == ObjectState.READY, DataObject.answers > 0,
    ).values(state=ObjectState.ANSWERED, answered_at=now))
    connection.execute(update(DataObject).where(
        DataObject.id == object_id, DataObject.state == ObjectState.READY, DataObject.answers == 0,
    ).values(state=ObjectState.FAILED, failure_reason=(
        f"declined: no worker of team {team!r} is left to take it (each one declined it, released it or let "
        "its time run out)")))


def expire_leases(connection: Connection, job_id: int, now: float) -> int:
    """Expire every lease of a job whose time limit has passed."""
    stale = connection.execute(select(Lease.id, Lease.object_id).where(
        and_(Lease.job_id == job_id, Lease.state == LeaseState.ACTIVE, Lease.expires_at <= now))).all()
    return sum(expire_lease(connection, lease_id, object_id) for lease_id, object_id in stale)
