"""The console's labeling-job pages in a real browser: an administrator creates the eye/nose example job
through the form (pasting its template, choosing its registered hooks, previewing it and drawing a
box in the preview), sees it in the list, watches it on its page while workers answer through the
worker API, and opens the box viewer. Screenshots go to test-output/screenshots/admin-*.png."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from crowdform.demo import prepare_example
from crowdform.engine.hook_registry import HookRegistry
from crowdform.engine.jobs import Jobs
from crowdform.engine.runtime import Runtime
from crowdform.engine.workforce import Workforce
from tests.browser.helpers import screenshot
from tests.browser.test_portal import draw_box
from tests.fixtures.servers import LiveServer, start_server
from tests.helpers import PASSWORD, box_answer, example_job, open_runtime, team_with_workers

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.slow

ADMIN_PASSWORD = "console-password-1"


@pytest.fixture
def served_console(tmp_path: Path, database_url: str) -> Iterator[tuple[LiveServer, Runtime, Path]]:
    runtime = open_runtime(tmp_path, database_url, background=True, tick_seconds=0.05)
    team_with_workers(runtime, "animal-team", 2)
    Workforce(runtime).create_admin("root", ADMIN_PASSWORD)
    folder = prepare_example(tmp_path / "example")
    hooks = HookRegistry(runtime)
    hooks.add("animal-pre", str(folder / "pre_annotation.py"))
    hooks.add("animal-post", str(folder / "post_annotation.py"))
    server = start_server(runtime.settings, runtime)
    yield server, runtime, folder
    server.stop()
    runtime.close()


def admin_page(browser: Browser, server: LiveServer) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server.url}/admin/jobs")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/admin/jobs")
    page.errors = errors  # type: ignore[attr-defined]
    return page


def answer_tasks(server: LiveServer, job: str, worker: int, count: int,
                 answer_for: Callable[[int, int], dict[str, Any]] = box_answer) -> None:
    """Worker ``worker`` answers ``count`` tasks through the worker API, by default with an eye and a nose
    box each (tasks appear as the pre-hook prepares their objects, so it asks again until it has them)."""
    with server.client() as client:
        token = client.post("/api/v1/auth/login", json={"username": f"worker{worker}", "password": PASSWORD}).json()
        client.headers["Authorization"] = f"Bearer {token['token']}"
        deadline = time.monotonic() + 60
        while count:
            assert time.monotonic() < deadline, f"worker{worker} got too few tasks"
            task = client.post(f"/api/v1/worker/jobs/{job}/tasks/next")
            if task.status_code == 204:
                time.sleep(0.05)
                continue
            lease = task.json()
            answer = answer_for(int(lease["datasetObjectId"]), worker)
            assert client.post(f"/api/v1/worker/tasks/{lease['leaseId']}/submit", json={"answer": answer}).status_code == 200
            count -= 1


def test_an_administrator_creates_previews_watches_and_views_the_example_job(
        browser: Browser, served_console: tuple[LiveServer, Runtime, Path]) -> None:
    server, runtime, folder = served_console
    page = admin_page(browser, server)
    screenshot(page, "admin-jobs-empty")
    page.click("[data-testid=create-job]")
    page.wait_for_url(f"{server.url}/admin/jobs/new")

    # The name is checked as it is typed.
    page.fill("#name", "animal_faces")
    page.locator("#name-error").wait_for(state="visible")
    assert "letters, digits and hyphens" in page.locator("#name-error").inner_text()
    page.fill("#name", "animal-faces")
    page.locator("#name-error").wait_for(state="hidden")

    page.fill("#manifest", str(folder / "manifest.jsonl"))
    page.click("#check-manifest")
    page.locator("#manifest-summary").wait_for(state="visible")
    assert page.locator("#manifest-count").inner_text().startswith("4 data objects in file://")
    assert '"animal": "cat"' in page.locator("#manifest-lines").inner_text()
    page.fill("#output", str(folder / "output"))
    page.select_option("#team", "animal-team")
    page.fill("#workers_per_object", "2")
    page.fill("#title", "Animal eyes and noses")
    page.fill("#description", "Draw a box around each eye and the nose of the animal")

    # A syntax error points at its line; the example's template passes.
    page.fill("#template", "<p>\n{% if %}\n</p>")
    page.click("#check-template")
    page.locator("#template-error").wait_for(state="visible")
    assert "line 2" in page.locator("#template-error").inner_text()
    assert page.locator("#template-gutter .error-line").inner_text() == "2"
    page.fill("#template", (folder / "template.liquid.html").read_text())
    page.click("#check-template")
    page.locator("#template-ok").wait_for(state="visible")
    assert page.locator("#template-gutter span").count() == len((folder / "template.liquid.html").read_text().split("\n"))
    page.fill("#labels", "eye\nnose")
    page.fill("#pre_hook", "animal-pre")
    page.fill("#post_hook", "animal-post")

    # The preview: the first manifest line through the pre-hook, in the workers' sandboxed frame.
    page.click("#preview-button")
    tool = page.frame_locator("#task-frame").locator("crowd-bounding-box canvas.upper-canvas")
    tool.wait_for()
    assert "cat.png" in page.locator("#preview-input").inner_text()
    assert "pre-annotation for" in page.locator("#preview-hook-output").inner_text()
    assert page.locator("#task-frame").get_attribute("sandbox") == "allow-scripts allow-forms"
    draw_box(page, "eye", 0.30, 0.30, 0.40, 0.40)
    page.click("#preview-submit")
    page.locator("#preview-answer-box").wait_for(state="visible")
    answer = json.loads(page.locator("[data-testid=preview-answer]").inner_text())
    boxes = answer["annotatedResult"]["boundingBoxes"]
    assert [b["label"] for b in boxes] == ["eye"] and boxes[0]["width"] > 0
    screenshot(page, "admin-job-new")

    page.click("#create-button")
    page.wait_for_url(f"{server.url}/admin/jobs/animal-faces")
    assert page.locator("[data-testid=job-status]").inner_text() in ("Initializing", "InProgress")
    described = Jobs(runtime).describe("animal-faces")
    assert described["HumanTaskConfig"]["PreHumanTaskLambdaArn"] == "animal-pre"
    assert described["LabelCategoryConfigS3Uri"].endswith("console/animal-faces/labels.json")

    # While workers answer, the job's page refreshes its counters and log by itself...
    answer_tasks(server, "animal-faces", 0, 4)
    answer_tasks(server, "animal-faces", 1, 2)
    page.locator("[data-testid=label-counters]", has_text="2 of 4").wait_for(timeout=60_000)
    page.locator("[data-testid=job-log]", has_text="post-hook").wait_for(timeout=30_000)

    # ... and so does the list, until the job is complete.
    page.goto(f"{server.url}/admin/jobs")
    row = page.locator("tr[data-job=animal-faces]")
    assert row.locator("[data-testid=progress]").inner_text() == "2 / 4"
    assert page.locator("#jobs-table").get_attribute("data-running") == "true"
    answer_tasks(server, "animal-faces", 1, 2)
    row.locator("[data-testid=progress]", has_text="4 / 4").wait_for(timeout=60_000)
    page.locator("#jobs-table[data-running=false]").wait_for(timeout=30_000)
    assert "Completed" in row.inner_text()
    screenshot(page, "admin-jobs")

    page.click("tr[data-job=animal-faces] >> text=animal-faces")
    page.wait_for_url(f"{server.url}/admin/jobs/animal-faces")
    assert page.locator("[data-testid=job-status]").inner_text() == "Completed"
    assert "4 of 4" in page.locator("[data-testid=label-counters]").inner_text()
    assert page.locator("[data-testid=output-manifest]").is_visible()
    assert "pre-annotation for" in page.locator("[data-testid=job-log]").inner_text()
    screenshot(page, "admin-job-detail")

    page.click("tr[data-object='0'] >> text=0")
    page.wait_for_url(f"{server.url}/admin/jobs/animal-faces/objects/0")
    page.locator("#viewer[data-drawn=true]").wait_for()
    # Two workers with two boxes each, and the consolidated label that holds all four.
    assert page.locator("#viewer-overlay rect").count() == 8
    assert page.locator("#viewer-overlay g[data-source=worker0] rect").count() == 2
    legend = page.locator("[data-testid=viewer-legend]").inner_text()
    assert "worker0 (2 shapes)" in legend and "Consolidated label (4 shapes)" in legend
    assert page.locator("[data-testid=answers] .answer-column").count() == 4
    screenshot(page, "admin-viewer")
    page.locator("[data-testid=viewer-legend] label", has_text="worker0").locator("input").uncheck()
    assert page.locator("#viewer-overlay g[data-source=worker0]").is_hidden()
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_creating_shows_the_engines_problems_next_to_the_fields(
        browser: Browser, served_console: tuple[LiveServer, Runtime, Path]) -> None:
    server, _runtime, folder = served_console
    page = admin_page(browser, server)
    page.goto(f"{server.url}/admin/jobs/new")
    page.fill("#name", "animal-faces")
    page.fill("#manifest", str(folder / "missing.jsonl"))
    page.fill("#output", str(folder / "output"))
    page.select_option("#team", "animal-team")
    page.fill("#template", "<p>{{ task.input.animal }}</p>")
    page.click("#create-button")
    page.locator("#manifest-error").wait_for(state="visible")
    assert "does not exist" in page.locator("#manifest-error").inner_text()
    assert page.locator("#manifest").get_attribute("aria-invalid") == "true"
    assert page.input_value("#template") == "<p>{{ task.input.animal }}</p>"
    screenshot(page, "admin-job-new-errors")
    page.context.close()


def polygon_or_keypoint(position: int, worker: int) -> dict[str, Any]:
    """worker0 outlines the head; worker1 marks the nose and writes a note."""
    if worker == 0:
        return {"outline": {"polygons": [{"label": "head", "vertices": [{"x": 170, "y": 240}, {"x": 320, "y": 90},
                                                                        {"x": 470, "y": 240}, {"x": 320, "y": 390}]}],
                            "inputImageProperties": {"height": 480, "width": 640}}}
    return {"points": {"keypoints": [{"label": "nose", "x": 320, "y": 290 + position}]}, "note": "a clear picture"}


def test_the_viewer_draws_polygons_and_keypoints_and_shows_text(
        browser: Browser, served_console: tuple[LiveServer, Runtime, Path], tmp_path: Path) -> None:
    server, runtime, _folder = served_console
    job = example_job(runtime, tmp_path / "job")
    for worker in (0, 1):
        answer_tasks(server, job.name, worker, 4, polygon_or_keypoint)
    deadline = time.monotonic() + 60
    while Jobs(runtime).describe(job.name)["LabelingJobStatus"] != "Completed":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    page = admin_page(browser, server)
    page.goto(f"{server.url}/admin/jobs/{job.name}/objects/2")
    page.locator("#viewer[data-drawn=true]").wait_for()
    assert page.locator("#viewer-overlay g[data-source=worker0] polygon").count() == 1
    assert page.locator("#viewer-overlay g[data-source=worker1] circle").count() == 1
    consolidated = page.locator("#viewer-overlay g[data-source='Consolidated label']")
    assert consolidated.locator("polygon").count() == 1 and consolidated.locator("circle").count() == 1
    assert page.locator("#viewer-overlay").get_attribute("viewBox") == "0 0 640 480"
    assert "a clear picture" in page.locator("[data-testid=answers]").inner_text()
    screenshot(page, "admin-viewer-polygons")
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()
