"""The console's workforce pages in a real browser: an administrator creates a team, adds two workers,
copies their invitation links, the workers accept them in browsers of their own, and the
administrator deactivates and reactivates one of them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterator
from urllib.parse import urlsplit

import pytest

from crowdform.engine.runtime import Runtime
from crowdform.engine.workforce import Workforce
from tests.browser.helpers import screenshot
from tests.fixtures.servers import LiveServer, start_server
from tests.helpers import open_runtime
from tests.web.test_admin_session import ADMIN_PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.slow


@pytest.fixture
def console(tmp_path: Path, database_url: str) -> Iterator[tuple[LiveServer, Runtime]]:
    runtime = open_runtime(tmp_path, database_url)
    Workforce(runtime).create_admin("root", ADMIN_PASSWORD)
    server = start_server(runtime.settings, runtime)
    yield server, runtime
    server.stop()
    runtime.close()


def admin_signs_in(browser: Browser, server: LiveServer, target: str = "/admin/workforce") -> Page:
    """A fresh browser for the administrator, signed in through the form, on ``target``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = context.new_page()
    page.goto(f"{server.url}{target}")
    assert page.url.startswith(f"{server.url}/admin/login")
    screenshot(page, "admin-login")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}{target}")
    return page


def create_team(page: Page, server: LiveServer, team: str) -> None:
    page.goto(f"{server.url}/admin/workforce")
    page.fill("#team-name", team)
    page.click("text=Create team")
    page.wait_for_url(f"{server.url}/admin/workforce/teams/{team}")


def add_worker(page: Page, username: str) -> str:
    """Add a worker on the team page and copy their invitation link with the page's button."""
    page.fill("#worker-username", username)
    page.click("text=Add worker")
    page.locator("[data-testid=invitation]").wait_for()
    page.click("text=Copy link")
    page.locator(".copied").wait_for()
    link: str = page.evaluate("navigator.clipboard.readText()")
    assert link == page.input_value("#invitation-link") and "/portal/invitations/" in link
    return link


def accept_invitation(browser: Browser, server: LiveServer, link: str, password: str) -> Page:
    """The worker opens the link in a browser of their own and chooses a password; returns their
    portal page. (The link names the ``public_url``; the test server listens on a port of its own.)"""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(server.url + urlsplit(link).path)
    page.fill("#password", password)
    page.fill("#confirm", password)
    screenshot(page, "portal-invitation")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/portal")
    return page


def worker_status(page: Page, username: str) -> str:
    return page.locator(f"tr[data-worker='{username}'] [data-testid=worker-status]").inner_text().strip()


def test_an_administrator_builds_a_team_and_manages_its_workers(browser: Browser,
                                                                 console: tuple[LiveServer, Runtime]) -> None:
    server, _runtime = console
    admin = admin_signs_in(browser, server)
    assert admin.locator("[data-testid=no-teams]").is_visible()
    screenshot(admin, "admin-workforce-empty")
    create_team(admin, server, "night-shift")
    links = {username: add_worker(admin, username) for username in ("ann@example.com", "bob")}
    assert "send the link yourself" in admin.locator("[data-testid=invitation-mail]").inner_text()
    screenshot(admin, "admin-workforce-invitation")
    assert worker_status(admin, "ann@example.com") == worker_status(admin, "bob") == "Invited"

    workers = {username: accept_invitation(browser, server, link, f"{username}-password")
               for username, link in links.items()}
    admin.reload()
    assert worker_status(admin, "ann@example.com") == worker_status(admin, "bob") == "Active"

    with admin.expect_navigation():
        admin.locator("tr[data-worker='bob'] >> text=Deactivate").click()
    assert worker_status(admin, "bob") == "Deactivated"
    screenshot(admin, "admin-workforce-team")
    bob = workers["bob"]
    bob.reload()  # deactivation ends bob's session at once
    assert bob.url.startswith(f"{server.url}/portal/login")
    with admin.expect_navigation():
        admin.locator("tr[data-worker='bob'] >> text=Reactivate").click()
    assert worker_status(admin, "bob") == "Active"

    admin.goto(f"{server.url}/admin/workforce")
    assert admin.locator("tr[data-team='night-shift'] td").nth(1).inner_text() == "2"
    screenshot(admin, "admin-workforce")
    for page in (admin, *workers.values()):
        page.context.close()
