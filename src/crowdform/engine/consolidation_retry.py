"""``crowdform job retry-consolidation``: run the post-annotation hook again over the objects that
failed in consolidation, once the hook is fixed, and take a ``Failed`` job up again.

Answers are never thrown away when consolidation fails, so those objects only need to go back to
``answered``: the background work batches them as it batches any answered object, the hook sees
them in new consolidation-request files, and the output manifest is rewritten with their labels.
A ``Failed`` job returns to ``InProgress`` (its cause fixed, its work goes on where it stopped: objects
still offered to workers get their availability time afresh, since nobody could take them meanwhile)
and ends ``Completed`` as usual; a ``Stopped`` job returns to ``Stopping`` and ends ``Stopped``; a
``Completed`` job with objects failed in consolidation returns to ``InProgress``.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, func, select, update

from crowdform.engine.jobs import load_job
from crowdform.engine.runtime import Runtime
from crowdform.engine.states import BatchState, JobStatus, ObjectState
from crowdform.errors import InvalidInput
from crowdform.store.models import ConsolidationBatch, DataObject, Job


def _failed_in_consolidation(job_id: int) -> tuple[ColumnElement[bool], ...]:
    """Objects consolidation failed (they were in a batch) that have answers to consolidate again."""
    return (DataObject.job_id == job_id, DataObject.state == ObjectState.FAILED,
            DataObject.batch_id.is_not(None), DataObject.answers > 0)


def can_retry(runtime: Runtime, job_id: int, status: str) -> bool:
    """Would :func:`retry_consolidation` take this job (the console shows its button then)?"""
    if status in JobStatus.RUNNING:
        return False
    if status == JobStatus.FAILED:
        return True
    with runtime.database.read() as connection:
        return bool(connection.execute(select(exists().where(*_failed_in_consolidation(job_id)))).scalar())


def retry_consolidation(runtime: Runtime, name: str) -> int:
    """Send the job's objects that failed in consolidation back to it; returns how many.

    Refused (a validation error naming the job) while the job still runs, and for a finished job
    that has nothing to retry.
    """
    now = runtime.clock.now()
    with runtime.database.write() as connection:
        job = load_job(connection, name)
        failed_here = _failed_in_consolidation(job.id)
        count = connection.execute(select(func.count()).where(*failed_here)).scalar_one()
        if job.status in JobStatus.RUNNING:
            raise InvalidInput.one("RetryConsolidation", f"the job is {job.status}, so its consolidation still runs",
                                   field="LabelingJobName", value=name,
                                   hint="Retry once the job is Failed, Completed or Stopped (crowdform job wait)")
        if job.status != JobStatus.FAILED and not count:
            raise InvalidInput.one("RetryConsolidation", f"the job is {job.status} and no data object of it failed "
                                   "in consolidation", field="LabelingJobName", value=name,
                                   hint="Nothing to retry: see its output manifest")
        connection.execute(update(DataObject).where(*failed_here).values(
            state=ObjectState.ANSWERED, answered_at=now, failure_reason=None, batch_id=None))
        # A batch cut short by the failure (its output could not be written): run its objects again.
        connection.execute(update(DataObject).where(
            DataObject.job_id == job.id, DataObject.state == ObjectState.CONSOLIDATING,
        ).values(state=ObjectState.ANSWERED, answered_at=now, batch_id=None))
        connection.execute(update(ConsolidationBatch).where(
            ConsolidationBatch.job_id == job.id, ConsolidationBatch.state == BatchState.RUNNING,
        ).values(state=BatchState.FAILED, finished_at=now))
        connection.execute(update(DataObject).where(
            DataObject.job_id == job.id, DataObject.state == ObjectState.READY).values(released_at=now))
        connection.execute(update(DataObject).where(
            DataObject.job_id == job.id, DataObject.state == ObjectState.PREPARING).values(claimed_until=None))
        connection.execute(update(Job).where(Job.id == job.id, Job.status == job.status).values(
            status=_resumed_status(job.status, job.iteration), failure_reason=None, updated_at=now,
            output_dirty=True))
        runtime.log(connection, job.id, "engine",
                    f"retrying consolidation of {count} data objects; the job was {job.status}")
    return int(count)


def _resumed_status(status: str, iteration: int) -> str:
    if status == JobStatus.STOPPED:
        return JobStatus.STOPPING
    return JobStatus.IN_PROGRESS if iteration else JobStatus.INITIALIZING
