"""The page a worker sees for one task: the job's Liquid template rendered with the task input.

Rendered on request for the worker who holds the lease, never stored: the page holds signed file
URLs that expire, and a template fixed after job creation would otherwise need re-rendering.
Templates are compiled once per job (``compile_template`` caches by source text). A page the
template cannot render for its task input sets the object aside (``engine/job_failure.py``).
"""

from __future__ import annotations

import json
from typing import Callable

from sqlalchemy import bindparam, select

from crowdform.engine.runtime import Runtime
from crowdform.engine.states import LeaseState
from crowdform.engine.workforce import WorkerInfo
from crowdform.engine.job_failure import UNRENDERABLE, set_aside_unrenderable
from crowdform.errors import Conflict, Forbidden, InvalidInput, NotFound
from crowdform.store.models import DataObject, Job, Lease
from crowdform.templating import compile_template

_LEASE_PAGE = (
    select(Lease.worker_id, Lease.state, Lease.expires_at, Lease.job_id, Job.name, Job.template, DataObject.task_input)
    .join(Job, Job.id == Lease.job_id).join(DataObject, DataObject.id == Lease.object_id)
    .where(Lease.id == bindparam("lease"))
)


class TaskPages:
    def __init__(self, runtime: Runtime, grant_read_access: Callable[[str], str], *, bundle_url: str) -> None:
        self.runtime = runtime
        self.grant_read_access = grant_read_access
        self.bundle_url = bundle_url  # where the page loads the crowd elements library from

    def render(self, worker: WorkerInfo, lease_id: str) -> str:
        """The HTML of the worker's own, still open task ``lease_id``."""
        with self.runtime.database.read() as connection:
            row = connection.execute(_LEASE_PAGE, {"lease": lease_id}).first()
        if row is None or row.worker_id != worker.id:
            raise NotFound(f"Task {lease_id!r} is not one of yours.")
        if row.state != LeaseState.ACTIVE or row.expires_at <= self.runtime.clock.now():
            raise Conflict("This task is no longer open (it was submitted, handed back or its time ran out). "
                           "Ask for the next task.")
        template = compile_template(row.template, f"template of job {row.name}", bundle_url=self.bundle_url)
        try:
            return template.render(json.loads(row.task_input or "{}"), grant_read_access=self.grant_read_access)
        except (InvalidInput, Forbidden) as error:  # the template fails on this task input
            self._set_aside(row.job_id, lease_id, str(error))
            raise Conflict(f"This task cannot be shown: the job's worker template fails on its data ({error}). "
                           "The task was withdrawn and the data object set aside; ask for the next task.") from None

    def _set_aside(self, job_id: int, lease_id: str, problem: str) -> None:
        with self.runtime.database.write() as connection:
            self.runtime.log(connection, job_id, "engine", f"{UNRENDERABLE}: {problem}", "error")
            job_failure = set_aside_unrenderable(connection, lease_id, problem, self.runtime.clock.now())
            if job_failure is not None:
                self.runtime.log(connection, job_id, "engine", f"job failed: {job_failure}", "error")
