"""Read-only views of labeling jobs for the console: a sorted page of jobs, a page of one job's data
objects with each worker's answer and the consolidated label, and the tail of a job's log.

Every view costs the same on a job of four objects and on one of 100,000: counters are counts over
the ``(job_id, state, position)`` index, a page of objects is a range of ``position`` (the
``datasetObjectId``s of a job are 0..n-1, so page ``p`` is the positions ``[p*size, (p+1)*size)``;
filtered by state, an offset within the index's range of that state), and answers are read only for
the objects on the page. The jobs list counts objects only for the jobs on its page, unless it is
sorted by a count.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, ColumnElement, Float, case, cast, func, select

from crowdform.engine.clock import utc
from crowdform.engine.jobs import JobRow, load_job
from crowdform.engine.runtime import Runtime
from crowdform.engine.states import JobStatus, LeaseState, ObjectState
from crowdform.errors import InvalidInput, NotFound
from crowdform.groundtruth.task_types import BY_NAME, TASK_TYPES
from crowdform.store.models import DataObject, Job, JobLogEntry, Lease, Team, Worker

PAGE_SIZE: Final = 50
INPUT_FETCH_ROWS: Final = 5_000
# Leases shown in the objects table: who answered, who is working on it now, who declined.
SHOWN_LEASES: Final = (LeaseState.SUBMITTED, LeaseState.ACTIVE, LeaseState.DECLINED)
OBJECT_STATES: Final = (ObjectState.QUEUED, ObjectState.PREPARING, ObjectState.READY, ObjectState.ANSWERED,
                        ObjectState.CONSOLIDATING, ObjectState.LABELED, ObjectState.SKIPPED, ObjectState.FAILED)


def iso_time(epoch: float) -> str:
    return utc(epoch).isoformat(timespec="seconds")


def _count_in_state(state: str) -> ColumnElement[int]:
    """How many objects of the outer query's job are in ``state`` (a range count over the state index)."""
    return (select(func.count()).where(DataObject.job_id == Job.id, DataObject.state == state)
            .correlate(Job).scalar_subquery())


def _progress() -> ColumnElement[float]:
    return cast(_count_in_state(ObjectState.LABELED), Float) / case((Job.object_count == 0, 1),
                                                                     else_=Job.object_count)


CUSTOM_TASK_TITLE: Final = "Custom"


def _task_type_title() -> ColumnElement[str]:
    """The task type as the list shows it: the built-in type's title, or "Custom" (``task_type`` NULL)."""
    return case({t.name: t.title for t in TASK_TYPES}, value=Job.task_type, else_=CUSTOM_TASK_TITLE)


JOB_SORTS: Final = {
    "name": lambda: Job.name_key,
    "status": lambda: Job.status,
    "task_type": _task_type_title,
    "progress": _progress,
    "failed": lambda: _count_in_state(ObjectState.FAILED),
    "created": lambda: Job.created_at,
    "team": lambda: Team.name,
}


@dataclass(frozen=True)
class JobSummary:
    """One row of the jobs list."""

    name: str
    status: str
    object_count: int
    labeled: int
    failed: int
    created_at: float
    team: str
    task_type_name: str | None = None
    """The built-in task type's short name (``bounding-box``); None for a custom template."""

    @property
    def task_type(self) -> str:
        """The built-in task type's title ("Bounding box"), or "Custom"."""
        task = BY_NAME.get(self.task_type_name or "")
        return task.title if task else CUSTOM_TASK_TITLE

    @property
    def created(self) -> str:
        """The creation time as ISO 8601 in UTC, as DescribeLabelingJob gives it."""
        return iso_time(self.created_at)

    @property
    def running(self) -> bool:
        return self.status in JobStatus.RUNNING

    @property
    def percent(self) -> int:
        return int(100 * self.labeled / self.object_count) if self.object_count else 0


@dataclass(frozen=True)
class JobPage:
    jobs: list[JobSummary]
    total: int
    page: int
    sort: str
    descending: bool
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def any_running(self) -> bool:
        return any(job.running for job in self.jobs)


def job_page(runtime: Runtime, *, sort: str = "created", descending: bool = True, page: int = 1,
             page_size: int = PAGE_SIZE) -> JobPage:
    """Page ``page`` (from 1) of all jobs, ordered by ``sort`` (a key of :data:`JOB_SORTS`), then by id."""
    if sort not in JOB_SORTS:
        raise InvalidInput.one("jobs list", "cannot be sorted by this column", field="sort", value=sort,
                               hint=f"Sort by one of: {', '.join(JOB_SORTS)}")
    page = max(1, page)
    key = JOB_SORTS[sort]()
    order = (key.desc(), Job.id.desc()) if descending else (key.asc(), Job.id.asc())
    with runtime.database.read() as connection:
        total = connection.execute(select(func.count()).select_from(Job)).scalar_one()
        ids = connection.execute(select(Job.id).join(Team, Team.id == Job.team_id).order_by(*order)
                                 .limit(page_size).offset((page - 1) * page_size)).scalars().all()
        rows = connection.execute(select(
            Job.id, Job.name, Job.status, Job.object_count, Job.created_at, Job.task_type, Team.name.label("team"),
            _count_in_state(ObjectState.LABELED).label("labeled"), _count_in_state(ObjectState.FAILED).label("failed"),
        ).join(Team, Team.id == Job.team_id).where(Job.id.in_(ids))).all() if ids else []
    by_id = {row.id: JobSummary(row.name, row.status, row.object_count, row.labeled, row.failed, row.created_at,
                                row.team, row.task_type) for row in rows}
    return JobPage([by_id[i] for i in ids], total, page, sort, descending, page_size)


@dataclass(frozen=True)
class AnswerView:
    """One worker's task on a data object."""

    worker: str
    """The worker's user name (for the console; the files say ``worker_id``)."""
    worker_id: str
    """The opaque ``workerId`` written into Ground Truth's files."""
    state: str
    """A :class:`~crowdform.engine.states.LeaseState`: submitted, active (working on it now) or declined."""
    answer: Any
    """The ``answerContent`` (None unless submitted)."""
    submitted_at: float | None


@dataclass(frozen=True)
class ObjectView:
    """A data object with its answers and its consolidated label."""

    position: int
    """The ``datasetObjectId``."""
    state: str
    data: dict[str, Any]
    """The manifest line."""
    answers: tuple[AnswerView, ...]
    label: Any
    """The consolidated label (the value under the label attribute name), None until labeled."""
    label_metadata: Any
    failure_reason: str | None
    iteration: int | None
    """The batch it was released in: its worker responses are under ``iteration-<N>``."""

    @property
    def source(self) -> str:
        """``source-ref`` (a URI), or the ``source`` text, as the table shows it."""
        value = self.data.get("source-ref", self.data.get("source", ""))
        return value if isinstance(value, str) else json.dumps(value)


@dataclass(frozen=True)
class ObjectPage:
    objects: list[ObjectView]
    total: int
    """Objects in the job, or in ``state`` when filtered."""
    page: int
    state: str | None
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def object_page(runtime: Runtime, job_name: str, *, page: int = 1, state: str | None = None,
                page_size: int = PAGE_SIZE) -> ObjectPage:
    """Page ``page`` (from 1) of a job's data objects in ``datasetObjectId`` order, optionally of one state."""
    if state is not None and state not in OBJECT_STATES:
        raise InvalidInput.one("data objects", "is not a state of a data object", field="state", value=state,
                               hint=f"Choose one of: {', '.join(OBJECT_STATES)}")
    page = max(1, page)
    start = (page - 1) * page_size
    with runtime.database.read() as connection:
        job = load_job(connection, job_name)
        query = select(DataObject).where(DataObject.job_id == job.id)
        if state is None:
            total = job.object_count
            query = query.where(DataObject.position >= start, DataObject.position < start + page_size)
        else:
            total = connection.execute(select(func.count()).where(
                DataObject.job_id == job.id, DataObject.state == state)).scalar_one()
            query = query.where(DataObject.state == state).offset(start)
        rows = connection.execute(query.order_by(DataObject.position).limit(page_size)).all()
        objects = _with_answers(connection, rows)
    return ObjectPage(objects, total, page, state, page_size)


def object_view(runtime: Runtime, job_name: str, position: int) -> tuple[JobRow, ObjectView]:
    """The job and its data object ``position`` (its ``datasetObjectId``)."""
    with runtime.database.read() as connection:
        job = load_job(connection, job_name)
        rows = connection.execute(select(DataObject).where(DataObject.job_id == job.id,
                                                           DataObject.position == position)).all()
        if not rows:
            raise NotFound(f"Labeling job {job.name!r} has no data object {position}: its datasetObjectIds are "
                           f"0 to {job.object_count - 1}.")
        return job, _with_answers(connection, rows)[0]


def _with_answers(connection: Connection, rows: list[Any]) -> list[ObjectView]:
    answers: dict[int, list[AnswerView]] = {row.id: [] for row in rows}
    if answers:
        leases = connection.execute(
            select(Lease.object_id, Lease.state, Lease.answer, Lease.submitted_at, Worker.username, Worker.worker_uid)
            .join(Worker, Worker.id == Lease.worker_id)
            .where(Lease.object_id.in_(list(answers)), Lease.state.in_(SHOWN_LEASES))
            .order_by(Lease.acquired_at)).all()
        for lease in leases:
            answers[lease.object_id].append(AnswerView(
                lease.username, lease.worker_uid, lease.state,
                None if lease.answer is None else json.loads(lease.answer), lease.submitted_at))
    views = []
    for row in rows:
        label, metadata = json.loads(row.label) if row.label is not None else (None, None)
        views.append(ObjectView(row.position, row.state, json.loads(row.line), tuple(answers[row.id]), label,
                                metadata, row.failure_reason, row.iteration))
    return views


def active_tasks(runtime: Runtime, job: JobRow) -> int:
    """Tasks workers hold right now (a short range of the leases' state index; submitted answers, which
    run to millions, are not counted on every page view)."""
    with runtime.database.read() as connection:
        return int(connection.execute(select(func.count()).where(
            Lease.job_id == job.id, Lease.state == LeaseState.ACTIVE)).scalar_one())


@dataclass(frozen=True)
class LogLine:
    id: int
    at: float
    source: str
    level: str
    message: str


def log_tail(runtime: Runtime, job: JobRow, *, limit: int = 200) -> list[LogLine]:
    """The last ``limit`` lines of the job's log, oldest first (a pre-hook may log a line per object)."""
    with runtime.database.read() as connection:
        rows = connection.execute(
            select(JobLogEntry.id, JobLogEntry.at, JobLogEntry.source, JobLogEntry.level, JobLogEntry.message)
            .where(JobLogEntry.job_id == job.id).order_by(JobLogEntry.id.desc()).limit(limit)).all()
    return [LogLine(r.id, r.at, r.source, r.level, r.message) for r in reversed(rows)]


def input_lines(runtime: Runtime, job: JobRow) -> Iterator[str]:
    """The job's input manifest as ingested (its non-blank lines, unchanged), read a chunk at a time."""
    last = -1
    while True:
        # Keyset pagination: no read transaction stays open while the lines are sent.
        with runtime.database.read() as connection:
            rows = connection.execute(
                select(DataObject.position, DataObject.line).where(DataObject.job_id == job.id,
                                                                   DataObject.position > last)
                .order_by(DataObject.position).limit(INPUT_FETCH_ROWS)).all()
        if not rows:
            return
        yield from (row.line for row in rows)
        last = rows[-1].position
