"""A built-in task type through the console in a real browser: the administrator chooses "Bounding box",
sees the template and Lambda fields go and the workers per object become the type's default, types
the labels, previews the built-in template, creates the job, finds it in the list with its type, opens
it, and, once two workers have answered, sees the consolidated boxes named by their class-map in the
viewer. Screenshots go to test-output/screenshots/admin-*.png."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from crowdform.engine.jobs import Jobs
from crowdform.engine.runtime import Runtime
from tests.browser.helpers import screenshot
from tests.browser.test_admin_jobs import admin_page, answer_tasks, served_console  # noqa: F401 (fixture)
from tests.fixtures.servers import LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.slow


def nose_box(position: int, worker: int) -> dict[str, Any]:
    """What the built-in bounding-box template submits: one nose box."""
    boxes = [{"label": "nose", "left": 260 + worker, "top": 250, "width": 120, "height": 80}]
    return {"boundingBox": {"boundingBoxes": boxes, "inputImageProperties": {"width": 640, "height": 480}}}


def test_an_administrator_creates_and_views_a_bounding_box_job(
        browser: Browser, served_console: tuple[LiveServer, Runtime, Path]) -> None:
    server, runtime, folder = served_console
    page = admin_page(browser, server)
    page.click("[data-testid=create-job]")
    page.wait_for_url(f"{server.url}/admin/jobs/new")
    assert page.locator("#template-section").is_visible() and page.locator("#hooks-section").is_visible()
    assert page.locator("#audit_label_attribute").is_hidden()

    # A review type asks for the label attribute it reviews; a plain bounding box does not.
    page.select_option("#task_type", label="Bounding box adjustment")
    assert page.locator("#audit_label_attribute").is_visible() and page.input_value("#workers_per_object") == "3"
    page.select_option("#task_type", label="Bounding box")
    assert page.locator("#template-section").is_hidden() and page.locator("#hooks-section").is_hidden()
    assert page.locator("#template").is_disabled() and page.locator("#pre_hook").is_disabled()
    assert page.locator("#audit_label_attribute").is_hidden()
    assert page.input_value("#workers_per_object") == "5"  # the type's default

    page.fill("#name", "animal-boxes")
    page.fill("#manifest", str(folder / "manifest.jsonl"))
    page.fill("#output", str(folder / "output"))
    page.select_option("#team", "animal-team")
    page.fill("#workers_per_object", "2")
    page.fill("#labels", "eye, nose")

    # The preview: the built-in template with the built-in task input of the first line.
    page.click("#preview-button")
    page.frame_locator("#task-frame").locator("crowd-bounding-box canvas.upper-canvas").wait_for()
    assert '"eye"' in page.locator("#preview-input").inner_text() and "cat.png" in page.locator("#preview-input").inner_text()
    screenshot(page, "admin-job-new-builtin")

    page.click("#create-button")
    page.wait_for_url(f"{server.url}/admin/jobs/animal-boxes")
    assert page.locator("[data-testid=task-type]").inner_text() == "Bounding box"
    assert page.locator("[data-testid=job-labels]").inner_text() == "eye, nose"
    job = Jobs(runtime).get("animal-boxes")
    assert job.task_type is not None and job.task_type.name == "bounding-box" and job.workers_per_object == 2
    screenshot(page, "admin-job-detail-builtin")

    page.goto(f"{server.url}/admin/jobs")
    row = page.locator("tr[data-job=animal-boxes]")
    assert row.locator("[data-testid=task-type]").inner_text() == "Bounding box"
    page.click("th >> text=Task type")
    page.wait_for_url("**/admin/jobs?sort=task_type*")
    screenshot(page, "admin-jobs-builtin")

    # Two workers draw a nose on every image; the built-in consolidation names it by class_id.
    for worker in (0, 1):
        answer_tasks(server, "animal-boxes", worker, 4, nose_box)
    deadline = time.monotonic() + 60
    while Jobs(runtime).describe("animal-boxes")["LabelingJobStatus"] != "Completed":
        assert time.monotonic() < deadline, "the job did not complete"
        time.sleep(0.1)
    page.click("tr[data-job=animal-boxes] >> text=animal-boxes")
    page.wait_for_url(f"{server.url}/admin/jobs/animal-boxes")
    page.click("tr[data-object='0'] >> text=0")
    page.wait_for_url(f"{server.url}/admin/jobs/animal-boxes/objects/0")
    page.locator("#viewer[data-drawn=true]").wait_for()
    consolidated = page.locator("#viewer-overlay g[data-source='Consolidated label']")
    assert consolidated.locator("rect").count() == 1 and consolidated.locator("text").text_content() == "nose"
    assert page.locator("#viewer-overlay g[data-source=worker0] rect").count() == 1
    legend = page.locator("[data-testid=viewer-legend]").inner_text()
    assert "Consolidated label (1 shape)" in legend and "worker1 (1 shape)" in legend
    screenshot(page, "admin-viewer-builtin")
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()
