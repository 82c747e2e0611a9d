"""``crowdform job ...``: create, list, describe, stop, retry the consolidation of, wait for, and read the
log of labeling jobs."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from crowdform.cli.common import DatabaseUrlOption, DataDirOption, console, open_runtime
from crowdform.engine.consolidation_retry import retry_consolidation
from crowdform.engine.jobs import OUTPUT_BUCKET, JobRow, Jobs, is_label_list, label_category_uri, task_type_request
from crowdform.engine.runtime import Runtime
from crowdform.engine.states import JobStatus
from crowdform.errors import InvalidInput
from crowdform.groundtruth.job_request import JobSpec, parse_create_labeling_job
from crowdform.groundtruth.task_types import BY_NAME, TaskType, task_type_named

job_app = typer.Typer(help="Labeling jobs.", no_args_is_help=True)


TASK_TYPE_HELP = ("Built-in task type: " + ", ".join(BY_NAME) + ". Sets the built-in pre-annotation and "
                  "consolidation functions and template; give its labels with --labels.")


@job_app.command("create")
def job_create(
    name: Annotated[Optional[str], typer.Argument(help="Job name (with the flags below; not with --from-request).")] = None,
    from_request: Annotated[Optional[Path], typer.Option("--from-request", help="JSON body of a SageMaker CreateLabelingJob request. Relative paths in it are read from the file's folder.")] = None,
    manifest: Annotated[Optional[str], typer.Option("--manifest", help="Input manifest: local path, file:// or s3:// URI.")] = None,
    task_type: Annotated[Optional[str], typer.Option("--task-type", help=TASK_TYPE_HELP, show_default=False)] = None,
    template: Annotated[Optional[str], typer.Option("--template", help="Worker task template (Liquid + crowd elements). Default with --task-type: the type's own.")] = None,
    team: Annotated[Optional[str], typer.Option("--team", help="Private team that works on the job.")] = None,
    output: Annotated[Optional[str], typer.Option("--output", help="Output location; the job writes to <output>/<name>/. Default: <data folder>/buckets/crowdform-output.")] = None,
    pre_hook: Annotated[Optional[str], typer.Option("--pre-hook", help="Pre-annotation hook: handler.py[:func], module:function, URL, registered name or Lambda ARN.")] = None,
    post_hook: Annotated[Optional[str], typer.Option("--post-hook", help="Post-annotation (consolidation) hook, same forms as --pre-hook.")] = None,
    workers_per_object: Annotated[Optional[int], typer.Option("--workers-per-object", help="Distinct workers who label each object (1-9). Default: 1, or the task type's console default (3; 5 for bounding boxes).", show_default=False)] = None,
    label_attribute_name: Annotated[Optional[str], typer.Option("--label-attribute-name", help="Key of the label in the output manifest. Default: the job name.")] = None,
    labels: Annotated[Optional[str], typer.Option("--labels", help="Label category configuration file (LabelCategoryConfigS3Uri), or the labels themselves separated by commas (eye,nose).")] = None,
    audit_label_attribute: Annotated[Optional[str], typer.Option("--audit-label-attribute", help="Adjustment and verification task types: the label attribute name of the labels to review (the label file's auditLabelAttributeName).")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="Task title shown to workers.")] = None,
    description: Annotated[Optional[str], typer.Option("--description", help="Task description shown to workers.")] = None,
    task_time_limit: Annotated[int, typer.Option("--task-time-limit", help="Seconds a worker may hold one task (30-28800).")] = 300,
    data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None,
) -> None:
    """Create a labeling job and ingest its manifest (nothing is created if anything is wrong).

    Either NAME with flags, or --from-request FILE. A built-in task type needs no template or hooks:
    crowdform job create birds --task-type bounding-box --labels eye,nose --manifest M --team T
    """
    # What the operator typed is read wherever it is; the output is written later by the server, within its roots.
    typed = (from_request, manifest, template, labels if labels is not None and not is_label_list(labels) else None)
    with open_runtime(data_dir, database_url, operator_paths=typed) as runtime:
        if from_request is not None:
            if name is not None:
                raise InvalidInput.one("job create", "give either a NAME with flags or --from-request, not both",
                                       field="NAME", value=name)
            spec, base_dir = _spec_from_request(from_request), from_request.resolve().parent
            job = _create(runtime, spec, base_dir)
        else:
            task = _task_type(task_type)
            with label_category_uri(runtime.settings.buckets_dir, name or "job", labels,
                                    audit_label_attribute) as labels_uri:  # removed again if the job is refused
                spec = _spec_from_flags(
                    name=name, manifest=manifest, task=task, template=template, team=team,
                    output=output or str(runtime.settings.buckets_dir / OUTPUT_BUCKET), pre_hook=pre_hook, post_hook=post_hook,
                    workers_per_object=workers_per_object, label_attribute_name=label_attribute_name,
                    labels_uri=labels_uri, title=title, description=description, task_time_limit=task_time_limit)
                job = _create(runtime, spec, Path.cwd())
    kind = f" ({job.task_type.title})" if job.task_type else ""
    console.print(f"Created labeling job [bold]{job.name}[/bold]{kind} ({job.arn}) with {job.object_count:,} data objects.")
    console.print(f"Output: {job.layout.job_dir}")


def _create(runtime: Runtime, spec: JobSpec, base_dir: Path) -> JobRow:
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed:,} lines"),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        bar = progress.add_task(f"Ingesting {spec.manifest_uri}", total=None)
        return Jobs(runtime).create(spec, base_dir=base_dir, progress=lambda n: progress.advance(bar, n))


def _spec_from_request(path: Path) -> JobSpec:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput.one(str(path), "the request file does not exist") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput.one(str(path), f"not valid JSON: {exc.msg}", line=exc.lineno,
                               hint="The file must hold the JSON body of a CreateLabelingJob request") from None
    return parse_create_labeling_job(body, source=str(path))


def _task_type(name: str | None) -> TaskType | None:
    if name is None:
        return None
    task = task_type_named(name)
    if task is None:
        raise InvalidInput.one("--task-type", "is not a built-in task type crowdform runs", value=name,
                               hint=f"Use one of {', '.join(BY_NAME)}")
    return task


def _spec_from_flags(*, name: str | None, manifest: str | None, task: TaskType | None, template: str | None,
                     team: str | None, output: str, pre_hook: str | None, post_hook: str | None,
                     workers_per_object: int | None, label_attribute_name: str | None, labels_uri: str | None,
                     title: str | None, description: str | None, task_time_limit: int) -> JobSpec:
    required = [("NAME", name), ("--manifest", manifest), ("--team", team)]
    if task is None:
        required.append(("--template", template))
    missing = [flag for flag, value in required if not value]
    if missing:
        raise InvalidInput.one("job create", f"missing {', '.join(missing)}",
                               hint="Give NAME --manifest --team and --task-type or --template, or --from-request FILE")
    assert name and manifest and team  # checked just above
    body = task_type_request(
        task, name=name, manifest=manifest, output=output, template=template, team=team, pre_hook=pre_hook,
        post_hook=post_hook, workers_per_object=workers_per_object, label_attribute_name=label_attribute_name,
        labels_uri=labels_uri, title=title, description=description, task_time_limit=task_time_limit,
    )
    return parse_create_labeling_job(body, source="job create flags")


@job_app.command("list")
def job_list(data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None,
             as_json: Annotated[bool, typer.Option("--json", help="ListLabelingJobs-shaped JSON.")] = False) -> None:
    """List labeling jobs, newest first."""
    with open_runtime(data_dir, database_url) as runtime:
        jobs = Jobs(runtime).list_jobs()
    if as_json:
        console.print_json(json.dumps({"LabelingJobSummaryList": jobs}))
        return
    table = Table("name", "status", "labeled", "failed", "unlabeled", "created")
    for job in jobs:
        c = job["LabelCounters"]
        table.add_row(job["LabelingJobName"], job["LabelingJobStatus"], str(c["TotalLabeled"]),
                      str(c["FailedNonRetryableError"]), str(c["Unlabeled"]), job["CreationTime"])
    console.print(table)


@job_app.command("describe")
def job_describe(name: str, data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None,
                 as_json: Annotated[bool, typer.Option("--json", help="DescribeLabelingJob-shaped JSON.")] = False) -> None:
    """Show a job's status, counters and output location."""
    with open_runtime(data_dir, database_url) as runtime:
        described = Jobs(runtime).describe(name)
    if as_json:
        print(json.dumps(described, indent=2))
        return
    _print_summary(described)


def _print_summary(d: dict[str, Any]) -> None:
    c = d["LabelCounters"]
    console.print(f"[bold]{d['LabelingJobName']}[/bold]  {d['LabelingJobStatus']}")
    console.print(f"  labeled {c['TotalLabeled']}, failed {c['FailedNonRetryableError']}, unlabeled {c['Unlabeled']}")
    if "FailureReason" in d:
        console.print(f"  failure: {d['FailureReason']}")
    if "LabelingJobOutput" in d:
        console.print(f"  output manifest: {d['LabelingJobOutput']['OutputDatasetS3Uri']}")


@job_app.command("stop")
def job_stop(name: str, data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None) -> None:
    """Stop a job: open tasks are withdrawn, answers already given are consolidated, then it is Stopped."""
    with open_runtime(data_dir, database_url) as runtime:
        Jobs(runtime).stop(name)
    console.print(f"Stopping {name}. A running `crowdform serve` finishes the stop.")


@job_app.command("retry-consolidation")
def job_retry_consolidation(name: str, data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None) -> None:
    """Consolidate again the objects that failed in consolidation, once the hook is fixed.

    A Failed job goes back to InProgress (a Stopped one to Stopping); a running `crowdform serve` runs
    the post-annotation hook over those objects and rewrites the output manifest.
    """
    with open_runtime(data_dir, database_url) as runtime:
        count = retry_consolidation(runtime, name)
        status = Jobs(runtime).get(name).status
    print(f"{name}: {count} data objects go back to consolidation; the job is {status}. "
          "A running `crowdform serve` consolidates them.")


@job_app.command("wait")
def job_wait(
    name: str,
    timeout: Annotated[float, typer.Option("--timeout", help="Give up after this many seconds (exit code 1).")] = 0,
    interval: Annotated[float, typer.Option("--interval", help="Seconds between checks.")] = 1.0,
    data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None,
) -> None:
    """Wait until a job is Completed, Stopped or Failed (a `crowdform serve` must be running the job)."""
    deadline = time.monotonic() + timeout if timeout else None
    with open_runtime(data_dir, database_url) as runtime:
        jobs = Jobs(runtime)
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console, transient=True) as progress:
            bar = progress.add_task(name, total=None)
            while True:
                described = jobs.describe(name)
                c = described["LabelCounters"]
                done = c["TotalLabeled"] + c["FailedNonRetryableError"]
                progress.update(bar, description=f"{name}: {described['LabelingJobStatus']}, "
                                                 f"{done}/{done + c['Unlabeled']} objects done")
                if described["LabelingJobStatus"] in JobStatus.TERMINAL:
                    break
                if deadline is not None and time.monotonic() > deadline:
                    _print_summary(described)
                    raise typer.Exit(1)
                time.sleep(interval)
    _print_summary(described)
    if described["LabelingJobStatus"] == JobStatus.FAILED:
        raise typer.Exit(1)


@job_app.command("logs")
def job_logs(name: str, data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None,
             follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing new lines.")] = False) -> None:
    """Print a job's log: hook output (stdout/stderr), hook failures, warnings, engine events."""
    last = 0
    with open_runtime(data_dir, database_url) as runtime:
        jobs = Jobs(runtime)
        while True:
            for entry_id, at, source, level, message in jobs.logs(name, after_id=last):
                stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(at))
                print(f"{stamp} {source:<9} {level:<7} {message}", flush=True)
                last = entry_id
            if not follow:
                return
            time.sleep(1.0)
