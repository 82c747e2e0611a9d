"""The seed walk-through, entirely in the browser, as Ground Truth's console has it: an administrator
signs in, creates the private team and invites two workers (who accept in browsers of their own),
creates the eye/nose custom job by pasting examples/animal-custom-task's template and typing its
hooks' references, previews it, the two workers label every image in the portal, and the
administrator watches the progress reach 100%, opens the output manifest and the box viewer, and
sees each worker's counts on the team page."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from crowdform.demo import prepare_example
from crowdform.engine.runtime import Runtime
from crowdform.engine.workforce import Workforce
from tests.browser.helpers import screenshot
from tests.browser.test_admin_workforce import accept_invitation, add_worker, admin_signs_in, create_team
from tests.browser.test_portal import draw_box, work_through
from tests.fixtures.servers import LiveServer, start_server
from tests.helpers import open_runtime
from tests.web.test_admin_session import ADMIN_PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.slow

JOB = "animal-faces"
WORKERS = ("ann@example.com", "bob")


@pytest.fixture
def fresh_server(tmp_path: Path, database_url: str) -> Iterator[tuple[LiveServer, Runtime, Path]]:
    """A server with nothing but an administrator, and the example's files (images, manifest, hooks)."""
    runtime = open_runtime(tmp_path, database_url, background=True, tick_seconds=0.05)
    Workforce(runtime).create_admin("root", ADMIN_PASSWORD)
    folder = prepare_example(tmp_path / "example")
    server = start_server(runtime.settings, runtime)
    yield server, runtime, folder
    server.stop()
    runtime.close()


def fill_job_form(page: Page, folder: Path) -> None:
    """The create form, field by field, as the walk-through does it in Ground Truth's console."""
    page.fill("#name", JOB)
    page.fill("#manifest", str(folder / "manifest.jsonl"))
    page.click("#check-manifest")
    page.locator("#manifest-summary").wait_for(state="visible")
    assert page.locator("#manifest-count").inner_text().startswith("4 data objects")
    page.fill("#output", str(folder / "output"))
    page.select_option("#team", "animal-team")
    page.fill("#workers_per_object", "2")
    page.fill("#title", "Animal eyes and noses")
    page.fill("#description", "Draw a box around each eye and the nose of the animal")
    page.fill("#template", (folder / "template.liquid.html").read_text())
    page.fill("#labels", "eye\nnose")
    page.fill("#pre_hook", str(folder / "pre_annotation.py"))
    page.fill("#post_hook", str(folder / "post_annotation.py"))


def label_every_image(page: Page, server: LiveServer, username: str, images: int = 4) -> int:
    """The worker works through the tasks the portal offers, coming back to it (as a worker reloads the
    page) while the pre-labeling function is still preparing images; returns how many were submitted."""
    done = 0
    deadline = time.monotonic() + 60
    while done < images:
        assert time.monotonic() < deadline, f"{username} was offered {done} of {images} images"
        page.goto(f"{server.url}/portal")
        if page.locator(f"li[data-job='{JOB}'] >> text=Start working").count():
            done += work_through(page, JOB, username)
        else:
            time.sleep(0.2)
    return done


def test_the_seed_walk_through_in_the_browser(browser: Browser, fresh_server: tuple[LiveServer, Runtime, Path]) -> None:
    server, runtime, folder = fresh_server
    admin = admin_signs_in(browser, server)
    errors: list[str] = []
    admin.on("pageerror", lambda error: errors.append(str(error)))

    create_team(admin, server, "animal-team")
    links = {username: add_worker(admin, username) for username in WORKERS}
    workers = {username: accept_invitation(browser, server, link, f"{username}-password")
               for username, link in links.items()}

    admin.goto(f"{server.url}/admin/jobs")
    admin.click("[data-testid=create-job]")
    admin.wait_for_url(f"{server.url}/admin/jobs/new")
    fill_job_form(admin, folder)
    admin.click("#preview-button")
    admin.locator("#preview-area").wait_for()
    admin.locator("#preview-area").scroll_into_view_if_needed()
    admin.frame_locator("#task-frame").locator("crowd-bounding-box canvas.upper-canvas").wait_for()
    draw_box(admin, "nose", 0.45, 0.50, 0.55, 0.60)
    admin.click("#preview-submit")
    admin.locator("#preview-answer-box").wait_for(state="visible")
    preview = json.loads(admin.locator("[data-testid=preview-answer]").inner_text())
    assert [box["label"] for box in preview["annotatedResult"]["boundingBoxes"]] == ["nose"]
    screenshot(admin, "admin-walkthrough-job-new")
    admin.click("#create-button")
    admin.wait_for_url(f"{server.url}/admin/jobs/{JOB}")

    for username, page in workers.items():
        assert label_every_image(page, server, username) == 4

    # The job's page refreshes itself while the job runs: progress reaches 100%.
    summary = admin.locator("#job-summary[data-running=false]")
    summary.wait_for(timeout=60_000)
    assert "Total labeled 4 of 4" in summary.locator("[data-testid=label-counters]").inner_text().replace("\t", " ")
    progress = summary.locator("progress")
    assert progress.get_attribute("value") == progress.get_attribute("max") == "4"
    # When the job stops running, the page reloads itself: the heading and the objects table follow.
    admin.locator("[data-testid=job-status]", has_text="Completed").wait_for(timeout=30_000)
    screenshot(admin, "admin-walkthrough-job-detail")

    with admin.expect_download() as download:
        admin.click("[data-testid=output-manifest]")
    lines = [json.loads(line) for line in Path(download.value.path()).read_text().splitlines()]
    assert len(lines) == 4
    for line in lines:
        answers = line[JOB]["annotationsFromAllWorkers"]
        assert len(answers) == 2
        assert all(sorted(box["label"] for box in answer["annotationData"]["annotatedResult"]["boundingBoxes"])
                   == ["eye", "nose"] for answer in answers)

    admin.click("tr[data-object='0'] >> text=0")
    admin.wait_for_url(f"{server.url}/admin/jobs/{JOB}/objects/0")
    admin.locator("#viewer[data-drawn=true]").wait_for()
    assert admin.locator("#viewer-overlay rect").count() == 8  # two workers' two boxes, and the four consolidated
    screenshot(admin, "admin-walkthrough-viewer")

    admin.goto(f"{server.url}/admin/workforce/teams/animal-team")
    for username in WORKERS:
        cells = admin.locator(f"[data-testid=worker-stats] tr[data-worker='{username}'][data-job='{JOB}'] td")
        assert cells.nth(2).inner_text() == "4" and cells.nth(3).inner_text() == "0"
    screenshot(admin, "admin-walkthrough-workforce")
    assert errors == []
    for page in (admin, *workers.values()):
        page.context.close()
