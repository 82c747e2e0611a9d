"""Release the next batch ("iteration") of data objects and run the pre-annotation hook on it.

Ground Truth sends up to MaxConcurrentTaskCount objects at a time, in manifest order, and releases the
next set when a batch is finished; the batch number is the ``iteration-N`` of the output paths.
Objects go to workers only after the pre-annotation hook turned them into ``task.input``; without a
hook (or with PRE-PassThrough), ``task.input`` is the manifest line itself. A built-in task type's
PRE- function runs in this process (:mod:`crowdform.builtin.pre_annotation`), with no hook process.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, exists, select, update

from crowdform.engine.hook_pool import HookPool
from crowdform.engine.hook_registry import ResolvedHook
from crowdform.engine.jobs import JobRow
from crowdform.engine.runtime import Runtime
from crowdform.engine.states import JobStatus, ObjectState
from crowdform.builtin.pre_annotation import builtin_task_input
from crowdform.errors import CrowdformError, InvalidInput
from crowdform.groundtruth.events import pre_annotation_event
from crowdform.groundtruth.hook_replies import parse_pre_hook_reply
from crowdform.groundtruth.task_types import BY_FUNCTION
from crowdform.store.models import DataObject, Job

CLAIM_SIZE = 64


def release_next_batch(connection: Connection, job: JobRow, now: float) -> int:
    """Release the next iteration once every object of the current one has its answers (or has failed).

    The previous iteration's consolidation goes on meanwhile, so workers are not kept waiting for a
    post-annotation hook at every batch boundary. Returns how many objects were released.
    """
    busy = connection.execute(select(exists().where(
        DataObject.job_id == job.id, DataObject.state.in_((ObjectState.PREPARING, ObjectState.READY))))).scalar()
    if busy:
        return 0
    positions = connection.execute(
        select(DataObject.position).where(DataObject.job_id == job.id, DataObject.state == ObjectState.QUEUED)
        .order_by(DataObject.position).limit(job.max_concurrent)
    ).scalars().all()
    if not positions:
        return 0
    iteration = job.iteration + 1
    won = connection.execute(update(Job).where(Job.id == job.id, Job.iteration == job.iteration).values(
        iteration=iteration, updated_at=now,
        status=JobStatus.IN_PROGRESS if job.status == JobStatus.INITIALIZING else job.status,
    )).rowcount
    if not won:
        return 0  # another process released it
    hook = ResolvedHook.from_json(job.pre_hook)
    values: dict[str, Any] = {"iteration": iteration, "released_at": now}
    if hook is None or hook.is_pass_through:
        values.update(state=ObjectState.READY, task_input=DataObject.line)
    else:
        values.update(state=ObjectState.PREPARING)
    return connection.execute(update(DataObject).where(
        DataObject.job_id == job.id, DataObject.state == ObjectState.QUEUED,
        DataObject.position >= positions[0], DataObject.position <= positions[-1],
    ).values(**values)).rowcount


class Preparation:
    """Runs the pre-annotation hook over claimed objects, ``pre_hook_concurrency`` calls at a time."""

    def __init__(self, runtime: Runtime, hooks: HookPool) -> None:
        self.runtime = runtime
        self.hooks = hooks
        self.pool = ThreadPoolExecutor(max_workers=runtime.settings.pre_hook_concurrency,
                                       thread_name_prefix="pre-hook")

    def run(self, job: JobRow) -> int:
        """Prepare one claim of objects; returns how many were handled."""
        hook = ResolvedHook.from_json(job.pre_hook)
        if hook is None or hook.is_pass_through:
            return 0
        settings = self.runtime.settings
        now = self.runtime.clock.now()
        lease_seconds = settings.hook_timeout_seconds * settings.hook_attempts + 30
        claimable = (DataObject.job_id == job.id, DataObject.state == ObjectState.PREPARING,
                     (DataObject.claimed_until.is_(None)) | (DataObject.claimed_until < now))
        with self.runtime.database.read() as connection:
            if not connection.execute(select(exists().where(*claimable))).scalar():
                return 0
        with self.runtime.database.write() as connection:
            claimed = connection.execute(
                select(DataObject.id, DataObject.position, DataObject.line).where(*claimable).order_by(DataObject.position).limit(CLAIM_SIZE)
            ).all()
            if not claimed:
                return 0
            connection.execute(update(DataObject).where(DataObject.id.in_([c.id for c in claimed]))
                               .values(claimed_until=now + lease_seconds))
        if hook.builtin is not None:
            outcomes = [self._prepare_builtin(job, hook.builtin, c) for c in claimed]
        else:
            outcomes = self._prepare_with_hook(job, hook, claimed)
        released = self.runtime.clock.now()
        with self.runtime.database.write() as connection:
            for object_id, values in outcomes:
                connection.execute(update(DataObject).where(
                    DataObject.id == object_id, DataObject.state == ObjectState.PREPARING,
                ).values(claimed_until=None, released_at=released, **values))
        return len(outcomes)

    def _prepare_builtin(self, job: JobRow, function: str, claimed: Any) -> tuple[int, dict[str, Any]]:
        task = BY_FUNCTION.get(function[4:])
        where = f"data object {claimed.position}"
        try:
            if task is None or job.label_config is None:  # refused when the job was created; a guard
                raise InvalidInput.one(function, "crowdform has no built-in for this job",
                                       hint="Recreate the job with a supported task type and a label category file")
            task_input = builtin_task_input(task, json.loads(claimed.line), job.label_config, source=where)
        except CrowdformError as exc:
            reason = f"{function} failed: {exc}"[:1024]
            self.hooks.buffer_log(job.id, "pre-hook", f"{where}: {reason}", "error")
            return claimed.id, {"state": ObjectState.FAILED, "failure_reason": reason}
        return claimed.id, {"state": ObjectState.READY, "task_input": json.dumps(task_input, ensure_ascii=False)}

    def _prepare_with_hook(self, job: JobRow, hook: ResolvedHook, claimed: Sequence[Any]) -> list[tuple[int, dict[str, Any]]]:
        settings = self.runtime.settings
        invoker = self.hooks.invoker(job.id, "pre", hook, settings.pre_hook_concurrency, role_arn=job.role_arn)

        def prepare(object_id: int, position: int, line: str) -> tuple[int, dict[str, Any]]:
            event = pre_annotation_event(job.arn, json.loads(line))
            try:
                reply = invoker.invoke(event, attempts=settings.hook_attempts)
                result = parse_pre_hook_reply(reply, source=f"pre-annotation hook reply for data object {position}")
            except CrowdformError as exc:
                reason = f"pre-annotation hook failed: {exc}"[:1024]
                self.hooks.buffer_log(job.id, "pre-hook", f"data object {position}: {reason}", "error")
                return object_id, {"state": ObjectState.FAILED, "failure_reason": reason}
            if not result.human_annotation_required:
                return object_id, {"state": ObjectState.SKIPPED, "task_input": json.dumps(result.task_input)}
            return object_id, {"state": ObjectState.READY, "task_input": json.dumps(result.task_input)}

        return list(self.pool.map(lambda c: prepare(c.id, c.position, c.line), claimed))

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
