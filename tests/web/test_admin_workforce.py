"""The console's workforce pages over real HTTP: teams, invitation links, deactivation, password
resets, invitation emails and per-worker counts."""

from __future__ import annotations

import re
from urllib.parse import urlsplit
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from crowdform.engine.background import Background
from crowdform.engine.runtime import Runtime
from crowdform.engine.tasks import Tasks
from crowdform.engine.workforce import Workforce
from crowdform.errors import Unauthorized
from tests.fixtures.servers import LiveServer, free_port, start_server
from tests.fixtures.smtp import SmtpServer, body, smtp_server
from tests.helpers import box_answer, open_runtime, synthetic_job
from tests.web.test_admin_session import ADMIN_PASSWORD, admin_sign_in
from tests.web.test_portal import page_csrf

TEAM_URL = "/admin/workforce/teams/night-shift"


def serve_console(tmp_path: Path, database_url: str, **settings: Any) -> Iterator[tuple[LiveServer, Runtime]]:
    runtime = open_runtime(tmp_path, database_url, **settings)
    Workforce(runtime).create_admin("root", ADMIN_PASSWORD)
    server = start_server(runtime.settings, runtime)
    yield server, runtime
    server.stop()
    runtime.close()


@pytest.fixture
def console(tmp_path: Path, database_url: str) -> Iterator[tuple[LiveServer, Runtime]]:
    yield from serve_console(tmp_path, database_url)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


def signed_in_with_team(server: LiveServer) -> tuple[httpx.Client, str]:
    """An administrator's client and CSRF token, with the team night-shift created through the form."""
    client, _ = admin_sign_in(server)
    csrf = page_csrf(client.get("/admin/workforce").text)
    created = client.post("/admin/workforce/teams", data={"name": "night-shift", "csrf_token": csrf})
    assert created.status_code == 303 and created.headers["location"] == TEAM_URL
    return client, csrf


def add_worker(client: httpx.Client, csrf: str, username: str) -> tuple[httpx.Response, str]:
    """Add through the form; returns the team page and the invitation link shown on it."""
    answer = client.post(f"{TEAM_URL}/workers", data={"username": username, "csrf_token": csrf})
    link = re.search(r'id="invitation-link" class="link-field" value="([^"]+)"', answer.text)
    assert answer.status_code == 201 and link is not None, answer.text
    return answer, link.group(1)


def accept(server: LiveServer, link: str, password: str) -> httpx.Response:
    """Open the invitation link as the worker would, and choose a password. (Links name the
    ``public_url``; the test server listens on a port of its own.)"""
    worker = httpx.Client(base_url=server.url, timeout=30)
    link = urlsplit(link).path
    form = worker.get(link)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert form.status_code == 200 and csrf is not None, form.text
    return worker.post(link, data={"password": password, "confirm": password, "csrf_token": csrf.group(1)})


def status_of(page: str, username: str) -> str:
    row = re.search(rf'<tr data-worker="{re.escape(username)}">.*?data-testid="worker-status">\s*<span[^>]*>(\w+)<',
                    page, re.S)
    assert row is not None, page
    return row.group(1)


def test_teams_are_created_from_the_form_and_listed_with_member_counts(console: tuple[LiveServer, Runtime]) -> None:
    server, runtime = console
    client, csrf = signed_in_with_team(server)
    Workforce(runtime).add_worker("worker0", team="night-shift", password="correct-horse-1")
    listing = client.get("/admin/workforce")
    assert listing.status_code == 200
    assert re.search(r'<tr data-team="night-shift">\s*<td><a href="/admin/workforce/teams/night-shift">night-shift</a>'
                     r'</td>\s*<td>1</td>', listing.text)
    bad = client.post("/admin/workforce/teams", data={"name": "night shift!", "csrf_token": csrf})
    assert bad.status_code == 400 and 'id="team-name-error"' in bad.text
    assert "team name: is not a valid work team name (got &#39;night shift!&#39;)" in bad.text
    again = client.post("/admin/workforce/teams", data={"name": "night-shift", "csrf_token": csrf})
    assert again.status_code == 409 and "Team &#39;night-shift&#39; already exists." in again.text
    missing = client.get("/admin/workforce/teams/day-shift")
    assert missing.status_code == 404 and "crowdform team create day-shift" in missing.text


def test_an_added_worker_gets_a_one_time_link_shown_to_the_admin(console: tuple[LiveServer, Runtime]) -> None:
    server, runtime = console
    client, csrf = signed_in_with_team(server)
    page, link = add_worker(client, csrf, "carol@example.com")
    assert link.startswith(f"{runtime.settings.base_url}/portal/invitations/")
    assert "No SMTP server is configured (setting smtp_url)" in page.text
    assert status_of(page.text, "carol@example.com") == "Invited"
    assert link not in client.get(TEAM_URL).text  # shown once: only its hash is stored
    accepted = accept(server, link, "carols-password")
    assert accepted.status_code == 303 and accepted.headers["location"] == "/portal"
    assert status_of(client.get(TEAM_URL).text, "carol@example.com") == "Active"
    used = httpx.get(server.url + urlsplit(link).path)
    assert used.status_code == 409 and "used already" in used.text  # a link works once
    refused = client.post(f"{TEAM_URL}/workers", data={"username": "has space", "csrf_token": csrf})
    assert refused.status_code == 400 and 'id="worker-error"' in refused.text and "not a valid user name" in refused.text


def test_deactivating_reactivating_and_resetting_a_password(console: tuple[LiveServer, Runtime]) -> None:
    server, runtime = console
    workforce = Workforce(runtime)
    client, csrf = signed_in_with_team(server)
    _, link = add_worker(client, csrf, "dave")
    accept(server, link, "daves-password")
    actions = "/admin/workforce/workers/dave"
    off = client.post(f"{actions}/deactivate", data={"team": "night-shift", "csrf_token": csrf})
    assert off.status_code == 303 and off.headers["location"] == TEAM_URL
    assert status_of(client.get(TEAM_URL).text, "dave") == "Deactivated"
    with pytest.raises(Unauthorized):
        workforce.login("dave", "daves-password")
    on = client.post(f"{actions}/activate", data={"team": "night-shift", "csrf_token": csrf})
    assert on.status_code == 303 and status_of(client.get(TEAM_URL).text, "dave") == "Active"
    assert workforce.login("dave", "daves-password")

    reset = client.post(f"{actions}/reset-password", data={"team": "night-shift", "csrf_token": csrf})
    new_link = re.search(r'id="invitation-link" class="link-field" value="([^"]+)"', reset.text)
    assert reset.status_code == 200 and new_link is not None and "New sign-in link for dave" in reset.text
    assert status_of(reset.text, "dave") == "Invited"
    with pytest.raises(Unauthorized):
        workforce.login("dave", "daves-password")
    assert accept(server, new_link.group(1), "daves-new-password").status_code == 303
    unknown = client.post("/admin/workforce/workers/nobody/deactivate", data={"team": "night-shift", "csrf_token": csrf})
    assert unknown.status_code == 404 and "Worker &#39;nobody&#39; does not exist." in unknown.text


def test_the_invitation_is_emailed_when_an_smtp_server_is_configured(tmp_path: Path, database_url: str,
                                                                      smtp: SmtpServer) -> None:
    for server, _runtime in serve_console(tmp_path, database_url, smtp_url=smtp.url, mail_from="ops@example.com"):
        client, csrf = signed_in_with_team(server)
        page, link = add_worker(client, csrf, "erin@example.com")
        assert 'data-testid="invitation-mail">Emailed to erin@example.com.<' in page.text
        [message] = smtp.messages
        assert message["To"] == "erin@example.com" and link in body(message)
        page, _ = add_worker(client, csrf, "frank")  # a user name, not an address: nothing to send
        assert "&#39;frank&#39; is not an email address: send the link yourself." in page.text
        assert len(smtp.messages) == 1


def test_when_the_email_fails_the_link_is_still_shown(tmp_path: Path, database_url: str) -> None:
    closed = f"smtp://127.0.0.1:{free_port()}"
    for server, _runtime in serve_console(tmp_path, database_url, smtp_url=closed):
        client, csrf = signed_in_with_team(server)
        page, link = add_worker(client, csrf, "gina@example.com")
        assert "/portal/invitations/" in link
        assert "The email to gina@example.com was not sent" in page.text and "pass the link on yourself" in page.text


def test_the_team_page_counts_each_workers_tasks_per_job(tmp_path: Path, console: tuple[LiveServer, Runtime]) -> None:
    server, runtime = console
    client, csrf = signed_in_with_team(server)
    worker, _ = Workforce(runtime).add_worker("worker0", team="night-shift", password="correct-horse-1")
    assert 'data-testid="no-stats"' in client.get(TEAM_URL).text
    job = synthetic_job(runtime, tmp_path, name="counted-job", objects=3, workers_per_object=1, team="night-shift")
    Background(runtime).run_until_idle()
    tasks = Tasks(runtime)
    for _ in range(2):
        task = tasks.next_task(worker, job.name)
        assert task is not None
        tasks.submit(worker, task.lease_id, box_answer(int(task.dataset_object_id), worker.id))
    task = tasks.next_task(worker, job.name)
    assert task is not None
    tasks.decline(worker, task.lease_id)
    row = re.search(r'<tr data-worker="worker0" data-job="counted-job">(.*?)</tr>', client.get(TEAM_URL).text, re.S)
    assert row is not None
    cells = re.findall(r"<td>([^<]*)</td>", row.group(1))
    assert cells[:4] == ["worker0", "counted-job", "2", "1"] and cells[4].endswith(" s")
