"""The admin API over real HTTP: a template that does not compile refuses the job with its line and
column; a failed job's FailureReason; ``POST /api/v1/jobs/{name}/retry-consolidation``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crowdform.demo import prepare_example
from crowdform.engine.jobs import Jobs
from crowdform.engine.runtime import Runtime
from crowdform.engine.workforce import Workforce
from tests.engine.test_job_failure import WRONG_SHAPE
from tests.fixtures.servers import start_server
from tests.helpers import label_everything, open_runtime, team_with_workers


@pytest.fixture
def api(tmp_path: Path, database_url: str) -> Iterator[tuple[httpx.Client, Runtime]]:
    runtime = open_runtime(tmp_path, database_url, hook_attempts=1)
    token = Workforce(runtime).create_admin_token("script")
    server = start_server(runtime.settings, runtime)
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        yield client, runtime
    server.stop()
    runtime.close()


def example_request(tmp_path: Path) -> dict:  # type: ignore[type-arg]
    """The example's request with absolute paths (the server reads relative ones from its own folder)."""
    folder = prepare_example(tmp_path / "example")
    request = json.loads((folder / "request.json").read_text())
    request["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"] = str(folder / "manifest.jsonl")
    request["OutputConfig"]["S3OutputPath"] = str(tmp_path / "output")
    request["LabelCategoryConfigS3Uri"] = str(folder / "labels.json")
    human = request["HumanTaskConfig"]
    human["UiConfig"]["UiTemplateS3Uri"] = str(folder / "template.liquid.html")
    human["PreHumanTaskLambdaArn"] = str(folder / "pre_annotation.py")
    human["AnnotationConsolidationConfig"]["AnnotationConsolidationLambdaArn"] = str(folder / "post_annotation.py")
    return request


def test_create_refuses_a_template_that_does_not_compile(api: tuple[httpx.Client, Runtime], tmp_path: Path) -> None:
    client, runtime = api
    team_with_workers(runtime, "animal-team", 1)
    request = example_request(tmp_path)
    broken = tmp_path / "broken.liquid.html"
    broken.write_text("<crowd-form>\n  {% for label in task.input.labels %}\n  <p>{{ label }}</p>\n</crowd-form>\n")
    request["HumanTaskConfig"]["UiConfig"]["UiTemplateS3Uri"] = str(broken)
    refused = client.post("/api/v1/jobs", json=request)
    assert refused.status_code == 400, refused.text
    body = refused.json()
    assert body["error"] == "ValidationException" and body["source"] == broken.as_uri()
    assert body["problems"][0]["line"] == 2 and body["problems"][0]["message"].startswith("column ")
    assert "endfor" in body["problems"][0]["message"] and body["problems"][0]["hint"]
    assert client.get("/api/v1/jobs").json()["LabelingJobSummaryList"] == []  # nothing half-created
    assert client.post("/api/v1/jobs", json=example_request(tmp_path)).status_code == 201


def test_describe_gives_the_failure_reason_and_retry_consolidation_resumes_the_job(
        api: tuple[httpx.Client, Runtime], tmp_path: Path) -> None:
    client, runtime = api
    workers = team_with_workers(runtime, "animal-team", 2)
    request = example_request(tmp_path)
    hook = tmp_path / "post.py"
    hook.write_text(WRONG_SHAPE)
    request["HumanTaskConfig"]["AnnotationConsolidationConfig"]["AnnotationConsolidationLambdaArn"] = str(hook)
    assert client.post("/api/v1/jobs", json=request).status_code == 201
    refused = client.post("/api/v1/jobs/animal-faces/retry-consolidation")
    assert refused.status_code == 400 and "the job is Initializing" in refused.json()["message"]

    label_everything(runtime, Jobs(runtime).get("animal-faces"), workers)
    described = client.get("/api/v1/jobs/animal-faces").json()
    assert described["LabelingJobStatus"] == "Failed"
    assert described["FailureReason"].startswith("ClientError: the annotation consolidation function")
    summary = client.get("/api/v1/jobs").json()["LabelingJobSummaryList"][0]
    assert summary["FailureReason"] == described["FailureReason"]

    hook.write_text((tmp_path / "example" / "post_annotation.py").read_text())
    retried = client.post("/api/v1/jobs/animal-faces/retry-consolidation")
    assert retried.status_code == 200, retried.text
    assert retried.json() == {"RetriedObjects": described["LabelCounters"]["FailedNonRetryableError"],
                              "LabelingJobStatus": "InProgress"}
    assert client.post("/api/v1/jobs/nope/retry-consolidation").status_code == 404
    label_everything(runtime, Jobs(runtime).get("animal-faces"), workers)
    described = client.get("/api/v1/jobs/animal-faces").json()
    assert described["LabelingJobStatus"] == "Completed" and "FailureReason" not in described
    output = client.get("/api/v1/jobs/animal-faces/output-manifest").text.splitlines()
    assert len(output) == 4 and all("animal-faces" in json.loads(line) for line in output)
