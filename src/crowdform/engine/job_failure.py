"""A job whose work cannot go on moves to ``Failed``, with a ``FailureReason`` that names the cause.

The rule (docs/decisions.md, "Job status"): what goes wrong with one data object fails that object
and the job goes on (a pre-hook reply for one object, a post-hook reply that leaves an object out, a
task input the template refuses); what stops the job's work as a whole fails the job at once: the
post-annotation hook failing a whole batch (its call failed every attempt, or its reply has the wrong
shape), output that cannot be written, and a template that failed on the first task inputs workers
were given, with no task of the job ever answered. Ground Truth reports such a job in
``DescribeLabelingJob`` as ``Failed`` with a ``FailureReason`` that starts ``ClientError:``.

Failing withdraws the job's open tasks (as stopping does); answers already given are kept, so
``crowdform job retry-consolidation`` (``engine/consolidation_retry.py``) can take the job up again
once the cause is fixed.
"""

from __future__ import annotations

from sqlalchemy import Connection, exists, func, select, update

from crowdform.engine.states import JobStatus, LeaseState, ObjectState
from crowdform.store.models import DataObject, Job, Lease

CLIENT_ERROR = "ClientError: "
UNRENDERABLE = "the worker template cannot be rendered with this data object's task input"
# Ground Truth first sends a small batch to check that a job is set up right; a template that fails
# on this many task inputs in a row, before any worker could answer a task, is taken to be broken.
RENDER_PROBE = 10
# DescribeLabelingJob's FailureReason is at most 1024 characters in SageMaker's service model.
MAX_REASON = 1024


def failure_reason(cause: str, job_name: str, *, fix: str | None = None) -> str:
    """The ``FailureReason`` text: Ground Truth's ``ClientError:`` prefix, the cause, and what to do
    (by default: fix the cause and retry the job's consolidation)."""
    fix = " " + (fix or f"Fix the cause, then run: crowdform job retry-consolidation {job_name}")
    cause = cause.strip().rstrip(".")
    room = MAX_REASON - len(CLIENT_ERROR) - len(fix) - 1
    if len(cause) > room:
        cause = cause[:room - 3] + "..."
    return f"{CLIENT_ERROR}{cause}.{fix}"


def fail_job(connection: Connection, job_id: int, reason: str, now: float) -> bool:
    """Move a running job to ``Failed`` with ``reason`` and withdraw its open tasks, in the caller's
    transaction. False when the job was no longer running (another process settled it first)."""
    won = connection.execute(update(Job).where(Job.id == job_id, Job.status.in_(JobStatus.RUNNING)).values(
        status=JobStatus.FAILED, failure_reason=reason, updated_at=now, output_dirty=True)).rowcount
    if not won:
        return False
    held = dict(connection.execute(
        select(Lease.object_id, func.count()).where(Lease.job_id == job_id, Lease.state == LeaseState.ACTIVE)
        .group_by(Lease.object_id)).all())
    connection.execute(update(Lease).where(Lease.job_id == job_id, Lease.state == LeaseState.ACTIVE)
                       .values(state=LeaseState.CANCELLED))
    for object_id, count in held.items():
        connection.execute(update(DataObject).where(DataObject.id == object_id)
                           .values(slots_taken=DataObject.slots_taken - count))
    return True


def job_failed(connection: Connection, job_id: int) -> bool:
    """Is the job ``Failed`` now (read in the caller's transaction)?"""
    return connection.execute(select(Job.status).where(Job.id == job_id)).scalar_one() == JobStatus.FAILED


def set_aside_unrenderable(connection: Connection, lease_id: str, problem: str, now: float) -> str | None:
    """A task whose page cannot be rendered (the template fails on its object's task input): the
    object fails with ``problem`` and its open tasks are withdrawn, so no worker is left holding a
    task they can neither see nor submit. Returns the job's ``FailureReason`` when this makes the job
    fail too (:data:`RENDER_PROBE`), else None."""
    row = connection.execute(select(Lease.job_id, Lease.object_id).where(Lease.id == lease_id)).first()
    if row is None:
        return None
    job_id, object_id = row
    withdrawn = connection.execute(update(Lease).where(
        Lease.object_id == object_id, Lease.state == LeaseState.ACTIVE).values(state=LeaseState.CANCELLED)).rowcount
    connection.execute(update(DataObject).where(DataObject.id == object_id, DataObject.state == ObjectState.READY)
                       .values(state=ObjectState.FAILED, failure_reason=f"{UNRENDERABLE}: {problem}"[:MAX_REASON],
                               slots_taken=DataObject.slots_taken - withdrawn))
    unrenderable, object_count, name = connection.execute(
        select(func.count(DataObject.id), Job.object_count, Job.name).join(Job, Job.id == DataObject.job_id)
        .where(DataObject.job_id == job_id, DataObject.state == ObjectState.FAILED,
               DataObject.failure_reason.startswith(UNRENDERABLE, autoescape=True))
        .group_by(Job.object_count, Job.name)).one()
    answered = connection.execute(select(exists().where(
        Lease.job_id == job_id, Lease.state == LeaseState.SUBMITTED))).scalar()
    if answered or unrenderable < min(RENDER_PROBE, object_count):
        return None
    reason = failure_reason(f"the worker template failed to render for the first {unrenderable} data objects "
                            f"workers were given, and no task was ever answered; the last error: {problem}", name,
                            fix="Check the template against the task inputs (crowdform render) and create the job "
                                "again")
    return reason if fail_job(connection, job_id, reason, now) else None
