"""Consolidate answered objects in batches, writing Ground Truth's files on the way.

For one batch: the worker-response file of every object, then (with a post-annotation hook) the
consolidation-request file, the hook call with ``payload.s3Uri`` pointing at it, and the
consolidation-response file holding the hook's reply verbatim; then every object's label in one
transaction. A built-in task type's ACS- function runs in this process instead of a hook
(:mod:`crowdform.builtin.consolidate`); the request and response files are written all the same,
the response holding what the function returned, and segmentation masks are stored before the
labels that point at them. A batch is claimed with an expiring lease, so if the process dies half-way another
process (or this one after a restart) runs the whole batch again; files are rewritten atomically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, exists, func, insert, select, update

from crowdform.engine.clock import utc
from crowdform.engine.hook_pool import HookPool
from crowdform.engine.hook_registry import ResolvedHook
from crowdform.engine.job_failure import fail_job, failure_reason
from crowdform.engine.jobs import JobRow
from crowdform.engine.runtime import Runtime
from crowdform.engine.states import BatchState, JobStatus, LeaseState, ObjectState
from crowdform.errors import CrowdformError
from crowdform.groundtruth.events import post_annotation_event
from crowdform.groundtruth.files import (
    WorkerAnswer,
    consolidation_request_item,
    custom_metadata,
    file_timestamp,
    merge_custom_metadata,
    worker_response_document,
)
from crowdform.groundtruth.hook_replies import parse_post_hook_reply
from crowdform.store.models import ConsolidationBatch, DataObject, Job, Lease, Worker

IDENTITY_ISSUER = "urn:crowdform:workforce"

Labeled = tuple[Any, dict[str, Any]]

# Built-in classification learns workers' reliability from at most this many of the job's latest answers.
LEARNING_ANSWERS = 200_000


@dataclass(frozen=True)
class BatchObject:
    id: int
    position: int
    line: str
    answers: list[WorkerAnswer]
    answer_texts: list[tuple[str, str]]  # (workerId, answerContent JSON) for the consolidation request


class Consolidation:
    def __init__(self, runtime: Runtime, hooks: HookPool, incarnation: str) -> None:
        self.runtime = runtime
        self.hooks = hooks
        self.incarnation = incarnation  # named by every claim this process makes (``incarnations``)

    # ---------------------------------------------------------------- claiming
    def claim(self, job: JobRow) -> tuple[int, int] | None:
        """Claim a stale batch to re-run, or form a new one from answered objects: (batch id, iteration).

        Each batch gets its own file time stamp, distinct from the other batches of its iteration (file
        names only have seconds), and keeps it: a batch run again after a crash overwrites its own files.
        """
        settings = self.runtime.settings
        now = self.runtime.clock.now()
        # How long a claim protects a batch from being run twice: past it, the claimer is presumed dead
        # and another process runs the batch again. Long enough for every hook attempt; short when there
        # is no hook to wait for. A restart on the same data folder does not wait for it: the new leader
        # takes over the dead incarnation's claims at once (``incarnations``).
        hook = ResolvedHook.from_json(job.post_hook)
        calls_hook = hook is not None and not hook.is_pass_through
        lease_seconds = settings.hook_timeout_seconds * settings.hook_attempts + 60 if calls_hook else 30
        with self.runtime.database.read() as connection:  # most rounds find nothing: check without writing
            if not connection.execute(select(
                exists().where(ConsolidationBatch.job_id == job.id, ConsolidationBatch.state == BatchState.RUNNING,
                               ConsolidationBatch.claimed_until < now)
                | exists().where(DataObject.job_id == job.id, DataObject.state == ObjectState.ANSWERED)
            )).scalar():
                return None
        with self.runtime.database.write() as connection:
            stale = connection.execute(select(ConsolidationBatch.id, ConsolidationBatch.iteration).where(
                ConsolidationBatch.job_id == job.id, ConsolidationBatch.state == BatchState.RUNNING,
                ConsolidationBatch.claimed_until < now).limit(1)).first()
            if stale is not None:
                won = connection.execute(update(ConsolidationBatch).where(
                    ConsolidationBatch.id == stale.id, ConsolidationBatch.claimed_until < now,
                ).values(claimed_until=now + lease_seconds, claimed_by=self.incarnation,
                         attempts=ConsolidationBatch.attempts + 1)).rowcount
                return (stale.id, stale.iteration) if won else None
            first = connection.execute(select(DataObject.iteration).where(
                DataObject.job_id == job.id, DataObject.state == ObjectState.ANSWERED,
            ).order_by(DataObject.iteration).limit(1)).first()
            if first is None:
                return None
            iteration = first.iteration
            if not self._batch_due(connection, job, iteration, now):
                return None
            ids = connection.execute(select(DataObject.id).where(
                DataObject.job_id == job.id, DataObject.state == ObjectState.ANSWERED,
                DataObject.iteration == iteration,
            ).order_by(DataObject.position).limit(settings.consolidation_batch_size)).scalars().all()
            taken_stamps = set(connection.execute(select(ConsolidationBatch.stamp).where(
                ConsolidationBatch.job_id == job.id, ConsolidationBatch.iteration == iteration)).scalars())
            moment = int(now)
            while file_timestamp(utc(moment)) in taken_stamps:
                moment += 1
            batch_id = connection.execute(insert(ConsolidationBatch).values(
                job_id=job.id, iteration=iteration, state=BatchState.RUNNING, claimed_until=now + lease_seconds,
                claimed_by=self.incarnation, attempts=1, created_at=now, stamp=file_timestamp(utc(moment)),
            ).returning(ConsolidationBatch.id)).scalar_one()
            taken = connection.execute(update(DataObject).where(
                DataObject.id.in_(ids), DataObject.state == ObjectState.ANSWERED,
            ).values(state=ObjectState.CONSOLIDATING, batch_id=batch_id)).rowcount
            if not taken:
                connection.execute(update(ConsolidationBatch).where(ConsolidationBatch.id == batch_id)
                                   .values(state=BatchState.DONE, finished_at=now))
                return None
            return batch_id, iteration

    def _batch_due(self, connection: Connection, job: JobRow, iteration: int, now: float) -> bool:
        """Consolidate now, or wait for more answers to share the hook call?

        Now if a full batch is waiting, if the oldest answer waited ``consolidation_delay_seconds``,
        if nothing else of the iteration can still be answered, or if the job is stopping.
        """
        settings = self.runtime.settings
        waiting = select(func.count(), func.min(DataObject.answered_at)).where(
            DataObject.job_id == job.id, DataObject.iteration == iteration, DataObject.state == ObjectState.ANSWERED)
        count, oldest = connection.execute(waiting).one()
        if count >= settings.consolidation_batch_size or job.status == JobStatus.STOPPING:
            return True
        if oldest is None or oldest <= now - settings.consolidation_delay_seconds:
            return True
        open_objects = connection.execute(select(exists().where(
            DataObject.job_id == job.id, DataObject.iteration == iteration,
            DataObject.state.in_((ObjectState.PREPARING, ObjectState.READY))))).scalar()
        return not open_objects

    # ---------------------------------------------------------------- running
    def run(self, job: JobRow, batch_id: int, iteration: int) -> int:
        """Consolidate one claimed batch; returns how many objects got a label."""
        objects, stamp = self._load(batch_id)
        if not objects:
            self._finish(batch_id, {}, {}, None)
            return 0
        layout = job.layout
        storage = self.runtime.storage
        response_uris: dict[int, str] = {}
        for obj in objects:
            uri = layout.worker_response(iteration, obj.position, stamp)
            storage.write_bytes(uri, _json_bytes(worker_response_document(obj.answers)), content_type="application/json")
            response_uris[obj.id] = uri

        hook = ResolvedHook.from_json(job.post_hook)
        created = utc(self.runtime.clock.now())
        request_uri = None
        cause: str | None = None  # why the whole batch failed, which fails the job (engine/job_failure.py)
        if hook is None or hook.is_pass_through:
            labels: dict[int, Labeled] = {
                obj.id: ({}, custom_metadata(job.name, created, worker_response_ref=response_uris[obj.id]))
                for obj in objects}
            failures: dict[int, str] = {}
        else:
            request_uri = layout.consolidation_request(iteration, stamp)
            items = [consolidation_request_item(o.position, json.loads(o.line), o.answer_texts) for o in objects]
            storage.write_bytes(request_uri, _json_bytes(items), content_type="application/json")
            if hook.builtin is not None:
                labels, failures = self._run_builtin(job, objects, iteration, stamp, created)
            else:
                labels, failures, cause = self._run_hook(job, hook, objects, iteration, stamp, request_uri, created)
        self._finish(batch_id, labels, failures, request_uri,
                     job_failure=None if cause is None else failure_reason(cause, job.name))
        return len(labels)

    def _run_hook(self, job: JobRow, hook: ResolvedHook, objects: list[BatchObject], iteration: int, stamp: str,
                  request_uri: str, created: datetime) -> tuple[dict[int, Labeled], dict[int, str], str | None]:
        """Call the post-annotation hook on the batch's request file: (labels, failures) by object row id,
        and the cause when the hook failed the batch as a whole (its call, or a reply of the wrong shape)."""
        layout = job.layout
        event = post_annotation_event(
            job_arn=job.arn, label_attribute_name=job.label_attribute_name,
            label_categories=job.label_categories, role_arn=job.role_arn or "",
            # on the embedded store, the s3:// names of the files, as the hook's boto3 reads them
            payload_uri=self.runtime.storage.as_s3_uri(request_uri),
            output_config=self.runtime.storage.as_s3_uri(layout.annotations_dir),
            workers_per_object=job.workers_per_object,
        )
        by_position = {str(o.position): o for o in objects}
        try:
            reply = self.hooks.invoker(job.id, "post", hook, 1, role_arn=job.role_arn).invoke(
                event, attempts=self.runtime.settings.hook_attempts)
        except CrowdformError as exc:
            return self._batch_failed(job, hook, objects, iteration, exc)
        self.runtime.storage.write_bytes(layout.consolidation_response(iteration, stamp), _json_bytes(reply),
                                         content_type="application/json")
        found: dict[str, dict[str, Any]] = {}
        if reply != []:  # an empty array leaves every object out, as a hook may leave out any: they fail alone
            try:
                result = parse_post_hook_reply(reply, label_attribute_name=job.label_attribute_name,
                                               expected_ids=list(by_position),
                                               source=f"post-annotation hook reply for iteration {iteration}")
            except CrowdformError as exc:
                return self._batch_failed(job, hook, objects, iteration, exc)
            for warning in result.warnings:
                self.hooks.buffer_log(job.id, "post-hook", warning, "warning")
            found = result.labels
        labels: dict[int, Labeled] = {}
        failures: dict[int, str] = {}
        for dataset_id, obj in by_position.items():
            content = found.get(dataset_id)
            if content is None:
                failures[obj.id] = "the post-annotation hook returned no label for this object"
                continue
            metadata = merge_custom_metadata(content.get(f"{job.label_attribute_name}-metadata"), job.name, created)
            labels[obj.id] = (content[job.label_attribute_name], metadata)
        return labels, failures, None

    def _batch_failed(self, job: JobRow, hook: ResolvedHook, objects: list[BatchObject], iteration: int,
                      error: CrowdformError) -> tuple[dict[int, Labeled], dict[int, str], str]:
        """The hook's call failed every attempt, or its reply has the wrong shape: every object of the
        batch fails, and so does the job (the cause, for its FailureReason)."""
        reason = f"post-annotation hook failed: {error}"[:1024]
        self.hooks.buffer_log(job.id, "post-hook", reason, "error")
        cause = (f"the annotation consolidation function {hook.given} failed for every data object of a batch "
                 f"of iteration {iteration} ({len(objects)} objects): {error}")
        return {}, {o.id: reason for o in objects}, cause

    def _run_builtin(self, job: JobRow, objects: list[BatchObject], iteration: int, stamp: str,
                     created: datetime) -> tuple[dict[int, Labeled], dict[int, str]]:
        """The job's built-in consolidation over the batch; (labels, failures) by object row id.

        Classification learns each worker's reliability from the job's answers so far (the latest
        ``LEARNING_ANSWERS``), not from this batch alone. An answer that does not fit the task type is left out, with a
        warning in the job log; an object left with no usable answer fails.
        """
        # Imported here: the built-in consolidation brings numpy, scipy and Pillow (about 60 MB), which an
        # idle process (a server, a background process with nothing answered yet) does without.
        from crowdform.builtin.answers import AnswerSet, BadAnswer
        from crowdform.builtin.consolidate import Context, consolidate

        task, config = job.task_type, job.label_config
        by_position = {o.position: o for o in objects}
        if task is None or config is None:  # refused when the job was created; a guard
            return {}, {o.id: "the job has no built-in task type to consolidate with" for o in objects}
        answers = AnswerSet(task, config.labels)
        for obj in objects:
            for answer in obj.answers:
                try:
                    answers.add(obj.position, answer.worker_id, answer.answer_content)
                except BadAnswer as bad:
                    self.hooks.buffer_log(job.id, "consolidation", f"object {obj.position}: worker {answer.worker_id}'s "
                                          f"answer is left out: {bad.problem}", "warning")
        if task.shape in ("single", "multi", "verification"):
            for position, worker_id, content in self._job_answers(job.id, exclude=set(by_position)):
                try:
                    answers.add(position, worker_id, content)
                except BadAnswer:
                    pass  # reported when its own batch was consolidated
        context = Context(job_name=job.name, created=created, label_objects=config.label_objects,
                          mask_uri=lambda position: job.layout.consolidated_mask(position, created))
        result = consolidate(answers, context, objects=by_position)
        storage = self.runtime.storage
        for uri, data in result.files.items():
            storage.write_bytes(uri, data, content_type="image/png")
        lan = job.label_attribute_name
        reply = [{"datasetObjectId": str(position), "consolidatedAnnotation": {"content": {
            lan: label, f"{lan}-metadata": metadata}}} for position, (label, metadata) in sorted(result.labels.items())]
        storage.write_bytes(job.layout.consolidation_response(iteration, stamp), _json_bytes(reply),
                            content_type="application/json")
        failures = {by_position[p].id: f"consolidation failed: {reason}" for p, reason in result.failures.items()}
        failures.update({o.id: "no worker answer fits the task type (see the job log)" for p, o in by_position.items()
                         if p not in result.labels and p not in result.failures})
        return {by_position[p].id: labeled for p, labeled in result.labels.items()}, failures

    def _job_answers(self, job_id: int, exclude: set[int]) -> list[tuple[int, str, Any]]:
        """(datasetObjectId, worker id, answerContent) of the job's latest submitted answers, but ``exclude``'s.

        At most ``LEARNING_ANSWERS``: enough to learn every active worker's reliability, and it keeps
        each batch's cost flat however large the job grows (a whole-job fit per batch would be quadratic).
        """
        with self.runtime.database.read() as connection:
            rows = connection.execute(
                select(DataObject.position, Worker.worker_uid, Lease.answer)
                .join(Lease, Lease.object_id == DataObject.id).join(Worker, Worker.id == Lease.worker_id)
                .where(Lease.job_id == job_id, Lease.state == LeaseState.SUBMITTED)
                .order_by(Lease.submitted_at.desc()).limit(LEARNING_ANSWERS)
            ).all()
        return [(row.position, row.worker_uid, json.loads(row.answer)) for row in rows if row.position not in exclude]

    def _load(self, batch_id: int) -> tuple[list[BatchObject], str]:
        with self.runtime.database.read() as connection:
            stamp = connection.execute(select(ConsolidationBatch.stamp).where(ConsolidationBatch.id == batch_id)
                                       ).scalar_one()
            rows = connection.execute(select(DataObject.id, DataObject.position, DataObject.line).where(
                DataObject.batch_id == batch_id, DataObject.state == ObjectState.CONSOLIDATING,
            ).order_by(DataObject.position)).all()
            answers: dict[int, list[Any]] = {row.id: [] for row in rows}
            if rows:
                for lease in connection.execute(
                    select(Lease.object_id, Lease.answer, Lease.acquired_at, Lease.submitted_at, Lease.time_spent,
                           Worker.worker_uid, Worker.subject)
                    .join(Worker, Worker.id == Lease.worker_id)
                    .where(Lease.object_id.in_(list(answers)), Lease.state == LeaseState.SUBMITTED)
                    .order_by(Lease.submitted_at)
                ).all():
                    answers[lease.object_id].append(lease)
        out = []
        for row in rows:
            leases = answers[row.id]
            out.append(BatchObject(
                id=row.id, position=row.position, line=row.line,
                answers=[WorkerAnswer(
                    answer_content=json.loads(lease.answer), worker_id=lease.worker_uid,
                    submission_time=utc(lease.submitted_at), acceptance_time=utc(lease.acquired_at),
                    time_spent_s=lease.time_spent or 0.0,
                    identity={"identityProviderType": "Oidc", "issuer": IDENTITY_ISSUER, "sub": lease.subject},
                ) for lease in leases],
                answer_texts=[(lease.worker_uid, lease.answer) for lease in leases],
            ))
        return out, stamp

    def _finish(self, batch_id: int, labels: dict[int, tuple[Any, dict[str, Any]]], failures: dict[int, str],
                request_uri: str | None, *, job_failure: str | None = None) -> None:
        """Store the batch's outcome; with ``job_failure``, the job fails in the same transaction."""
        now = self.runtime.clock.now()
        with self.runtime.database.write() as connection:
            job_id = connection.execute(select(ConsolidationBatch.job_id).where(ConsolidationBatch.id == batch_id)
                                        ).scalar_one()
            consolidating = (DataObject.id == bindparam("object_id"), DataObject.state == ObjectState.CONSOLIDATING)
            if labels:  # one executemany per outcome rather than a statement per object
                connection.execute(update(DataObject).where(*consolidating).values(
                    state=ObjectState.LABELED, label=bindparam("label_text"), labeled_at=now),
                    [{"object_id": object_id, "label_text": json.dumps([label, metadata], ensure_ascii=False)}
                     for object_id, (label, metadata) in labels.items()])
            if failures:
                connection.execute(update(DataObject).where(*consolidating).values(
                    state=ObjectState.FAILED, failure_reason=bindparam("reason")),
                    [{"object_id": object_id, "reason": reason} for object_id, reason in failures.items()])
            state = BatchState.FAILED if failures and not labels else BatchState.DONE
            connection.execute(update(ConsolidationBatch).where(ConsolidationBatch.id == batch_id).values(
                state=state, finished_at=now, request_uri=request_uri,
                error=next(iter(failures.values()), None),
            ))
            connection.execute(update(Job).where(Job.id == job_id).values(output_dirty=True, updated_at=now))
            if job_failure is not None and fail_job(connection, job_id, job_failure, now):
                self.runtime.log(connection, job_id, "engine", f"job failed: {job_failure}", "error")


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")

