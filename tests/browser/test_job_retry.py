"""The job page's "Retry consolidation" button in a real browser: a job whose post-annotation hook
replied with the wrong shape shows its failure reason; once the hook is fixed, the button sends the
failed objects back to consolidation and the page follows the job to Completed. And the portal, when
the template cannot render a task: it says so and offers the next task."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from crowdform.engine.jobs import Jobs
from crowdform.engine.runtime import Runtime
from tests.browser.helpers import screenshot
from tests.browser.test_admin_jobs import admin_page, answer_tasks, served_console  # noqa: F401 (a fixture)
from tests.engine.test_job_failure import WRONG_SHAPE
from tests.fixtures.servers import LiveServer
from tests.helpers import example_job

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.slow


def wait_for_status(runtime: Runtime, name: str, status: str) -> None:
    deadline = time.monotonic() + 60
    while Jobs(runtime).get(name).status != status:
        assert time.monotonic() < deadline, f"{name} is {Jobs(runtime).get(name).status}, not {status}"
        time.sleep(0.05)


def test_the_retry_button_takes_a_failed_job_to_completed(
        browser: Browser, served_console: tuple[LiveServer, Runtime, Path], tmp_path: Path) -> None:
    server, runtime, folder = served_console
    hook = tmp_path / "post.py"
    hook.write_text(WRONG_SHAPE)
    job = example_job(runtime, tmp_path / "job", NumberOfHumanWorkersPerDataObject=1,
                      AnnotationConsolidationConfig={"AnnotationConsolidationLambdaArn": str(hook)})
    answer_tasks(server, job.name, 0, 1)
    wait_for_status(runtime, job.name, "Failed")

    page = admin_page(browser, server)
    page.goto(f"{server.url}/admin/jobs/{job.name}")
    assert page.locator("[data-testid=job-status]").inner_text() == "Failed"
    reason = page.locator("[data-testid=failure-reason]").inner_text()
    assert reason.startswith("Failure reason: ClientError: the annotation consolidation function")
    assert "not a list" in reason
    assert page.locator("#stop-job").count() == 0
    screenshot(page, "admin-job-failed")

    hook.write_text((folder / "post_annotation.py").read_text())
    page.click("#retry-consolidation")
    page.wait_for_url(f"{server.url}/admin/jobs/{job.name}")
    assert page.locator("[data-testid=job-status]").inner_text() in ("InProgress", "Completed")
    assert page.locator("[data-testid=failure-reason]").count() == 0
    answer_tasks(server, job.name, 0, 3)
    page.locator("[data-testid=job-status]", has_text="Completed").wait_for(timeout=60_000)
    assert "4 of 4" in page.locator("[data-testid=label-counters]").inner_text()
    assert page.locator("#retry-consolidation").count() == 0  # nothing left to retry
    assert page.errors == []  # type: ignore[attr-defined]


def test_the_portal_says_a_task_cannot_be_shown_and_offers_the_next(
        browser: Browser, served_console: tuple[LiveServer, Runtime, Path], tmp_path: Path) -> None:
    from tests.browser.test_portal import sign_in

    server, runtime, folder = served_console
    first = json.loads((folder / "manifest.jsonl").read_text().splitlines()[0])["animal"]
    template = tmp_path / "page.liquid.html"
    unrenderable = "{{ task.input | grant_read_access }}"  # an object: grant_read_access refuses it
    template.write_text('<crowd-form><p>{{ task.input.animal }}</p><crowd-input name="note"></crowd-input>'
                        f'{{% if task.input.animal == "{first}" %}}{unrenderable}{{% endif %}}</crowd-form>')
    job = example_job(runtime, tmp_path / "job", UiConfig={"UiTemplateS3Uri": str(template)},
                      PreHumanTaskLambdaArn=None, NumberOfHumanWorkersPerDataObject=1)
    page = sign_in(browser, server, "worker0")
    page.click(f"li[data-job='{job.name}'] >> text=Start working")
    page.wait_for_function("document.getElementById('status').textContent.startsWith('This task cannot be shown')")
    assert "ask for the next task" in page.locator("#status").inner_text()
    assert not page.locator("#task-app").get_attribute("data-lease")
    screenshot(page, "portal-task-cannot-be-shown")
    page.click("#status >> text=Get the next task")
    page.wait_for_function("document.getElementById('task-app').dataset.lease")
    page.frame_locator("#task-frame").locator("p").first.wait_for()
    assert first not in page.frame_locator("#task-frame").locator("p").first.inner_text()
    counters = Jobs(runtime).describe(job.name)["LabelCounters"]
    assert counters["FailedNonRetryableError"] == 1
    page.context.close()
