"""Release data objects as others leave the in-flight set, and run the pre-annotation hook on them.

Ground Truth keeps up to MaxConcurrentTaskCount objects in flight (PREPARING or READY), in manifest
order, and sends more as objects leave that set, so a crowd never waits for a whole batch to drain.
The k-th object a job releases (counting from 0) belongs to iteration ``k // MaxConcurrentTaskCount
+ 1``, the ``iteration-N`` of the output paths. Objects go to workers only after the pre-annotation
hook turned them into ``task.input``; without a hook (or with PRE-PassThrough), ``task.input`` is the
manifest line itself. A built-in task type's PRE- function runs in this process
(:mod:`crowdform.builtin.pre_annotation`), with no hook process.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, case, exists, func, select, update

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
IN_FLIGHT = (ObjectState.PREPARING, ObjectState.READY)
REFILL_SHARE = 20  # release once a twentieth of MaxConcurrentTaskCount has left the in-flight set ...
REFILL_MOST = 250  # ... or this many objects, whichever is fewer


def refill_step(max_concurrent: int) -> int:
    """How many free places make a release worth its write transaction.

    One object at a time would cost a write per answer; waiting for the whole set would make the
    crowd wait. A small step keeps at least 95% of MaxConcurrentTaskCount on offer.
    """
    return max(1, min(max_concurrent // REFILL_SHARE, REFILL_MOST))


def release_room(connection: Connection, job: JobRow) -> int:
    """Free places in the job's in-flight set if a release is due (and something is queued), else 0."""
    in_flight = connection.execute(select(func.count()).select_from(
        select(DataObject.id).where(DataObject.job_id == job.id, DataObject.state.in_(IN_FLIGHT))
        .limit(job.max_concurrent).subquery())).scalar_one()
    room = job.max_concurrent - in_flight
    if room < refill_step(job.max_concurrent):
        return 0
    queued = connection.execute(select(exists().where(
        DataObject.job_id == job.id, DataObject.state == ObjectState.QUEUED))).scalar()
    return room if queued else 0


class Released(NamedTuple):
    objects: int
    new_iteration: int | None  # the iteration these objects began, if they began one


def release_more(connection: Connection, job: JobRow, now: float) -> Released:
    """Fill the job's in-flight set back up to MaxConcurrentTaskCount, in manifest order.

    Consolidation of what was answered goes on meanwhile, so workers never wait for a post-annotation
    hook nor for the last object of an iteration. A stopping or finished job releases nothing.
    """
    nothing = Released(0, None)
    room = release_room(connection, job)
    if not room:
        return nothing
    positions = connection.execute(
        select(DataObject.position).where(DataObject.job_id == job.id, DataObject.state == ObjectState.QUEUED)
        .order_by(DataObject.position).limit(room)
    ).scalars().all()
    if not positions:
        return nothing
    released = connection.execute(select(Job.released).where(Job.id == job.id)).scalar_one()
    size = job.max_concurrent
    won = connection.execute(update(Job).where(
        Job.id == job.id, Job.released == released, Job.status.in_((JobStatus.INITIALIZING, JobStatus.IN_PROGRESS)),
    ).values(
        released=released + len(positions), iteration=(released + len(positions) - 1) // size + 1, updated_at=now,
        status=case((Job.status == JobStatus.INITIALIZING, JobStatus.IN_PROGRESS), else_=Job.status),
    )).rowcount
    if not won:
        return nothing  # another process released them, or the job is stopping
    hook = ResolvedHook.from_json(job.pre_hook)
    values: dict[str, Any] = {"released_at": now}
    if hook is None or hook.is_pass_through:
        values.update(state=ObjectState.READY, task_input=DataObject.line)
    else:
        values.update(state=ObjectState.PREPARING)
    count = 0
    first = 0
    while first < len(positions):  # one statement per iteration the released objects fall into
        iteration = (released + first) // size + 1
        last = min(len(positions), iteration * size - released) - 1
        count += connection.execute(update(DataObject).where(
            DataObject.job_id == job.id, DataObject.state == ObjectState.QUEUED,
            DataObject.position >= positions[first], DataObject.position <= positions[last],
        ).values(iteration=iteration, **values)).rowcount
        first = last + 1
    # At most MaxConcurrentTaskCount objects at once, so at most one iteration begins here.
    first_iteration, last_iteration = released // size + 1, (released + len(positions) - 1) // size + 1
    if released % size == 0:
        return Released(count, first_iteration)
    return Released(count, last_iteration if last_iteration > first_iteration else None)


class Preparation:
    """Runs the pre-annotation hook over claimed objects, ``pre_hook_concurrency`` calls at a time per job.

    Each job has threads of its own, so a job whose hook hangs until its timeout holds only its own
    calls; the claim's lease covers every call of the claim, all attempts included.
    """

    def __init__(self, runtime: Runtime, hooks: HookPool, incarnation: str) -> None:
        self.runtime = runtime
        self.hooks = hooks
        self.incarnation = incarnation
        self._pools: dict[int, ThreadPoolExecutor] = {}
        self._lock = threading.Lock()

    def run(self, job: JobRow) -> int:
        """Prepare one claim of objects; returns how many were handled."""
        hook = ResolvedHook.from_json(job.pre_hook)
        if hook is None or hook.is_pass_through:
            return 0
        settings = self.runtime.settings
        now = self.runtime.clock.now()
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
            rounds = -(-len(claimed) // settings.pre_hook_concurrency)  # calls one after another, at worst
            lease_seconds = rounds * settings.hook_timeout_seconds * settings.hook_attempts + 30
            connection.execute(update(DataObject).where(DataObject.id.in_([c.id for c in claimed]))
                               .values(claimed_until=now + lease_seconds, claimed_by=self.incarnation))
        if hook.builtin is not None:
            outcomes = [self._prepare_builtin(job, hook.builtin, c) for c in claimed]
        else:
            outcomes = self._prepare_with_hook(job, hook, claimed)
        released = self.runtime.clock.now()
        with self.runtime.database.write() as connection:
            for object_id, values in outcomes:
                connection.execute(update(DataObject).where(
                    DataObject.id == object_id, DataObject.state == ObjectState.PREPARING,
                ).values(claimed_until=None, claimed_by=None, released_at=released, **values))
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

        return list(self._pool(job.id).map(lambda c: prepare(c.id, c.position, c.line), claimed))

    def _pool(self, job_id: int) -> ThreadPoolExecutor:
        with self._lock:
            pool = self._pools.get(job_id)
            if pool is None:
                pool = self._pools[job_id] = ThreadPoolExecutor(
                    max_workers=self.runtime.settings.pre_hook_concurrency, thread_name_prefix=f"pre-hook-{job_id}")
            return pool

    def close_job(self, job_id: int) -> None:
        with self._lock:
            pool = self._pools.pop(job_id, None)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)
