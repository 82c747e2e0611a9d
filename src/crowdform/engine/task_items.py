"""What the worker loop's calls take and return: a task handed out, a submission, a next-task call and
a submission's result (``tasks``, ``task_batch``, and the web layer's group commit)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from crowdform.engine.jobs import JobRow
from crowdform.engine.workforce import WorkerInfo


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

    @classmethod
    def of(cls, job: JobRow, lease_id: str, position: int, task_input: str | None, acquired: float,
           expires: float) -> "Task":
        """The task of a lease on the object at ``position`` of ``job``."""
        return cls(lease_id=lease_id, job_name=job.name, dataset_object_id=str(position),
                   task_input_json=task_input or "{}", acquired_at=acquired, expires_at=expires,
                   title=job.title, description=job.description, keywords=list(job.keywords))


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


@dataclass(frozen=True)
class SubmitResult:
    lease_id: str
    submitted_at: float
    already_submitted: bool
