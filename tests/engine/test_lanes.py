"""Each job's background work runs in a lane of its own: a job whose hook hangs holds no other job."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from crowdform.engine.background import Background
from crowdform.engine.jobs import Jobs
from crowdform.engine.lanes import Lanes
from crowdform.engine.states import ObjectState
from crowdform.engine.tasks import Tasks
from crowdform.store.models import DataObject
from tests.engine.test_hook_outcomes import write_hook
from tests.helpers import example_job, open_runtime, synthetic_job, team_with_workers


def wait_until(condition, seconds: float = 60):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not (found := condition()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def test_a_hanging_pre_hook_on_one_job_does_not_hold_another_job(tmp_path: Path, database_url: str) -> None:
    go = tmp_path / "go"
    # Job A's pre-annotation hook waits until the test lets it go: a hook as slow as one can be.
    hanging = write_hook(tmp_path, "hanging", f'''
import os, time
def lambda_handler(event, context):
    while not os.path.exists({str(go)!r}):
        time.sleep(0.05)
    return {{"taskInput": event["dataObject"]}}
''')
    runtime = open_runtime(tmp_path, database_url, background=True, tick_seconds=0.05, hook_timeout_seconds=600)
    worker = team_with_workers(runtime, "animal-team", 1)[0]
    job_a = example_job(runtime, tmp_path, PreHumanTaskLambdaArn=hanging)  # created first, so listed first
    job_b = synthetic_job(runtime, tmp_path, name="unrelated", objects=20, workers_per_object=1)
    jobs, tasks = Jobs(runtime), Tasks(runtime)
    background = Background(runtime)
    background.start()
    try:
        labeled = 0
        deadline = time.monotonic() + 120
        while jobs.describe(job_b.name)["LabelingJobStatus"] != "Completed" and time.monotonic() < deadline:
            task = tasks.next_task(worker, job_b.name)
            if task is None:
                time.sleep(0.05)
                continue
            tasks.submit(worker, task.lease_id, {"label": "x"})
            labeled += 1
        assert jobs.describe(job_b.name)["LabelingJobStatus"] == "Completed" and labeled == 20
        with runtime.database.read() as connection:  # meanwhile job A is still in its hook, as it must be
            preparing = connection.execute(select(func.count()).where(
                DataObject.job_id == job_a.id, DataObject.state == ObjectState.PREPARING)).scalar_one()
        assert preparing == 4
        go.touch()
        assert wait_until(lambda: tasks.next_task(worker, job_a.name) is not None)  # A goes on once its hook returns
    finally:
        background.stop()
    runtime.close()


def test_a_job_is_never_in_two_lanes_and_busy_jobs_take_turns() -> None:
    lanes = Lanes(2, name="test-lane")
    release = threading.Event()
    order: list[int] = []

    def work(job: int) -> bool:
        release.wait(30)
        order.append(job)
        return job == 1

    try:
        assert lanes.start(1, lambda: work(1))
        assert not lanes.start(1, lambda: work(1))  # still running: not queued twice
        assert lanes.start(2, lambda: work(2)) and lanes.start(3, lambda: work(3))  # 3 waits for a lane
        release.set()
        assert lanes.wait_all(30) == {1: True, 2: False, 3: False}
        assert sorted(order) == [1, 2, 3]
        assert lanes.start(1, lambda: 1 / 0 > 0)  # work that raises counts as having done nothing
        assert lanes.wait_all(30) == {1: False}
    finally:
        lanes.close(5)
