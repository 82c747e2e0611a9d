"""The console's read-only views: sorted pages of jobs, pages of data objects with answers and labels."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crowdform.engine.background import Background
from crowdform.engine.job_views import active_tasks, input_lines, job_page, log_tail, object_page, object_view
from crowdform.engine.jobs import Jobs
from crowdform.engine.runtime import Runtime
from crowdform.engine.tasks import Tasks
from crowdform.errors import InvalidInput, NotFound
from tests.helpers import box_answer, example_job, label_everything, open_runtime, synthetic_job, team_with_workers


@pytest.fixture
def runtime(tmp_path: Path, database_url: str) -> Iterator[Runtime]:
    rt = open_runtime(tmp_path, database_url)
    yield rt
    rt.close()


def test_jobs_are_paged_and_sorted_by_each_column(runtime: Runtime, tmp_path: Path) -> None:
    workers = team_with_workers(runtime, "animal-team", 1)
    for name, objects in (("bravo", 3), ("alpha", 5), ("charlie", 2)):
        synthetic_job(runtime, tmp_path, name=name, objects=objects, workers_per_object=1)
    tasks, background = Tasks(runtime), Background(runtime)
    background.run_until_idle()
    task = tasks.next_task(workers[0], "charlie")  # charlie: 1 of 2 labeled
    assert task is not None
    tasks.submit(workers[0], task.lease_id, box_answer(0, workers[0].id))
    background.run_until_idle()
    background.stop()

    newest_first = job_page(runtime)
    assert [j.name for j in newest_first.jobs] == ["charlie", "alpha", "bravo"]
    assert newest_first.total == 3 and newest_first.pages == 1
    charlie = newest_first.jobs[0]
    assert (charlie.labeled, charlie.object_count, charlie.percent, charlie.team, charlie.task_type) == (
        1, 2, 50, "animal-team", "Custom")
    assert [j.name for j in job_page(runtime, sort="name", descending=False).jobs] == ["alpha", "bravo", "charlie"]
    assert job_page(runtime, sort="progress").jobs[0].name == "charlie"
    assert job_page(runtime, sort="team").total == 3
    two = job_page(runtime, sort="name", descending=False, page=2, page_size=2)
    assert [j.name for j in two.jobs] == ["charlie"] and two.pages == 2
    assert job_page(runtime, page=9).jobs == []
    with pytest.raises(InvalidInput, match="sort.*Sort by one of: name, status"):
        job_page(runtime, sort="colour")


def test_a_page_of_objects_has_each_workers_answer_and_the_label(runtime: Runtime, tmp_path: Path) -> None:
    workers = team_with_workers(runtime, "animal-team", 2)
    job = example_job(runtime, tmp_path)
    label_everything(runtime, job, workers)

    page = object_page(runtime, job.name)
    assert page.total == 4 and [o.position for o in page.objects] == [0, 1, 2, 3]
    first = page.objects[0]
    assert first.state == "labeled" and first.source.endswith("cat.png")
    assert sorted(a.worker for a in first.answers) == ["worker0", "worker1"]
    assert all(a.state == "submitted" and "annotatedResult" in a.answer for a in first.answers)
    assert len(first.label["annotationsFromAllWorkers"]) == 2
    assert first.label_metadata["type"] == "groundtruth/custom"

    second = object_page(runtime, job.name, page=2, page_size=3)
    assert [o.position for o in second.objects] == [3] and second.pages == 2
    assert object_page(runtime, job.name, state="labeled", page=2, page_size=3).objects[0].position == 3
    assert object_page(runtime, job.name, state="failed").total == 0
    with pytest.raises(InvalidInput, match="state"):
        object_page(runtime, job.name, state="lost")

    _job, view = object_view(runtime, job.name, 2)
    assert view.position == 2 and view.data["animal"] == "owl"
    with pytest.raises(NotFound, match="no data object 7: its datasetObjectIds are 0 to 3"):
        object_view(runtime, job.name, 7)
    assert active_tasks(runtime, job) == 0


def test_objects_being_worked_on_show_the_worker_without_an_answer(runtime: Runtime, tmp_path: Path) -> None:
    workers = team_with_workers(runtime, "animal-team", 1)
    job = synthetic_job(runtime, tmp_path, name="busy", objects=60, workers_per_object=1)
    background = Background(runtime)
    background.run_until_idle()
    background.stop()
    task = Tasks(runtime).next_task(workers[0], job.name)
    assert task is not None
    page = object_page(runtime, job.name)
    assert len(page.objects) == 50 and page.pages == 2
    held = next(o for o in page.objects if o.answers)
    assert held.answers[0].state == "active" and held.answers[0].answer is None
    assert active_tasks(runtime, job) == 1
    assert [o.position for o in object_page(runtime, job.name, page=2).objects] == list(range(50, 60))


def test_the_input_manifest_and_the_log_tail(runtime: Runtime, tmp_path: Path) -> None:
    team_with_workers(runtime, "animal-team", 1)
    job = synthetic_job(runtime, tmp_path, name="lines", objects=7, workers_per_object=1)
    manifest = (tmp_path / "lines.manifest").read_text().splitlines()
    assert list(input_lines(runtime, job)) == manifest
    for i in range(5):
        runtime.log_now(job.id, "pre-hook", f"line {i}")
    tail = log_tail(runtime, job, limit=3)
    assert [line.message for line in tail] == ["line 2", "line 3", "line 4"]
    assert Jobs(runtime).get("lines").object_count == 7
