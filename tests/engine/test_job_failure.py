"""A job whose work cannot go on fails, naming the cause; retry-consolidation takes it up again.

A template that does not compile refuses the job before anything is stored.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest
from sqlalchemy import func, select

from crowdform.engine.consolidation_retry import can_retry, retry_consolidation
from crowdform.engine.jobs import Jobs
from crowdform.engine.runtime import Runtime
from crowdform.engine.tasks import Tasks
from crowdform.errors import InvalidInput
from crowdform.store.models import DataObject, Job
from tests.helpers import example_job, label_everything, open_runtime, team_with_workers

WRONG_SHAPE = '''
def lambda_handler(event, context):
    return {"this is": "not a list"}
'''


def output_lines(runtime: Runtime, name: str) -> list[dict]:  # type: ignore[type-arg]
    job = Jobs(runtime).get(name)
    return [json.loads(line) for line in Path(urlparse(job.layout.output_manifest).path).read_text().splitlines()]


def broken_post_hook_job(tmp_path: Path, database_url: str) -> tuple[Runtime, list, Path]:  # type: ignore[type-arg]
    """The example job with a post-annotation hook that replies with an object instead of a list."""
    runtime = open_runtime(tmp_path, database_url, hook_attempts=1)
    workers = team_with_workers(runtime, "animal-team", 2)
    hook = tmp_path / "hooks" / "post.py"
    hook.parent.mkdir()
    hook.write_text(WRONG_SHAPE)
    example_job(runtime, tmp_path, AnnotationConsolidationConfig={"AnnotationConsolidationLambdaArn": str(hook)})
    return runtime, workers, hook


def test_a_post_hook_reply_of_the_wrong_shape_fails_the_job_and_a_retry_completes_it(
        tmp_path: Path, database_url: str) -> None:
    runtime, workers, hook = broken_post_hook_job(tmp_path, database_url)
    jobs = Jobs(runtime)
    label_everything(runtime, jobs.get("animal-faces"), workers)
    described = jobs.describe("animal-faces")
    assert described["LabelingJobStatus"] == "Failed"
    reason = described["FailureReason"]
    assert reason.startswith("ClientError: the annotation consolidation function ") and str(hook) in reason
    assert "not a list" in reason and reason.endswith("crowdform job retry-consolidation animal-faces")
    assert len(reason) <= 1024
    failed = described["LabelCounters"]["FailedNonRetryableError"]
    assert failed >= 1 and described["LabelCounters"]["TotalLabeled"] == 0
    assert Tasks(runtime).next_task(workers[0], "animal-faces") is None  # a failed job offers no task
    log = "\n".join(entry[4] for entry in jobs.logs("animal-faces"))
    assert "job failed: ClientError" in log
    assert all("animal-faces" not in line for line in output_lines(runtime, "animal-faces"))  # written, unlabeled

    with pytest.raises(InvalidInput, match="no data object of it failed"):  # nothing to retry on a good job
        with runtime.database.write() as connection:
            connection.execute(Job.__table__.update().values(status="Completed"))
            connection.execute(DataObject.__table__.update().values(batch_id=None))
        retry_consolidation(runtime, "animal-faces")
    runtime.close()


def test_retry_consolidation_runs_the_fixed_hook_over_the_failed_objects(tmp_path: Path, database_url: str) -> None:
    runtime, workers, hook = broken_post_hook_job(tmp_path, database_url)
    jobs = Jobs(runtime)
    label_everything(runtime, jobs.get("animal-faces"), workers)
    assert jobs.get("animal-faces").status == "Failed"
    failed = jobs.describe("animal-faces")["LabelCounters"]["FailedNonRetryableError"]
    assert can_retry(runtime, jobs.get("animal-faces").id, "Failed")

    hook.write_text((tmp_path / "example" / "post_annotation.py").read_text())  # the hook, fixed
    assert retry_consolidation(runtime, "animal-faces") == failed
    described = jobs.describe("animal-faces")
    assert described["LabelingJobStatus"] == "InProgress" and "FailureReason" not in described
    assert described["LabelCounters"]["FailedNonRetryableError"] == 0
    with pytest.raises(InvalidInput, match="the job is InProgress"):
        retry_consolidation(runtime, "animal-faces")

    label_everything(runtime, jobs.get("animal-faces"), workers)  # the objects never answered get answers too
    described = jobs.describe("animal-faces")
    assert described["LabelingJobStatus"] == "Completed"
    counters = described["LabelCounters"]
    assert counters["TotalLabeled"] == 4 and counters["FailedNonRetryableError"] == 0
    lines = output_lines(runtime, "animal-faces")
    assert len(lines) == 4
    assert all(len(line["animal-faces"]["annotationsFromAllWorkers"]) == 2 for line in lines)
    log = "\n".join(entry[4] for entry in jobs.logs("animal-faces"))
    assert f"retrying consolidation of {failed} data objects; the job was Failed" in log
    runtime.close()


def test_output_that_cannot_be_written_fails_the_job_and_a_retry_resumes_it(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    workers = team_with_workers(runtime, "animal-team", 2)
    job = example_job(runtime, tmp_path)
    blocker = tmp_path / "example" / "output" / "animal-faces"  # a file where the job's output folder must go
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("in the way")
    label_everything(runtime, job, workers)
    described = Jobs(runtime).describe(job.name)
    assert described["LabelingJobStatus"] == "Failed"
    reason = described["FailureReason"]
    assert reason.startswith("ClientError: ") and "a file stands where one of its folders should be" in reason
    assert "animal-faces/annotations/worker-response" in reason

    blocker.unlink()
    retry_consolidation(runtime, job.name)
    label_everything(runtime, job, workers)
    described = Jobs(runtime).describe(job.name)
    assert described["LabelingJobStatus"] == "Completed" and described["LabelCounters"]["TotalLabeled"] == 4
    assert len(output_lines(runtime, job.name)) == 4
    runtime.close()


@pytest.mark.parametrize("template, line, column, message", [
    ("<crowd-form>\n  {% if task.input.x %}\n  <p>open</p>\n</crowd-form>\n", 2, 6, "endif"),
    ("<p>{{ task.input.x | upcase }}</p>\n<p>{{ task.input.y | }}</p>\n", 2, 7, "expected word"),
    ("<p>\n{{ task.input.x | no_such_filter }}</p>", 2, 19, "unknown filter 'no_such_filter'"),
])
def test_a_template_that_does_not_compile_refuses_the_job_with_line_and_column(
        tmp_path: Path, database_url: str, template: str, line: int, column: int, message: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 1)
    broken = tmp_path / "broken.liquid.html"
    broken.write_text(template)
    with pytest.raises(InvalidInput) as refused:
        example_job(runtime, tmp_path, UiConfig={"UiTemplateS3Uri": str(broken)})
    problem = refused.value.problems[0]
    assert refused.value.source.endswith("broken.liquid.html")
    assert problem.line == line and problem.message.startswith(f"column {column}: ") and message in problem.message
    with runtime.database.read() as connection:  # nothing half-created
        assert connection.execute(select(func.count()).select_from(Job)).scalar_one() == 0
        assert connection.execute(select(func.count()).select_from(DataObject)).scalar_one() == 0
    runtime.close()
