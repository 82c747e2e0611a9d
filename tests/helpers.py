"""Small builders the engine, web and CLI tests share (no fakes: they build the real objects)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crowdform.demo import prepare_example
from crowdform.engine.background import Background
from crowdform.engine.clock import Clock
from crowdform.engine.jobs import JobRow, Jobs
from crowdform.engine.runtime import Runtime
from crowdform.engine.tasks import Tasks
from crowdform.engine.workforce import WorkerInfo, Workforce
from crowdform.groundtruth.job_request import parse_create_labeling_job
from crowdform.settings import Settings

PASSWORD = "correct-horse-1"
TOP_LEVEL_KEYS = {"StoppingConditions", "LabelCategoryConfigS3Uri", "Tags"}


def open_runtime(tmp_path: Path, database_url: str, clock: Clock | None = None, **settings: Any) -> Runtime:
    defaults: dict[str, Any] = {"hook_timeout_seconds": 20.0, "output_interval_seconds": 0.0, "background": False,
                                "storage_roots": (tmp_path,), "consolidation_delay_seconds": 0.0}
    defaults.update(settings)
    return Runtime.open(Settings(data_dir=tmp_path / "data", database_url=database_url, **defaults), clock=clock)


def team_with_workers(runtime: Runtime, team: str, count: int) -> list[WorkerInfo]:
    workforce = Workforce(runtime)
    workforce.create_team(team)
    return [workforce.add_worker(f"worker{i}", team=team, password=PASSWORD)[0] for i in range(count)]


def example_job(runtime: Runtime, tmp_path: Path, *, image_prefix: str | None = None,
                output: str | None = None, **overrides: Any) -> JobRow:
    """The animal-faces example job; ``overrides`` replace HumanTaskConfig keys (or top-level ones)."""
    folder = prepare_example(tmp_path / "example", image_prefix=image_prefix)
    request = json.loads((folder / "request.json").read_text())
    for key, value in overrides.items():
        if key in request or key in TOP_LEVEL_KEYS:
            request[key] = value
        elif value is None:
            request["HumanTaskConfig"].pop(key, None)
        else:
            request["HumanTaskConfig"][key] = value
    if output is not None:
        request["OutputConfig"]["S3OutputPath"] = output
    spec = parse_create_labeling_job(request, source="test request")
    return Jobs(runtime).create(spec, base_dir=folder)


def label_everything(runtime: Runtime, job: JobRow, workers: list[WorkerInfo]) -> int:
    """Each worker takes tasks until none is left for them, answering with two boxes; returns submissions."""
    tasks = Tasks(runtime)
    background = Background(runtime)
    submitted = 0
    try:
        background.run_until_idle()
        progress = True
        while progress:
            progress = False
            for worker in workers:
                task = tasks.next_task(worker, job.name)
                if task is not None:
                    tasks.submit(worker, task.lease_id, box_answer(int(task.dataset_object_id), worker.id))
                    submitted += 1
                    progress = True
            background.run_until_idle()
    finally:
        background.stop()
    return submitted


def box_answer(position: int, worker_id: int) -> dict[str, Any]:
    return {"annotatedResult": {
        "boundingBoxes": [
            {"height": 38, "label": "eye", "left": 64 + position, "top": 96, "width": 80},
            {"height": 53, "label": "nose", "left": 192, "top": 192 + worker_id, "width": 58},
        ],
        "inputImageProperties": {"height": 480, "width": 640},
    }}


def synthetic_job(runtime: Runtime, tmp_path: Path, *, name: str, objects: int, workers_per_object: int,
                  team: str = "animal-team", max_concurrent: int = 1000) -> JobRow:
    """A custom job over ``objects`` image URIs, no hooks (task.input is the manifest line)."""
    folder = prepare_example(tmp_path / "example")
    manifest = tmp_path / f"{name}.manifest"
    manifest.write_text("".join(json.dumps({"source-ref": f"s3://bucket/img/{i:06d}.jpg"}) + "\n"
                                for i in range(objects)))
    request = json.loads((folder / "request.json").read_text())
    request.update(LabelingJobName=name, LabelAttributeName=name)
    request["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"] = str(manifest)
    human = request["HumanTaskConfig"]
    human.pop("PreHumanTaskLambdaArn")
    human.pop("AnnotationConsolidationConfig")
    human.update(NumberOfHumanWorkersPerDataObject=workers_per_object, MaxConcurrentTaskCount=max_concurrent,
                 WorkteamArn=team)
    spec = parse_create_labeling_job(request, source="synthetic request")
    return Jobs(runtime).create(spec, base_dir=folder)
