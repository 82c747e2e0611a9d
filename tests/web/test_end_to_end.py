"""The animal-faces example job, run by two scripted workers over HTTP against a live server
whose background work runs in its own thread, exactly as `crowdform serve` runs it."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from crowdform.engine.jobs import Jobs
from tests.engine.test_job_flow import check_example_output
from tests.fixtures.servers import start_server
from tests.helpers import PASSWORD, box_answer, example_job, open_runtime, team_with_workers


def test_two_http_workers_complete_the_example_job(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url, background=True, tick_seconds=0.05)
    workers = team_with_workers(runtime, "animal-team", 2)
    job = example_job(runtime, tmp_path)
    server = start_server(runtime.settings, runtime)
    try:
        deadline = time.monotonic() + 60
        clients = []
        for worker in workers:
            client = httpx.Client(base_url=server.url, timeout=30)
            token = client.post("/api/v1/auth/login", json={"username": worker.username, "password": PASSWORD})
            client.headers["Authorization"] = f"Bearer {token.json()['token']}"
            clients.append((worker, client))
        while Jobs(runtime).describe(job.name)["LabelingJobStatus"] != "Completed":
            assert time.monotonic() < deadline, Jobs(runtime).describe(job.name)
            for worker, client in clients:
                task = client.post(f"/api/v1/worker/jobs/{job.name}/tasks/next")
                if task.status_code == 200:
                    body = task.json()
                    saved = client.post(f"/api/v1/worker/tasks/{body['leaseId']}/submit",
                                        json={"answer": box_answer(int(body["datasetObjectId"]), worker.id)})
                    assert saved.status_code == 200 and saved.json()["saved"] is True
            time.sleep(0.05)
        for _, client in clients:
            client.close()
    finally:
        server.stop()
    check_example_output(runtime, job, workers, tmp_path)
    runtime.close()


def test_http_workers_complete_a_built_in_bounding_box_job(tmp_path: Path, database_url: str) -> None:
    """A job made with --task-type's pieces (no template, no hooks): the task page is the built-in
    template rendered on the built-in task input, and the output is Ground Truth's object-detection format."""
    import json

    from PIL import Image

    from crowdform.groundtruth.job_request import parse_create_labeling_job, request_from_flags

    runtime = open_runtime(tmp_path, database_url, background=True, tick_seconds=0.05)
    workers = team_with_workers(runtime, "crew", 2)
    Image.new("RGB", (64, 48), (90, 120, 160)).save(tmp_path / "face.png")
    (tmp_path / "input.manifest").write_text(json.dumps({"source-ref": str(tmp_path / "face.png")}) + "\n")
    (tmp_path / "labels.json").write_text(json.dumps({"labels": [{"label": "eye"}, {"label": "nose"}]}))
    body = request_from_flags(name="faces", manifest=str(tmp_path / "input.manifest"), output=str(tmp_path / "out"),
                              template=None, team="crew", pre_hook="builtin:bounding-box",
                              post_hook="builtin:bounding-box", workers_per_object=2,
                              labels_uri=str(tmp_path / "labels.json"))
    job = Jobs(runtime).create(parse_create_labeling_job(body, source="test"), base_dir=tmp_path)
    server = start_server(runtime.settings, runtime)
    try:
        deadline = time.monotonic() + 60
        for index, worker in enumerate(workers):
            with httpx.Client(base_url=server.url, timeout=30) as client:
                token = client.post("/api/v1/auth/login", json={"username": worker.username, "password": PASSWORD})
                client.headers["Authorization"] = f"Bearer {token.json()['token']}"
                task = client.post(f"/api/v1/worker/jobs/{job.name}/tasks/next")
                while task.status_code == 204:  # the first iteration is still being prepared
                    assert time.monotonic() < deadline
                    time.sleep(0.05)
                    task = client.post(f"/api/v1/worker/jobs/{job.name}/tasks/next")
                lease = task.json()["leaseId"]
                assert task.json()["taskInput"]["labels"] == ["eye", "nose"]
                page = client.get(f"/api/v1/worker/tasks/{lease}/page")
                assert page.status_code == 200
                assert '<crowd-bounding-box' in page.text and 'name="boundingBox"' in page.text
                assert "/files/" in page.text and str(tmp_path) not in page.text  # a signed URL, not the path
                answer = {"boundingBox": {"boundingBoxes": [{"label": "nose", "left": 20 + index, "top": 10,
                                                             "width": 12, "height": 9}],
                                          "inputImageProperties": {"width": 64, "height": 48}}}
                saved = client.post(f"/api/v1/worker/tasks/{lease}/submit", json={"answer": answer})
                assert saved.status_code == 200 and saved.json()["saved"] is True
        while Jobs(runtime).describe(job.name)["LabelingJobStatus"] != "Completed":
            assert time.monotonic() < deadline, Jobs(runtime).describe(job.name)
            time.sleep(0.05)
    finally:
        server.stop()
    line = json.loads(Path(job.layout.output_manifest.removeprefix("file://")).read_text())
    assert line["faces"] == {"image_size": [{"width": 64, "height": 48, "depth": 3}],
                             "annotations": [{"class_id": 1, "left": 20, "top": 10, "width": 12, "height": 9}]}
    assert line["faces-metadata"]["class-map"] == {"1": "nose"}
    assert line["faces-metadata"]["type"] == "groundtruth/object-detection"
    runtime.close()
