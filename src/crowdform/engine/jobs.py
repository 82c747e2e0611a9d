"""Create, describe, list and stop labeling jobs.

Creating a job reads the template, the label categories and the whole input manifest, and inserts
the job with one row per manifest line in ONE transaction: a manifest with bad lines, an unknown
team or a missing hook leaves nothing behind. Ingest (engine/ingest.py) streams the manifest and
inserts as it reads, so memory stays flat for a million lines.
"""

from __future__ import annotations

import json
import re
import secrets
import string
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from crowdform.builtin.worker_templates import worker_template
from crowdform.engine.clock import utc
from crowdform.engine.hook_registry import HookRegistry
from crowdform.engine.ingest import ingest_manifest, refresh_statistics, refuse_private_files
from crowdform.engine.runtime import Runtime
from crowdform.engine.states import JobStatus, LeaseState, ObjectState
from crowdform.engine.tags import put_tags, tags_of
from crowdform.engine.workforce import Workforce
from crowdform.errors import Conflict, InvalidInput, NotFound
from crowdform.groundtruth.arns import NAME_PATTERN, labeling_job_arn
from crowdform.groundtruth.job_request import JobSpec, request_from_flags
from crowdform.groundtruth.layout import JobLayout
from crowdform.groundtruth.task_types import BY_NAME, TaskType
from crowdform.manifest.label_categories import LabelCategoryConfig, parse_label_category_config
from crowdform.store.models import DataObject, Job, JobLogEntry, Lease

MAX_TEMPLATE_CHARS = 128_000
# The buckets of the data folder (Settings.buckets_dir) that job files crowdform writes itself go to:
# the label files of labels given inline, and the output of `crowdform job create` without --output.
LABEL_CATEGORIES_BUCKET = "crowdform-label-categories"
OUTPUT_BUCKET = "crowdform-output"


@dataclass(frozen=True)
class JobRow:
    """The columns of a job the engine works with (a plain value, safe to pass between threads)."""

    id: int
    name: str
    arn: str
    status: str
    label_attribute_name: str
    output_path: str
    label_categories: tuple[str, ...] | None
    label_config: LabelCategoryConfig | None
    """The label category file (labels, display names, instructions, ``auditLabelAttributeName``)."""
    task_type: TaskType | None
    """The built-in task type; None for a custom job."""
    team_id: int
    template: str
    pre_hook: str | None
    post_hook: str | None
    workers_per_object: int
    task_time_limit: int
    availability_lifetime: int
    max_concurrent: int
    max_human_labeled: int | None
    max_percent_labeled: int | None
    object_count: int
    iteration: int
    request: str
    role_arn: str | None
    title: str
    description: str
    keywords: tuple[str, ...]

    @property
    def layout(self) -> JobLayout:
        return JobLayout(self.output_path, self.name)


def job_row(row: Any) -> JobRow:
    request = json.loads(row.request)
    human = request.get("HumanTaskConfig", {})
    return JobRow(
        id=row.id, name=row.name, arn=row.arn, status=row.status, label_attribute_name=row.label_attribute_name,
        output_path=row.output_path,
        label_categories=None if row.label_categories is None else tuple(json.loads(row.label_categories)),
        label_config=None if row.label_config is None else LabelCategoryConfig.from_document(json.loads(row.label_config)),
        task_type=None if row.task_type is None else BY_NAME[row.task_type],
        team_id=row.team_id, template=row.template, pre_hook=row.pre_hook, post_hook=row.post_hook,
        workers_per_object=row.workers_per_object, task_time_limit=row.task_time_limit,
        availability_lifetime=row.availability_lifetime, max_concurrent=row.max_concurrent,
        max_human_labeled=row.max_human_labeled, max_percent_labeled=row.max_percent_labeled,
        object_count=row.object_count, iteration=row.iteration, request=row.request,
        role_arn=request.get("RoleArn"), title=human.get("TaskTitle", row.name),
        description=human.get("TaskDescription", ""), keywords=tuple(human.get("TaskKeywords", ())),
    )


def load_job(connection: Connection, name: str) -> JobRow:
    row = connection.execute(select(Job).where(Job.name_key == name.lower())).first()
    if row is None:
        raise NotFound(f"Labeling job {name!r} does not exist. List jobs with: crowdform job list")
    return job_row(row)


def label_counters(connection: Connection, job_id: int, object_count: int) -> dict[str, int]:
    """Ground Truth's LabelCounters, derived from object states so they can never drift. Only the
    final states are counted (``Unlabeled`` is the rest): two ranges of the (job, state) index, not
    every object of the job."""
    by_state = dict(connection.execute(
        select(DataObject.state, func.count())
        .where(DataObject.job_id == job_id, DataObject.state.in_((ObjectState.LABELED, ObjectState.FAILED)))
        .group_by(DataObject.state)
    ).all())
    return counters_from_states(by_state, object_count)


def counters_from_states(by_state: dict[str, int], object_count: int) -> dict[str, int]:
    """LabelCounters from the number of a job's objects in each state."""
    labeled = by_state.get(ObjectState.LABELED, 0)
    failed = by_state.get(ObjectState.FAILED, 0)
    return {
        "TotalLabeled": labeled,
        "HumanLabeled": labeled,
        "MachineLabeled": 0,
        "FailedNonRetryableError": failed,
        "Unlabeled": object_count - labeled - failed,
    }


def write_label_category_file(buckets_dir: Path, job_name: str, labels: str | None,
                              audit_label_attribute: str | None) -> Path:
    """A label category file (spec 1.4) for labels given inline, in the data folder's bucket
    ``crowdform-label-categories`` (``buckets_dir``, where the job may read it; docs/decisions.md, "What may be served").

    ``labels`` is ``eye,nose``, or a label file to copy (when only the audited label attribute is added). The name is made unique, so a refused job never overwrites another's file.
    """
    document: dict[str, Any] = {"document-version": "2018-11-28", "labels": []}
    if labels is not None and Path(labels).is_file():
        document = parse_label_category_config(Path(labels).read_text(encoding="utf-8"), source=labels).document
    elif labels is not None:
        document["labels"] = [{"label": label.strip()} for label in labels.split(",") if label.strip()]
    if audit_label_attribute is not None:
        document["auditLabelAttributeName"] = audit_label_attribute
    folder = buckets_dir / LABEL_CATEGORIES_BUCKET
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{job_name}-{_random_code(8).lower()}.json"
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path.resolve()


def is_label_list(value: str) -> bool:
    """``eye,nose`` rather than a label file: not an existing file, not a URI, not a .json name."""
    return not (Path(value).is_file() or "://" in value or value.lower().endswith(".json"))


@contextmanager
def label_category_uri(buckets_dir: Path, job_name: str, labels: str | None,
                       audit_label_attribute: str | None) -> Iterator[str | None]:
    """The ``LabelCategoryConfigS3Uri`` of a job whose labels are given as ``crowdform job create --labels``
    takes them (and the console's built-in task types): ``labels`` itself when it names a label file
    and no audited label attribute is added, else a file written by :func:`write_label_category_file`.
    A file written here is removed again when the block raises, so a refused job leaves nothing behind.
    """
    if audit_label_attribute is not None and labels is not None and not is_label_list(labels) \
            and not Path(labels).is_file():
        raise InvalidInput.one(labels, "the audited label attribute can be added to a local label file only",
                               field="auditLabelAttributeName", value=audit_label_attribute,
                               hint='Add "auditLabelAttributeName" to the label file itself, or list the labels')
    written: Path | None = None
    if labels is not None and is_label_list(labels) or audit_label_attribute is not None:
        # The job name becomes part of a file name: one that is no job name (refused later) is not used.
        safe_name = job_name if re.fullmatch(NAME_PATTERN, job_name) else "job"
        written = write_label_category_file(buckets_dir, safe_name, labels, audit_label_attribute)
    try:
        yield str(written) if written is not None else labels
    except BaseException:
        if written is not None:
            written.unlink(missing_ok=True)  # nothing of a refused job is left behind
        raise


def task_type_request(task: TaskType | None, *, name: str, manifest: str, output: str, template: str | None,
                      team: str, pre_hook: str | None = None, post_hook: str | None = None,
                      workers_per_object: Any = None, title: str | None = None, **flags: Any) -> dict[str, Any]:
    """:func:`request_from_flags` with a built-in task type's defaults for what is not given: its
    ``PRE-``/``ACS-`` functions, its workers per object (1 for a custom job), and its title as the
    task title. ``template`` None leaves the type's own template to :meth:`Jobs.create`. ``flags`` are
    request_from_flags' other keywords."""
    return request_from_flags(
        name=name, manifest=manifest, output=output, template=template, team=team,
        pre_hook=pre_hook or (task.pre_function if task else None),
        post_hook=post_hook or (task.consolidation_function if task else None),
        workers_per_object=workers_per_object if workers_per_object is not None else (
            task.default_workers if task else 1),
        title=title or (task.title if task else None), **flags,
    )


def _iso(epoch: float | None) -> str | None:
    return None if epoch is None else utc(epoch).isoformat(timespec="milliseconds")


class Jobs:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.hooks = HookRegistry(runtime)
        self.workforce = Workforce(runtime)

    # ---------------------------------------------------------------- create
    def create(self, spec: JobSpec, *, base_dir: Path, progress: Callable[[int], None] | None = None) -> JobRow:
        """Validate everything, then create the job and ingest its manifest in one transaction."""
        storage = self.runtime.storage

        def uri(value: str) -> str:
            return storage.normalize(_relative_to(value, base_dir))
        manifest_uri = uri(spec.manifest_uri)
        output_path = uri(spec.output_path)
        if not storage.is_s3(output_path):
            storage.local_path(output_path)  # outside the roots, private or hidden: refused now, not at the first write
        task = spec.task_type
        config = None
        if spec.label_category_config_uri:
            label_uri = uri(spec.label_category_config_uri)
            config = parse_label_category_config(storage.read_text(label_uri), source=label_uri,
                                                 min_labels=task.min_labels if task else 1)
            if task is not None and task.review is not None and config.audit_label_attribute_name is None:
                raise InvalidInput.one(label_uri, f"a {task.title.lower()} job reviews the labels of an earlier job, "
                                       "and this file does not say which", field="auditLabelAttributeName",
                                       hint='Add "auditLabelAttributeName": "<the earlier job\'s LabelAttributeName>" '
                                            "(with crowdform job create: --audit-label-attribute)")
        template = self._template(spec, task, uri)
        self.hooks.ensure_environments(spec.pre_hook, spec.post_hook)  # built outside the write transaction
        try:
            job = self._insert(spec, manifest_uri, output_path, config, template, base_dir, progress)
        except IntegrityError:
            with self.runtime.database.read() as connection:
                taken = connection.execute(select(Job.id).where(Job.name_key == spec.name.lower())).first()
            if taken is None:
                raise
            raise _name_taken(spec.name) from None  # another request took the name after our check
        refresh_statistics(self.runtime.database)
        return job

    def _insert(self, spec: JobSpec, manifest_uri: str, output_path: str, config: LabelCategoryConfig | None,
                template: str, base_dir: Path, progress: Callable[[int], None] | None) -> JobRow:
        """The job's row, its tags and one row per manifest line, in one transaction."""
        task = spec.task_type
        labels = None if config is None else config.labels
        now = self.runtime.clock.now()
        settings, storage = self.runtime.settings, self.runtime.storage
        with self.runtime.database.write() as connection:
            if connection.execute(select(Job.id).where(Job.name_key == spec.name.lower())).first():
                raise _name_taken(spec.name)
            try:
                team_id = self.workforce.team_id(connection, spec.team)
            except NotFound as missing:
                raise NotFound(f"HumanTaskConfig.WorkteamArn: {missing}") from None
            pre = spec.pre_hook and self.hooks.resolve(connection, spec.pre_hook, base_dir=base_dir,
                                                        field_name="HumanTaskConfig.PreHumanTaskLambdaArn")
            post = spec.post_hook and self.hooks.resolve(
                connection, spec.post_hook, base_dir=base_dir,
                field_name="HumanTaskConfig.AnnotationConsolidationConfig.AnnotationConsolidationLambdaArn")
            job_id = connection.execute(insert(Job).values(
                name=spec.name, name_key=spec.name.lower(),
                arn=labeling_job_arn(settings.region, settings.account_id, spec.name),
                status=JobStatus.INITIALIZING, request=json.dumps(spec.request),
                label_attribute_name=spec.label_attribute_name, output_path=output_path,
                label_categories=None if labels is None else json.dumps(list(labels)),
                label_config=None if config is None else json.dumps(config.document, ensure_ascii=False),
                task_type=None if task is None else task.name,
                team_id=team_id, template=template,
                pre_hook=pre.to_json() if pre else None, post_hook=post.to_json() if post else None,
                workers_per_object=spec.workers_per_object, task_time_limit=spec.task_time_limit,
                availability_lifetime=spec.availability_lifetime, max_concurrent=spec.max_concurrent,
                max_human_labeled=spec.max_human_labeled, max_percent_labeled=spec.max_percent_labeled,
                object_count=0, iteration=0, reference_code=settings.account_id + _random_code(16),
                created_at=now, updated_at=now, output_dirty=False,  # nothing to write until a label exists
            ).returning(Job.id)).scalar_one()
            count = ingest_manifest(connection, job_id, storage.iter_lines(manifest_uri),
                                    source=manifest_uri, label_attribute_name=spec.label_attribute_name,
                                    progress=progress,
                                    refuse_value=refuse_private_files(storage, settings.buckets_dir.resolve()))
            connection.execute(update(Job).where(Job.id == job_id).values(object_count=count))
            put_tags(connection, labeling_job_arn(settings.region, settings.account_id, spec.name),
                     [(tag["Key"], tag["Value"]) for tag in spec.request.get("Tags") or ()])
            self.runtime.log(connection, job_id, "engine", f"created with {count} data objects from {manifest_uri}")
            return load_job(connection, spec.name)

    def _template(self, spec: JobSpec, task: TaskType | None, uri: Callable[[str], str]) -> str:
        """The job's worker template: its own, else its built-in task type's (also for Ground Truth's
        ``HumanTaskUiArn`` of named entity recognition). Its own is compiled here, the one step every
        way of creating a job goes through, so a Liquid syntax error refuses the job with its line and
        column instead of leaving workers with tasks that cannot be shown."""
        if spec.template_uri:
            template_uri = uri(spec.template_uri)
            template = self._read_template(template_uri)
            if template:
                from crowdform.templating import compile_template  # python-liquid: not for the background's idle work

                compile_template(template, template_uri)
                return template
        elif task is not None:
            return worker_template(task.name)
        raise InvalidInput.one("CreateLabelingJob", "a worker template is required",
                               field="HumanTaskConfig.UiConfig.UiTemplateS3Uri",
                               hint="Give the URI of your Liquid/HTML template, or name a built-in task type")

    def _read_template(self, uri: str) -> str:
        text = self.runtime.storage.read_text(uri)
        if len(text) > MAX_TEMPLATE_CHARS:
            raise InvalidInput.one(uri, f"the template has {len(text)} characters, more than {MAX_TEMPLATE_CHARS}",
                                   hint="Move large scripts or styles out of the template")
        return text

    # ---------------------------------------------------------------- read
    def get(self, name: str) -> JobRow:
        with self.runtime.database.read() as connection:
            return load_job(connection, name)

    def describe(self, name: str, *, epoch_times: bool = False) -> dict[str, Any]:
        """The job in the shape of SageMaker's DescribeLabelingJob response; times as ISO 8601 text,
        or as epoch seconds (``epoch_times``, SageMaker's wire form)."""
        with self.runtime.database.read() as connection:
            row = connection.execute(select(Job).where(Job.name_key == name.lower())).first()
            if row is None:
                raise NotFound(f"Labeling job {name!r} does not exist. List jobs with: crowdform job list")
            counters = label_counters(connection, row.id, row.object_count)
            tags = tags_of(connection, row.arn)
        return describe_job(row, counters, tags, epoch_times=epoch_times)

    def list_jobs(self) -> list[dict[str, Any]]:
        """ListLabelingJobs summaries, newest first."""
        with self.runtime.database.read() as connection:
            rows = connection.execute(select(Job).order_by(Job.created_at.desc(), Job.id.desc())).all()
            summaries = []
            for row in rows:
                d = describe_job(row, label_counters(connection, row.id, row.object_count), [])
                summaries.append({k: d[k] for k in (
                    "LabelingJobName", "LabelingJobArn", "CreationTime", "LastModifiedTime", "LabelingJobStatus",
                    "LabelCounters", "FailureReason", "LabelingJobOutput", "InputConfig") if k in d}
                    | {"WorkteamArn": d["HumanTaskConfig"].get("WorkteamArn")})
            return summaries

    def logs(self, name: str, *, after_id: int = 0) -> list[tuple[int, float, str, str, str]]:
        """(id, time, source, level, message) of the job's log lines after ``after_id``."""
        with self.runtime.database.read() as connection:
            job = load_job(connection, name)
            rows = connection.execute(
                select(JobLogEntry.id, JobLogEntry.at, JobLogEntry.source, JobLogEntry.level, JobLogEntry.message)
                .where(JobLogEntry.job_id == job.id, JobLogEntry.id > after_id).order_by(JobLogEntry.id)
            ).all()
            return [(r.id, r.at, r.source, r.level, r.message) for r in rows]

    # ---------------------------------------------------------------- stop
    def stop(self, name: str) -> None:
        """StopLabelingJob: ``Stopping`` now; the background work finishes what was answered, then ``Stopped``."""
        now = self.runtime.clock.now()
        with self.runtime.database.write() as connection:
            job = load_job(connection, name)
            if job.status in JobStatus.TERMINAL or job.status == JobStatus.STOPPING:
                raise InvalidInput.one("StopLabelingJob", f"the job is already {job.status}", field="LabelingJobName",
                                       value=name, hint="Only a running job can be stopped")
            begin_stopping(connection, job.id, now)
            self.runtime.log(connection, job.id, "engine", "stop requested")


def begin_stopping(connection: Connection, job_id: int, now: float) -> None:
    """Move a job to Stopping: cancel open leases, and send objects that have answers to consolidation."""
    connection.execute(update(Job).where(Job.id == job_id).values(status=JobStatus.STOPPING, updated_at=now,
                                                                  output_dirty=True))
    active = connection.execute(select(Lease.object_id).where(
        Lease.job_id == job_id, Lease.state == LeaseState.ACTIVE)).scalars().all()
    connection.execute(update(Lease).where(Lease.job_id == job_id, Lease.state == LeaseState.ACTIVE)
                       .values(state=LeaseState.CANCELLED))
    for object_id in active:
        connection.execute(update(DataObject).where(DataObject.id == object_id)
                           .values(slots_taken=DataObject.slots_taken - 1))
    connection.execute(update(DataObject).where(
        DataObject.job_id == job_id, DataObject.state == ObjectState.READY, DataObject.answers > 0,
    ).values(state=ObjectState.ANSWERED, answered_at=now))


def describe_job(row: Any, counters: dict[str, int], tags: list[tuple[str, str]], *,
                 epoch_times: bool = False) -> dict[str, Any]:
    """A ``jobs`` row as DescribeLabelingJob has it: the request echoed, the state and counters, the
    tags the job has now (``Tags`` left out when it has none)."""
    request = json.loads(row.request)
    time: Callable[[float], Any] = float if epoch_times else _iso
    out: dict[str, Any] = {
        "LabelingJobStatus": row.status,
        "LabelCounters": counters,
        "CreationTime": time(row.created_at),
        "LastModifiedTime": time(row.updated_at),
        "JobReferenceCode": row.reference_code,
        "LabelingJobName": row.name,
        "LabelingJobArn": row.arn,
        "LabelAttributeName": row.label_attribute_name,
        "InputConfig": request.get("InputConfig", {}),
        "OutputConfig": {"KmsKeyId": "", **request.get("OutputConfig", {})},
        "RoleArn": request.get("RoleArn", ""),
        "HumanTaskConfig": request.get("HumanTaskConfig", {}),
    }
    for key in ("LabelCategoryConfigS3Uri", "StoppingConditions", "LabelingJobAlgorithmsConfig"):
        if key in request:
            out[key] = request[key]
    if tags:
        out["Tags"] = [{"Key": key, "Value": value} for key, value in tags]
    if row.failure_reason:
        out["FailureReason"] = row.failure_reason
    if row.output_written_at is not None:
        out["LabelingJobOutput"] = {"OutputDatasetS3Uri": JobLayout(row.output_path, row.name).output_manifest}
    return out


def _name_taken(name: str) -> Conflict:
    return Conflict(f"A labeling job named {name!r} already exists (names are unique, ignoring case). "
                    "Choose another LabelingJobName.")


def _relative_to(value: str, base_dir: Path) -> str:
    """Resolve a relative local path against ``base_dir``; URIs and absolute paths pass unchanged."""
    if "://" in value or Path(value).is_absolute():
        return value
    return str(base_dir / value)


def _random_code(length: int) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def iter_job_rows(connection: Connection, statuses: tuple[str, ...]) -> Iterator[JobRow]:
    for row in connection.execute(select(Job).where(Job.status.in_(statuses)).order_by(Job.id)).all():
        yield job_row(row)

