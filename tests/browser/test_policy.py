"""The Content-Security-Policy in Chromium: /docs works with no request leaving the server (and its
"Authorize" reaches the API), and the portal's task frame, the console and the preview server do
their work under their policies without one violation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from crowdform.engine.runtime import Runtime
from crowdform.engine.workforce import Workforce
from tests.fixtures.servers import LiveServer, start_server
from tests.helpers import example_job, open_runtime, team_with_workers
from tests.browser.test_portal import sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Route

pytestmark = pytest.mark.slow


@pytest.fixture
def served(tmp_path: Path, database_url: str) -> Iterator[tuple[LiveServer, Runtime, str]]:
    runtime = open_runtime(tmp_path, database_url, background=True, tick_seconds=0.05)
    team_with_workers(runtime, "animal-team", 1)
    job = example_job(runtime, tmp_path)
    server = start_server(runtime.settings, runtime)
    yield server, runtime, job.name
    server.stop()
    runtime.close()


class Watch:
    """What a page asked of other hosts (refused) and every policy violation its frames reported."""

    def __init__(self, page: Page, server: LiveServer) -> None:
        self.elsewhere: list[str] = []
        self.violations: list[str] = []
        self.server = server
        page.on("console", self._console)
        page.route("**/*", self._route)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.violations.append(message.text)

    def _route(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(self.server.url) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            self.elsewhere.append(url)
            route.abort()


def test_docs_load_from_the_server_alone_and_authorize_reaches_the_api(browser: Browser,
                                                                       served: tuple[LiveServer, Runtime, str]) -> None:
    server, runtime, _job = served
    token = Workforce(runtime).create_admin_token("docs")
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    watch = Watch(page, server)
    page.goto(f"{server.url}/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert page.inner_text(".swagger-ui .info .title").startswith("crowdform")
    page.click("button.authorize")
    page.fill("#auth-bearer-value", token)
    page.locator(".auth-container").first.locator("button.authorize").click()
    page.locator(".auth-container").first.locator("button.btn-done").click()
    operation = page.locator(".opblock-get", has=page.locator('[data-path="/api/v1/jobs"]'))
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first  # the header row says "Code"
    status.wait_for()
    assert status.inner_text().strip().startswith("200"), status.inner_text()
    assert "animal-faces" in operation.locator(".live-responses-table .microlight").first.inner_text()
    assert watch.elsewhere == [] and watch.violations == []
    page.context.close()


def test_the_task_frame_works_under_the_portal_policy(browser: Browser, served: tuple[LiveServer, Runtime, str]) -> None:
    server, _runtime, job = served
    page = sign_in(browser, server, "worker0")
    watch = Watch(page, server)
    page.click(f'a[href="/portal/jobs/{job}"]')
    frame = page.frame_locator("#task-frame")
    image = frame.locator("crowd-bounding-box")
    image.wait_for(timeout=60_000)
    # The tool shows the image it was granted (a signed /files/ URL).
    loaded = frame.locator("crowd-bounding-box").evaluate(
        """async (el) => { const img = el.shadowRoot && el.shadowRoot.querySelector('img');
                            if (!img) return 'no img'; await img.decode(); return img.naturalWidth; }""")
    assert loaded == 640, loaded
    assert watch.elsewhere == [] and watch.violations == []
    page.context.close()


def test_console_pages_and_the_create_preview_work_under_their_policies(browser: Browser,
                                                                       served: tuple[LiveServer, Runtime, str]) -> None:
    from tests.web.test_admin_session import ADMIN_PASSWORD

    server, runtime, job = served
    Workforce(runtime).create_admin("root", ADMIN_PASSWORD)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    watch = Watch(page, server)
    page.goto(f"{server.url}/admin/login")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/admin/login" not in url)
    for path in ("/admin/jobs", f"/admin/jobs/{job}", "/admin/workforce", "/admin/jobs/new"):
        page.goto(server.url + path)
        page.wait_for_load_state("networkidle")
    assert watch.elsewhere == [] and watch.violations == [], (watch.elsewhere, watch.violations)
    page.context.close()
