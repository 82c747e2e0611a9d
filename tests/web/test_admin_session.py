"""The console's sign-in over real HTTP: administrator sessions are separate from worker sessions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from crowdform.engine.runtime import Runtime
from crowdform.engine.workforce import Workforce
from tests.fixtures.servers import LiveServer, start_server
from tests.helpers import open_runtime, team_with_workers
from tests.web.test_portal import page_csrf, sign_in

ADMIN_PASSWORD = "console-password-1"


@pytest.fixture
def console(tmp_path: Path, database_url: str) -> Iterator[tuple[LiveServer, Runtime]]:
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 1)
    Workforce(runtime).create_admin("root", ADMIN_PASSWORD)
    server = start_server(runtime.settings, runtime)
    yield server, runtime
    server.stop()
    runtime.close()


def admin_sign_in(server: LiveServer, password: str = ADMIN_PASSWORD) -> tuple[httpx.Client, httpx.Response]:
    client = httpx.Client(base_url=server.url, timeout=30)
    form = client.get("/admin/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf is not None
    answer = client.post("/admin/login", data={"username": "root", "password": password,
                                                "csrf_token": csrf.group(1), "next": "/admin/jobs"})
    return client, answer


def test_an_administrator_signs_in_and_sees_the_console(console: tuple[LiveServer, Runtime]) -> None:
    server, _runtime = console
    anonymous = httpx.get(f"{server.url}/admin/jobs")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/admin/login?next=/admin/jobs"
    client, answer = admin_sign_in(server)
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/jobs"
    cookie = answer.headers["set-cookie"]
    assert "crowdform_admin=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    jobs = client.get("/admin/jobs")
    assert jobs.status_code == 200 and 'data-testid="admin-name">root<' in jobs.text
    assert client.get("/admin", follow_redirects=False).headers["location"] == "/admin/jobs"


def test_a_wrong_password_is_refused_on_the_form(console: tuple[LiveServer, Runtime]) -> None:
    server, _runtime = console
    _client, answer = admin_sign_in(server, password="not-it-at-all")
    assert answer.status_code == 401 and "Wrong user name or password." in answer.text


def test_a_worker_session_gets_403_on_console_pages_and_admin_api(console: tuple[LiveServer, Runtime]) -> None:
    server, _runtime = console
    worker, _ = sign_in(server)
    page = worker.get("/admin/jobs")
    assert page.status_code == 403 and "Administrators only" in page.text
    token = worker.post("/api/v1/auth/login", json={"username": "worker0", "password": "correct-horse-1"}).json()["token"]
    assert httpx.get(f"{server.url}/api/v1/jobs", headers={"Authorization": f"Bearer {token}"}).status_code == 403


def test_the_console_cookie_works_on_the_admin_api_with_a_csrf_header(console: tuple[LiveServer, Runtime]) -> None:
    server, _runtime = console
    client, _ = admin_sign_in(server)
    assert client.get("/api/v1/jobs").status_code == 200  # reading needs no CSRF token
    csrf = page_csrf(client.get("/admin/jobs").text)
    refused = client.post("/api/v1/jobs/none/stop")
    assert refused.status_code == 403
    allowed = client.post("/api/v1/jobs/none/stop", headers={"X-CSRF-Token": csrf})
    assert allowed.status_code == 404  # past authentication: the job does not exist


def test_signing_out_revokes_the_console_session(console: tuple[LiveServer, Runtime]) -> None:
    server, _runtime = console
    client, _ = admin_sign_in(server)
    csrf = page_csrf(client.get("/admin/jobs").text)
    out = client.post("/admin/logout", data={"csrf_token": csrf})
    assert out.status_code == 303 and "crowdform_admin" not in client.cookies
    assert client.get("/admin/jobs").status_code == 303
