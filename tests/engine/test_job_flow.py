"""A custom job from manifest to output manifest, through the engine, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from crowdform.engine.background import Background
from crowdform.engine.jobs import Jobs
from crowdform.engine.tasks import Tasks
from tests.helpers import example_job, label_everything, open_runtime, team_with_workers

STAMP = re.compile(r"^\d{4}-\d\d-\d\d_\d\d:\d\d:\d\d\.json$")


def local(uri: str) -> Path:
    return Path(urlparse(uri).path)


def test_example_job_writes_every_ground_truth_file(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    workers = team_with_workers(runtime, "animal-team", 2)
    job = example_job(runtime, tmp_path)
    assert Jobs(runtime).describe(job.name)["LabelingJobStatus"] == "Initializing"

    assert label_everything(runtime, job, workers) == 8  # 4 images x 2 workers

    check_example_output(runtime, job, workers, tmp_path)
    runtime.close()


def test_without_post_hook_labels_are_empty_with_worker_response_ref(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    workers = team_with_workers(runtime, "animal-team", 2)
    job = example_job(runtime, tmp_path, AnnotationConsolidationConfig=None)
    label_everything(runtime, job, workers)
    lines = [json.loads(line) for line in local(job.layout.output_manifest).read_text().splitlines()]
    for line in lines:
        assert line["animal-faces"] == {}
        ref = line["animal-faces-metadata"]["worker-response-ref"]
        assert "/annotations/worker-response/iteration-1/" in ref and local(ref).is_file()
    runtime.close()


def test_restart_mid_job_loses_nothing(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    workers = team_with_workers(runtime, "animal-team", 2)
    job = example_job(runtime, tmp_path)
    Background(runtime).run_until_idle()
    tasks = Tasks(runtime)
    task = tasks.next_task(workers[0], job.name)
    assert task is not None
    tasks.submit(workers[0], task.lease_id, {"annotatedResult": {"boundingBoxes": []}})
    held = tasks.next_task(workers[1], job.name)
    assert held is not None
    runtime.close()

    runtime = open_runtime(tmp_path, database_url)  # a new process on the same database
    tasks = Tasks(runtime)
    again = tasks.next_task(workers[1], job.name)
    assert again is not None and again.lease_id == held.lease_id  # the open task is handed back, not lost
    label_everything(runtime, job, workers)
    described = Jobs(runtime).describe(job.name)
    assert described["LabelingJobStatus"] == "Completed"
    lines = [json.loads(line) for line in local(job.layout.output_manifest).read_text().splitlines()]
    first = next(line for line in lines if line["source-ref"].endswith(f"/{_animal(tmp_path, task.dataset_object_id)}"))
    contents = [a["annotationData"] for a in first["animal-faces"]["annotationsFromAllWorkers"]]
    assert {"annotatedResult": {"boundingBoxes": []}} in contents
    runtime.close()


def _animal(tmp_path: Path, dataset_object_id: str) -> str:
    lines = (tmp_path / "example" / "manifest.jsonl").read_text().splitlines()
    return json.loads(lines[int(dataset_object_id)])["source-ref"].rsplit("/", 1)[-1]


@pytest.mark.parametrize("workers_per_object", [1, 3])
def test_each_object_gets_n_distinct_workers(tmp_path: Path, database_url: str, workers_per_object: int) -> None:
    runtime = open_runtime(tmp_path, database_url)
    workers = team_with_workers(runtime, "animal-team", 4)
    job = example_job(runtime, tmp_path, NumberOfHumanWorkersPerDataObject=workers_per_object)
    assert label_everything(runtime, job, workers) == 4 * workers_per_object
    lines = [json.loads(line) for line in local(job.layout.output_manifest).read_text().splitlines()]
    for line in lines:
        ids = [a["workerId"] for a in line["animal-faces"]["annotationsFromAllWorkers"]]
        assert len(ids) == len(set(ids)) == workers_per_object
    runtime.close()


def check_example_output(runtime, job, workers, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Every Ground Truth file of a completed local animal-faces job (2 workers per image)."""
    described = Jobs(runtime).describe(job.name)
    assert described["LabelingJobStatus"] == "Completed"
    assert described["LabelCounters"] == {"TotalLabeled": 4, "HumanLabeled": 4, "MachineLabeled": 0,
                                          "FailedNonRetryableError": 0, "Unlabeled": 0}
    job_dir = local(job.layout.job_dir)
    manifest_uri = described["LabelingJobOutput"]["OutputDatasetS3Uri"]
    assert manifest_uri.endswith("/animal-faces/manifests/output/output.manifest")
    lines = [json.loads(line) for line in local(manifest_uri).read_text().splitlines()]
    inputs = [json.loads(line) for line in (tmp_path / "example" / "manifest.jsonl").read_text().splitlines()]
    assert len(lines) == len(inputs) == 4
    for position, (line, original) in enumerate(zip(lines, inputs)):
        assert list(line)[:2] == list(original)  # input keys first, in order
        assert list(line)[2:] == ["animal-faces", "animal-faces-metadata"]
        answers = line["animal-faces"]["annotationsFromAllWorkers"]
        assert sorted(a["workerId"] for a in answers) == sorted(w.worker_uid for w in workers)
        assert all(a["annotationData"]["annotatedResult"]["boundingBoxes"][0]["left"] == 64 + position for a in answers)
        metadata = line["animal-faces-metadata"]
        assert metadata["type"] == "groundtruth/custom" and metadata["job-name"] == "animal-faces"
        assert metadata["human-annotated"] == "yes"
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$", metadata["creation-date"])

    # worker-response files: one folder per datasetObjectId, one answer per worker
    for position in range(4):
        folder = job_dir / "annotations/worker-response/iteration-1" / str(position)
        files = list(folder.iterdir())
        assert len(files) == 1 and STAMP.match(files[0].name)
        document = json.loads(files[0].read_text())
        assert len(document["answers"]) == 2
        for answer in document["answers"]:
            assert set(answer) >= {"answerContent", "submissionTime", "workerId", "acceptanceTime",
                                   "timeSpentInSeconds", "workerMetadata"}
            assert answer["submissionTime"].endswith("Z")
    requests = list((job_dir / "annotations/consolidated-annotation/consolidation-request/iteration-1").iterdir())
    responses = list((job_dir / "annotations/consolidated-annotation/consolidation-response/iteration-1").iterdir())
    assert requests and responses and all(STAMP.match(f.name) for f in requests + responses)
    items = [item for f in requests for item in json.loads(f.read_text())]
    assert sorted(item["datasetObjectId"] for item in items) == ["0", "1", "2", "3"]
    first = next(item for item in items if item["datasetObjectId"] == "0")
    assert first["dataObject"] == {"s3Uri": inputs[0]["source-ref"]}
    content = first["annotations"][0]["annotationData"]["content"]
    assert isinstance(content, str) and "annotatedResult" in json.loads(content)
    intermediate = (job_dir / "annotations/intermediate/1/annotations.json").read_text().splitlines()
    assert [json.loads(r)["datasetObjectId"] for r in intermediate] == ["0", "1", "2", "3"]
    logs = [entry[4] for entry in Jobs(runtime).logs(job.name)]
    assert any("pre-annotation for" in m for m in logs) and any("consolidated" in m for m in logs)
