"""The seed walk-through in a real browser: two workers sign in to the portal, each draws an ``eye``
and a ``nose`` box on every image of examples/animal-custom-task, and the output manifest holds both
workers' boxes. Also the portal's own states: wrong password, the time limit, "no more tasks"."""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import unquote, urlparse
from typing import TYPE_CHECKING, Iterator

import pytest

from crowdform.engine.jobs import Jobs
from crowdform.engine.runtime import Runtime
from tests.browser.helpers import screenshot
from tests.fixtures.servers import LiveServer, start_server
from tests.helpers import PASSWORD, example_job, open_runtime, team_with_workers

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.slow


@pytest.fixture
def served_example(tmp_path: Path, database_url: str) -> Iterator[tuple[LiveServer, Runtime, str]]:
    runtime = open_runtime(tmp_path, database_url, background=True, tick_seconds=0.05)
    team_with_workers(runtime, "animal-team", 2)
    job = example_job(runtime, tmp_path)
    server = start_server(runtime.settings, runtime)
    yield server, runtime, job.name
    server.stop()
    runtime.close()


def sign_in(browser: Browser, server: LiveServer, username: str, password: str = PASSWORD) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{server.url}/portal")
    assert page.url.startswith(f"{server.url}/portal/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/portal")
    return page


def draw_box(page: Page, label: str, x0: float, y0: float, x1: float, y1: float) -> None:
    """Pick ``label`` in the tool's label list, then drag from (x0, y0) to (x1, y1), given as fractions
    of the drawing canvas."""
    tool = page.frame_locator("#task-frame").locator("crowd-bounding-box")
    tool.locator(".it-label", has_text=label).click()
    canvas = tool.locator("canvas.upper-canvas").bounding_box()
    assert canvas is not None
    page.mouse.move(canvas["x"] + x0 * canvas["width"], canvas["y"] + y0 * canvas["height"])
    page.mouse.down()
    page.mouse.move(canvas["x"] + x1 * canvas["width"], canvas["y"] + y1 * canvas["height"], steps=6)
    page.mouse.up()


def work_through(page: Page, job: str, username: str) -> int:
    """Do every task this worker gets; returns how many were submitted."""
    page.click(f"li[data-job='{job}'] >> text=Start working")
    app = page.locator("#task-app")
    done = 0
    while True:
        page.wait_for_function(
            "() => document.getElementById('task-app')?.dataset.lease !== undefined && "
            "(document.getElementById('task-app').dataset.lease || !document.getElementById('done').hidden)")
        lease = app.get_attribute("data-lease")
        if not lease:
            break
        page.frame_locator("#task-frame").locator("crowd-bounding-box canvas.upper-canvas").wait_for()
        draw_box(page, "eye", 0.30, 0.30, 0.40, 0.40)
        draw_box(page, "nose", 0.45, 0.50, 0.55, 0.60)
        if done == 0:
            screenshot(page, f"portal-task-{username}")
        page.click("#submit")
        page.wait_for_function(f"document.getElementById('task-app').dataset.lease !== {json.dumps(lease)}")
        done += 1
    assert page.locator("#done").is_visible()
    screenshot(page, f"portal-no-more-tasks-{username}")
    return done


def test_two_workers_label_every_image_and_the_output_holds_both(browser: Browser,
                                                                  served_example: tuple[LiveServer, Runtime, str]) -> None:
    server, runtime, job = served_example
    objects = Jobs(runtime).describe(job)["LabelCounters"]["Unlabeled"]
    for username in ("worker0", "worker1"):
        page = sign_in(browser, server, username)
        screenshot(page, f"portal-jobs-{username}")
        assert work_through(page, job, username) == objects
        page.context.close()

    deadline = time.monotonic() + 60
    while (status := Jobs(runtime).describe(job))["LabelingJobStatus"] != "Completed":
        assert time.monotonic() < deadline, status
        time.sleep(0.1)
    output = Path(unquote(urlparse(status["LabelingJobOutput"]["OutputDatasetS3Uri"]).path))
    lines = [json.loads(line) for line in output.read_text().splitlines()]
    assert len(lines) == objects
    for line in lines:
        # The example post-hook returns every worker's boxes: two workers, an eye and a nose each.
        answers = line["animal-faces"]["annotationsFromAllWorkers"]
        assert len(answers) == 2
        for answer in answers:
            result = answer["annotationData"]["annotatedResult"]
            boxes = result["boundingBoxes"]
            assert sorted(b["label"] for b in boxes) == ["eye", "nose"]
            assert all(b["width"] > 0 and b["height"] > 0 for b in boxes)
            assert result["inputImageProperties"] == {"height": 480, "width": 640}


def test_a_wrong_password_shows_the_reason_on_the_form(browser: Browser,
                                                       served_example: tuple[LiveServer, Runtime, str]) -> None:
    server, _runtime, _job = served_example
    page = browser.new_context().new_page()
    page.goto(f"{server.url}/portal/login")
    page.fill("input[name=username]", "worker0")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert page.locator("[role=alert]").inner_text() == "Wrong user name or password."
    screenshot(page, "portal-login-error")
    page.context.close()


DECLINE_TEXT = ("Decline this task: it goes back to the pool for another worker of your team, and you will not be "
                "offered it again")


def test_decline_says_what_happens_and_the_object_goes_to_another_worker(browser: Browser, tmp_path: Path,
                                                                          database_url: str) -> None:
    """With one worker per object, a declined object is not lost: the next worker gets it."""
    runtime = open_runtime(tmp_path, database_url, background=True, tick_seconds=0.05)
    team_with_workers(runtime, "animal-team", 2)
    job = example_job(runtime, tmp_path, NumberOfHumanWorkersPerDataObject=1)
    server = start_server(runtime.settings, runtime)
    try:
        page = sign_in(browser, server, "worker0")
        page.click(f"li[data-job='{job.name}'] >> text=Start working")
        app = page.locator("#task-app")
        page.wait_for_function("document.getElementById('task-app')?.dataset.lease")
        declined = app.get_attribute("data-lease")
        decline = page.locator("#decline")
        assert decline.get_attribute("title") == DECLINE_TEXT
        decline.click()
        page.wait_for_function(f"document.getElementById('task-app').dataset.lease !== {json.dumps(declined)}")
        page.wait_for_function("document.getElementById('status')?.textContent.startsWith('Declined')")
        assert page.locator("#status").inner_text() == ("Declined: that task went back to the pool for another "
                                                        "worker of your team.")
        screenshot(page, "portal-declined")
        with server.client() as client:
            token = client.post("/api/v1/auth/login", json={"username": "worker1", "password": PASSWORD}).json()["token"]
        with server.client(token) as client:
            task = client.post(f"/api/v1/worker/jobs/{job.name}/tasks/next").json()
        assert task["datasetObjectId"] == "0"  # the object worker0 declined, first in the pool again
        page.context.close()
    finally:
        server.stop()
        runtime.close()
