"""Sliding release: MaxConcurrentTaskCount objects stay in flight, refilled as objects leave, so a crowd
never waits for a whole batch to drain before the next one is released."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from crowdform.engine.background import Background
from crowdform.engine.jobs import Jobs
from crowdform.engine.preparation import refill_step
from crowdform.engine.states import ObjectState
from crowdform.engine.tasks import Tasks
from crowdform.store.models import DataObject
from tests.fixtures.servers import start_server
from tests.helpers import PASSWORD, open_runtime, synthetic_job, team_with_workers


def states(runtime, job_id: int) -> Counter[str]:  # type: ignore[no-untyped-def]
    with runtime.database.read() as connection:
        return Counter(dict(connection.execute(select(DataObject.state, func.count()).where(
            DataObject.job_id == job_id).group_by(DataObject.state)).all()))


def test_objects_are_released_as_others_leave_and_numbered_by_iteration(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    worker = team_with_workers(runtime, "animal-team", 1)[0]
    job = synthetic_job(runtime, tmp_path, name="sliding", objects=25, workers_per_object=1, max_concurrent=10)
    assert refill_step(10) == 1  # a small set is refilled object by object
    background, tasks = Background(runtime), Tasks(runtime)
    try:
        background.run_until_idle()
        assert states(runtime, job.id)[ObjectState.READY] == 10
        for _ in range(3):  # three objects leave the in-flight set: three more come in, without a barrier
            task = tasks.next_task(worker, job.name)
            assert task is not None
            tasks.submit(worker, task.lease_id, {"label": "x"})
        background.run_until_idle()
        counted = states(runtime, job.id)
        assert counted[ObjectState.READY] == 10 and counted[ObjectState.QUEUED] == 12
        while (task := tasks.next_task(worker, job.name)) is not None:
            tasks.submit(worker, task.lease_id, {"label": "x"})
            background.run_until_idle()
        assert Jobs(runtime).describe(job.name)["LabelingJobStatus"] == "Completed"
    finally:
        background.stop()
    with runtime.database.read() as connection:
        iterations = dict(connection.execute(select(DataObject.position, DataObject.iteration)
                                             .where(DataObject.job_id == job.id)).all())
    # The k-th object released (in manifest order) belongs to iteration k // MaxConcurrentTaskCount + 1.
    assert iterations == {position: position // 10 + 1 for position in range(25)}
    runtime.close()


def test_big_sets_are_refilled_in_steps_that_keep_most_of_the_set_on_offer() -> None:
    assert refill_step(5000) == 250 and refill_step(1000) == 50 and refill_step(40) == 2 and refill_step(1) == 1


@pytest.mark.slow
def test_a_crowd_never_hears_no_task_while_unreleased_objects_remain(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url, background=True, tick_seconds=0.05)
    usernames = [w.username for w in team_with_workers(runtime, "animal-team", 4)]
    job = synthetic_job(runtime, tmp_path, name="crowd", objects=400, workers_per_object=1, max_concurrent=40)
    server = start_server(runtime.settings, runtime)
    early: list[str] = []  # "no task" answers given while objects were still queued
    errors: list[str] = []
    lock = threading.Lock()

    def queued() -> int:
        return states(runtime, job.id)[ObjectState.QUEUED]

    def work(username: str) -> None:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            token = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD}).json()["token"]
            client.headers["Authorization"] = f"Bearer {token}"
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                task = client.post(f"/api/v1/worker/jobs/{job.name}/tasks/next")
                if task.status_code == 204:
                    # Objects only ever leave QUEUED, so any still queued now were queued at the answer.
                    left = queued()
                    if left:
                        with lock:
                            early.append(f"{username}: no task while {left} objects were queued")
                    if not left:
                        return
                    time.sleep(0.05)
                    continue
                body = task.json()
                saved = client.post(f"/api/v1/worker/tasks/{body['leaseId']}/submit", json={"answer": {"label": "x"}})
                if saved.status_code != 200:
                    with lock:
                        errors.append(f"{saved.status_code} {saved.text}")
                    return

    try:
        deadline = time.monotonic() + 60  # the first objects are released by the server's background work
        while Jobs(runtime).describe(job.name)["LabelingJobStatus"] != "InProgress" and time.monotonic() < deadline:
            time.sleep(0.05)
        threads = [threading.Thread(target=work, args=(u,)) for u in usernames]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        deadline = time.monotonic() + 60
        while Jobs(runtime).describe(job.name)["LabelingJobStatus"] != "Completed" and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.stop()
    assert errors == [] and early == []
    assert Jobs(runtime).describe(job.name)["LabelCounters"]["TotalLabeled"] == 400
    runtime.close()
