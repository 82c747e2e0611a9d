"""Taking tasks inside a batch's transaction: the task a worker holds on a job, else a newly claimed one.

A slot is claimed with the conditional update of ``task_sql`` (``slots_taken < N``, re-checked by the
database) and the lease's insert, guarded by ``UNIQUE (object_id, worker_id)``; on PostgreSQL the
candidate is picked ``FOR UPDATE SKIP LOCKED`` so that concurrent callers spread over different rows.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, bindparam, exists, select, update

from crowdform.engine.jobs import JobRow
from crowdform.engine.states import ObjectState
from crowdform.engine.task_items import Task
from crowdform.engine.task_sql import HotSql, execute_all, raw_connection
from crowdform.engine.workforce import WorkerInfo
from crowdform.store.models import DataObject, Lease

CANDIDATES = 16  # objects looked at per next-task call (PostgreSQL skips those other callers hold)

# The PostgreSQL fallback of taking a task, built once: SQLAlchemy then reuses its compiled form
# without recomputing cache keys on every request.
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


class TaskTaker:
    def __init__(self, sql: HotSql, *, postgres: bool) -> None:
        self._sql = sql
        self._postgres = postgres

    def take_all(self, connection: Connection, takes: list[tuple[JobRow, WorkerInfo]], now: float) -> list[Task | None]:
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
                (self._sql.take_and_lease, (*_take_params(job, worker, now), lease_id, job.id, worker.id, now, expires))
                for (job, worker), (lease_id, expires) in zip(takes, leases)], pipeline=True)
        else:
            claimed = []
            for (job, worker), (lease_id, expires) in zip(takes, leases):
                row = raw.execute(self._sql.take_first, _take_params(job, worker, now)).fetchone()
                if row is not None:
                    raw.execute(self._sql.insert_lease, (lease_id, job.id, row[0], worker.id, now, expires))
                claimed.append(row)
        return [Task.of(job, lease_id, row[1], row[2], now, expires) if row is not None
                else self._held_or_further(connection, job, worker, now, lease_id, expires)
                for (job, worker), (lease_id, expires), row in zip(takes, leases, claimed)]

    def _held_or_further(self, connection: Connection, job: JobRow, worker: WorkerInfo, now: float, lease_id: str,
                         expires: float) -> Task | None:
        """After a take that claimed nothing: the task the worker holds, else (PostgreSQL) a candidate
        further down the list, else None."""
        raw = raw_connection(connection)
        held = raw.execute(self._sql.held, (job.id, worker.id, now)).fetchone()
        if held is not None:
            held_id, object_id, acquired, held_until = held
            return self._task(raw, job, held_id, object_id, acquired, held_until)
        if self._postgres:
            # PostgreSQL: the first candidate may have been locked or taken by a concurrent caller; look
            # further down the list (SQLite runs one writer at a time, so its first candidate is final).
            n = job.workers_per_object
            params = {"job": job.id, "worker": worker.id, "n": n, "now": now}
            for object_id in connection.execute(_CANDIDATES, params).scalars():
                if connection.execute(_TAKE_SLOT, {"object": object_id, "n": n}).rowcount:
                    raw.execute(self._sql.insert_lease, (lease_id, job.id, object_id, worker.id, now, expires))
                    return self._task(raw, job, lease_id, object_id, now, expires)
        return None

    def _task(self, raw: Any, job: JobRow, lease_id: str, object_id: int, acquired: float, expires: float) -> Task:
        position, task_input = raw.execute(self._sql.task_input, (object_id,)).fetchone()
        return Task.of(job, lease_id, position, task_input, acquired, expires)


def _take_params(job: JobRow, worker: WorkerInfo, now: float) -> tuple[Any, ...]:
    n = job.workers_per_object
    return job.id, n, worker.id, n, job.id, worker.id, now
