"""A task whose page the template cannot render for its data object: the worker API answers 409, the
object is set aside (failed, its task withdrawn) and the worker gets the next task; a template that
fails on every task input workers were given, before any answer, fails the job. Real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crowdform.engine.background import Background
from crowdform.engine.jobs import Jobs
from crowdform.engine.runtime import Runtime
from tests.fixtures.servers import LiveServer, start_server
from tests.helpers import PASSWORD, box_answer, example_job, open_runtime, team_with_workers


@pytest.fixture
def served(tmp_path: Path, database_url: str) -> Iterator[tuple[LiveServer, Runtime]]:
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 1)
    server = start_server(runtime.settings, runtime)
    yield server, runtime
    server.stop()
    runtime.close()


def job_with_template(runtime: Runtime, tmp_path: Path, template: str) -> str:
    """The example job without hooks (``task.input`` is the manifest line), one worker per object."""
    path = tmp_path / "page.liquid.html"
    path.write_text(template)
    job = example_job(runtime, tmp_path, UiConfig={"UiTemplateS3Uri": str(path)}, PreHumanTaskLambdaArn=None,
                      AnnotationConsolidationConfig=None, NumberOfHumanWorkersPerDataObject=1)
    Background(runtime).run_until_idle()  # release the objects
    return job.name


def worker_client(server: LiveServer) -> httpx.Client:
    token = httpx.post(f"{server.url}/api/v1/auth/login",
                       json={"username": "worker0", "password": PASSWORD}).json()["token"]
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def test_a_task_input_the_template_cannot_render_is_set_aside_and_the_worker_goes_on(
        served: tuple[LiveServer, Runtime], tmp_path: Path) -> None:
    server, runtime = served
    name = job_with_template(runtime, tmp_path, '<crowd-form><p>{{ task.input.animal }}</p>'
                             '{% if task.input.animal == "cat" %}{{ task.input | grant_read_access }}{% endif %}'
                             '</crowd-form>')
    shown = 0
    with worker_client(server) as client:
        while (task := client.post(f"/api/v1/worker/jobs/{name}/tasks/next")).status_code == 200:
            lease = task.json()
            page = client.get(f"/api/v1/worker/tasks/{lease['leaseId']}/page")
            if page.status_code == 409:
                message = page.json()["message"]
                assert message.startswith("This task cannot be shown: the job's worker template fails on its data")
                assert "ask for the next task" in message
                refused = client.post(f"/api/v1/worker/tasks/{lease['leaseId']}/submit",
                                      json={"answer": box_answer(0, 0)})
                assert refused.status_code == 409  # withdrawn: not the worker's to submit
                continue
            assert page.status_code == 200, page.text
            shown += 1
            submitted = client.post(f"/api/v1/worker/tasks/{lease['leaseId']}/submit",
                                    json={"answer": box_answer(int(lease["datasetObjectId"]), 0)})
            assert submitted.status_code == 200, submitted.text
    assert shown == 3
    Background(runtime).run_until_idle()
    described = Jobs(runtime).describe(name)
    assert described["LabelingJobStatus"] == "Completed" and "FailureReason" not in described
    assert described["LabelCounters"]["TotalLabeled"] == 3
    assert described["LabelCounters"]["FailedNonRetryableError"] == 1
    log = "\n".join(entry[4] for entry in Jobs(runtime).logs(name))
    assert "the worker template cannot be rendered with this data object's task input" in log


def test_a_template_that_renders_for_no_task_input_fails_the_job(served: tuple[LiveServer, Runtime],
                                                                 tmp_path: Path) -> None:
    server, runtime = served
    name = job_with_template(runtime, tmp_path, "<crowd-form>{{ task.input | grant_read_access }}</crowd-form>")
    with worker_client(server) as client:
        for _ in range(4):
            lease = client.post(f"/api/v1/worker/jobs/{name}/tasks/next").json()
            assert client.get(f"/api/v1/worker/tasks/{lease['leaseId']}/page").status_code == 409
        assert client.post(f"/api/v1/worker/jobs/{name}/tasks/next").status_code in (204, 404, 409)
    described = Jobs(runtime).describe(name)
    assert described["LabelingJobStatus"] == "Failed"
    reason = described["FailureReason"]
    assert reason.startswith("ClientError: the worker template failed to render for the first 4 data objects")
    assert "grant_read_access" in reason
    assert reason.endswith("Check the template against the task inputs (crowdform render) and create the job again")
