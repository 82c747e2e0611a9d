"""Per-worker counts per job: submitted and declined tasks and the median time per task, from one query."""

from __future__ import annotations

from pathlib import Path

from crowdform.engine.background import Background
from crowdform.engine.clock import ManualClock
from crowdform.engine.tasks import Tasks
from crowdform.engine.worker_stats import WorkerJobStats, WorkerStats
from crowdform.engine.workforce import WorkerInfo, Workforce
from tests.helpers import PASSWORD, box_answer, open_runtime, synthetic_job, team_with_workers


def test_counts_and_medians_per_worker_and_job(tmp_path: Path, database_url: str) -> None:
    clock = ManualClock()
    runtime = open_runtime(tmp_path, database_url, clock=clock)
    workers = team_with_workers(runtime, "animal-team", 3)
    workforce = Workforce(runtime)
    workforce.create_team("other-team")
    outsider, _ = workforce.add_worker("outsider", team="other-team", password=PASSWORD)
    job = synthetic_job(runtime, tmp_path, name="stats-job", objects=8, workers_per_object=4)
    other_job = synthetic_job(runtime, tmp_path, name="other-job", objects=2, workers_per_object=1, team="other-team")
    Background(runtime).run_until_idle()
    tasks = Tasks(runtime)

    def work(worker: WorkerInfo, seconds: float, job_name: str = job.name) -> None:
        task = tasks.next_task(worker, job_name)
        assert task is not None
        clock.advance(seconds)
        tasks.submit(worker, task.lease_id, box_answer(int(task.dataset_object_id), worker.id))

    def decline(worker: WorkerInfo) -> None:
        task = tasks.next_task(worker, job.name)
        assert task is not None
        tasks.decline(worker, task.lease_id)

    for seconds in (60, 10, 20):  # odd count: the middle time
        work(workers[0], seconds)
    for seconds in (100, 10, 30, 20):  # even count: the mean of the two middle times
        work(workers[1], seconds)
    decline(workers[1])
    decline(workers[2])  # declined only: no time to take a median of
    work(outsider, 5, other_job.name)
    tasks.next_task(workers[2], job.name)  # held, neither submitted nor declined: not counted

    stats = WorkerStats(runtime)
    assert stats.per_job(team="animal-team") == [
        WorkerJobStats("worker0", "stats-job", submitted=3, declined=0, median_seconds=20.0),
        WorkerJobStats("worker1", "stats-job", submitted=4, declined=1, median_seconds=25.0),
        WorkerJobStats("worker2", "stats-job", submitted=0, declined=1, median_seconds=None),
    ]
    assert [(s.username, s.job_name) for s in stats.per_job()] == [
        ("outsider", "other-job"), ("worker0", "stats-job"), ("worker1", "stats-job"), ("worker2", "stats-job")]
    assert stats.per_job(team="no-such-team") == []
    runtime.close()
