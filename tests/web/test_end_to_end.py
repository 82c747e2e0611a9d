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
