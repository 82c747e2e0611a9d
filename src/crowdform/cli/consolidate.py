"""``crowdform consolidate``: re-consolidate the worker responses of a Ground Truth-layout output offline."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from crowdform.cli.common import DataDirOption, console, settings_from
from crowdform.groundtruth.task_types import BY_NAME
from crowdform.manifest.label_categories import parse_label_category_config

# Listed here rather than imported from the engine, which loads numpy and scipy; a test keeps the
# two lists equal.
ALGORITHM_CHOICES = ("dawid-skene", "aws-dawid-skene", "one-coin", "glad", "majority-vote")


def consolidate(
    task_type: Annotated[str, typer.Option("--task-type", help=f"Built-in task type: {', '.join(BY_NAME)}.")],
    responses: Annotated[str, typer.Option("--responses", help="A job's output folder, its annotations/ folder or its worker-response/ folder (local path, file:// or s3:// URI); or a .csv / .jsonl table of object,worker,answer rows.")],
    manifest: Annotated[str, typer.Option("--manifest", help="The job's input manifest: object ids are its line positions.")],
    labels: Annotated[Optional[str], typer.Option("--labels", help="Label category configuration file: fixes the class indexes. Default: the labels answered, sorted.")] = None,
    label_attribute: Annotated[Optional[str], typer.Option("--label-attribute", help="Key of the label in the output manifest. Default: the job folder's name.")] = None,
    algorithm: Annotated[Optional[str], typer.Option("--algorithm", help=f"Single-label classification algorithm: {', '.join(ALGORITHM_CHOICES)} (default {ALGORITHM_CHOICES[0]}).", show_default=False)] = None,
    output: Annotated[str, typer.Option("--output", help="Output manifest to write.")] = "output.manifest",
    worker_report: Annotated[Optional[str], typer.Option("--worker-report", help="Also write one JSON line per worker: answers, agreement with the consolidated label, estimated accuracy.")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Consolidate the worker responses of a Ground Truth-layout output into an output manifest."""
    from crowdform.engine.reconsolidation import Request, job_name_from, reconsolidate

    from crowdform.engine.runtime import open_storage

    settings = settings_from(data_dir, operator_paths=(responses, manifest, labels, output, worker_report))
    storage = open_storage(settings)
    label_config = None
    if labels is not None:
        task = BY_NAME.get(task_type)
        label_config = parse_label_category_config(storage.read_text(labels), source=labels,
                                                   min_labels=task.min_labels if task else 1)  # spec 1.4
    job_name = job_name_from(storage.normalize(responses))
    request = Request(task_type=task_type, responses=responses, manifest=manifest, output=output, job_name=job_name,
                      label_attribute=label_attribute or job_name, algorithm=algorithm,
                      labels=label_config.labels if label_config else None,
                      label_objects=tuple(label_config.label_objects) if label_config else (),
                      worker_report=worker_report)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        bar = progress.add_task("Reading worker responses", total=None)
        summary = reconsolidate(storage, request, created=datetime.now(timezone.utc),
                                progress=lambda done, total: progress.update(bar, completed=done, total=total))
    console.print(f"Consolidated {summary.objects:,} of {summary.lines:,} objects from {summary.files:,} response files "
                  f"({summary.workers:,} workers) into {output}.")
    if worker_report is not None:
        console.print(f"Worker report: {worker_report}")
