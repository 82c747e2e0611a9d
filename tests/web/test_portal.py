"""The worker portal over real HTTP: sign-in, sessions, CSRF, pages, the task page API and assets."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from crowdform.engine.background import Background
from crowdform.engine.runtime import Runtime
from crowdform.web.assets import versioned_crowd_script_url
from crowdform.web.crowd_script import crowd_script
from tests.fixtures.servers import LiveServer, start_server
from tests.helpers import PASSWORD, example_job, open_runtime, team_with_workers


@pytest.fixture
def portal(tmp_path: Path, database_url: str) -> Iterator[tuple[LiveServer, Runtime, str]]:
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 2)
    job = example_job(runtime, tmp_path)
    Background(runtime).run_until_idle()  # release the first batch, as the server's background would
    server = start_server(runtime.settings, runtime)
    yield server, runtime, job.name
    server.stop()
    runtime.close()


def sign_in(server: LiveServer, username: str = "worker0", password: str = PASSWORD,
            next_page: str = "/portal") -> tuple[httpx.Client, httpx.Response]:
    client = httpx.Client(base_url=server.url, timeout=30)
    form = client.get("/portal/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf is not None
    answer = client.post("/portal/login", data={"username": username, "password": password,
                                                 "csrf_token": csrf.group(1), "next": next_page})
    return client, answer


def page_csrf(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', html)
    assert found is not None
    return found.group(1)


def test_signing_in_sets_an_httponly_session_and_lists_the_workers_jobs(portal: tuple[LiveServer, Runtime, str]) -> None:
    server, _runtime, job = portal
    anonymous = httpx.get(f"{server.url}/portal")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/portal/login?next=/portal"
    client, answer = sign_in(server)
    assert answer.status_code == 303 and answer.headers["location"] == "/portal"
    cookie = answer.headers["set-cookie"]
    assert "crowdform_worker=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    jobs = client.get("/portal")
    assert jobs.status_code == 200 and jobs.headers["x-frame-options"] == "DENY"
    assert f'href="/portal/jobs/{job}"' in jobs.text and "Start working" in jobs.text
    assert 'data-testid="worker-name">worker0<' in jobs.text


def test_wrong_password_and_forged_forms_are_refused_with_a_message(portal: tuple[LiveServer, Runtime, str]) -> None:
    server, _runtime, _job = portal
    _client, wrong = sign_in(server, password="not-the-password")
    assert wrong.status_code == 401 and "Wrong user name or password." in wrong.text
    assert "crowdform_worker=" not in wrong.headers.get("set-cookie", "")
    forged = httpx.post(f"{server.url}/portal/login", data={"username": "worker0", "password": PASSWORD,
                                                             "csrf_token": "made-up", "next": "/portal"})
    assert forged.status_code == 400 and "The form expired. Please try again." in forged.text


def test_after_sign_in_only_local_portal_pages_are_redirect_targets(portal: tuple[LiveServer, Runtime, str]) -> None:
    server, _runtime, job = portal
    _client, to_job = sign_in(server, next_page=f"/portal/jobs/{job}")
    assert to_job.headers["location"] == f"/portal/jobs/{job}"
    for hostile in ("https://evil.example/", "//evil.example/portal", "/admin"):
        _client, answer = sign_in(server, next_page=hostile)
        assert answer.headers["location"] == "/portal", hostile


def test_cookie_requests_that_change_state_need_the_csrf_header(portal: tuple[LiveServer, Runtime, str]) -> None:
    server, _runtime, job = portal
    client, _ = sign_in(server)
    task_page = client.get(f"/portal/jobs/{job}")
    assert task_page.status_code == 200 and 'sandbox="allow-scripts allow-forms"' in task_page.text
    refused = client.post(f"/api/v1/worker/jobs/{job}/tasks/next")
    assert refused.status_code == 403 and "X-CSRF-Token" in refused.json()["message"]
    wrong = client.post(f"/api/v1/worker/jobs/{job}/tasks/next", headers={"X-CSRF-Token": "0" * 40})
    assert wrong.status_code == 403
    taken = client.post(f"/api/v1/worker/jobs/{job}/tasks/next", headers={"X-CSRF-Token": page_csrf(task_page.text)})
    assert taken.status_code == 200 and taken.json()["leaseId"]


def test_the_task_page_is_the_rendered_template_for_its_own_worker_only(portal: tuple[LiveServer, Runtime, str]) -> None:
    server, _runtime, job = portal
    client, _ = sign_in(server)
    csrf = page_csrf(client.get(f"/portal/jobs/{job}").text)
    lease = client.post(f"/api/v1/worker/jobs/{job}/tasks/next", headers={"X-CSRF-Token": csrf}).json()["leaseId"]
    page = client.get(f"/api/v1/worker/tasks/{lease}/page")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert page.text.startswith(f'<script src="{versioned_crowd_script_url()}"></script>')
    image = re.search(r'src="(/files/[^"]+)"', page.text)
    assert image is not None and "<crowd-bounding-box" in page.text
    fetched = client.get(image.group(1))
    assert fetched.status_code == 200 and fetched.content.startswith(b"\x89PNG")

    other, _ = sign_in(server, "worker1")
    assert other.get(f"/api/v1/worker/tasks/{lease}/page").status_code == 404
    submitted = client.post(f"/api/v1/worker/tasks/{lease}/submit", headers={"X-CSRF-Token": csrf},
                            json={"answer": {"annotatedResult": {"boundingBoxes": []}}})
    assert submitted.status_code == 200
    closed = client.get(f"/api/v1/worker/tasks/{lease}/page")
    assert closed.status_code == 409 and "no longer open" in closed.json()["message"]


def test_logging_out_revokes_the_session_token(portal: tuple[LiveServer, Runtime, str]) -> None:
    server, _runtime, job = portal
    client, _ = sign_in(server)
    token = client.cookies["crowdform_worker"].rpartition(".")[0]  # the token, without the cookie's signature
    csrf = page_csrf(client.get("/portal").text)
    out = client.post("/portal/logout", data={"csrf_token": csrf})
    assert out.status_code == 303 and out.headers["location"] == "/portal/login"
    assert "crowdform_worker" not in client.cookies
    stolen = httpx.get(f"{server.url}/api/v1/worker/jobs", headers={"Authorization": f"Bearer {token}"})
    assert stolen.status_code == 401
    assert client.get(f"/portal/jobs/{job}").status_code == 303  # back to the sign-in page


def test_a_job_the_worker_cannot_see_reads_as_a_page_not_json(portal: tuple[LiveServer, Runtime, str]) -> None:
    server, _runtime, _job = portal
    client, _ = sign_in(server)
    missing = client.get("/portal/jobs/no-such-job")
    assert missing.status_code == 404 and "Job not available" in missing.text
    assert missing.headers["content-type"].startswith("text/html")


def test_the_crowd_script_is_served_with_an_etag(portal: tuple[LiveServer, Runtime, str]) -> None:
    server, _runtime, _job = portal
    script = httpx.get(f"{server.url}/static/crowd-html-elements.js")
    assert script.status_code == 200 and script.text == crowd_script()
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.headers["cache-control"] == "public, max-age=0, must-revalidate"
    again = httpx.get(f"{server.url}/static/crowd-html-elements.js", headers={"If-None-Match": script.headers["etag"]})
    assert again.status_code == 304
    versioned = httpx.get(server.url + versioned_crowd_script_url())
    assert versioned.text == crowd_script() and "immutable" in versioned.headers["cache-control"]
    assert httpx.get(f"{server.url}/static/portal/portal.js").status_code == 200
    assert httpx.get(server.url + "/", follow_redirects=False).headers["location"] == "/portal"


def test_an_invitation_link_sets_the_password_and_signs_the_worker_in(portal: tuple[LiveServer, Runtime, str]) -> None:
    from crowdform.engine.invitations import Invitations
    from crowdform.engine.workforce import Workforce

    server, runtime, job = portal
    _worker, token = Invitations(runtime, Workforce(runtime)).invite("newcomer", team="animal-team")
    client = httpx.Client(base_url=server.url, timeout=30)
    form = client.get(f"/portal/invitations/{token}")
    assert form.status_code == 200 and "Welcome, newcomer" in form.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf is not None
    differ = client.post(f"/portal/invitations/{token}", data={"password": "newcomer-pass", "confirm": "other-pass",
                                                               "csrf_token": csrf.group(1)})
    assert differ.status_code == 400 and "The two passwords differ." in differ.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', differ.text)
    assert csrf is not None
    accepted = client.post(f"/portal/invitations/{token}", data={"password": "newcomer-pass",
                                                                 "confirm": "newcomer-pass", "csrf_token": csrf.group(1)})
    assert accepted.status_code == 303 and accepted.headers["location"] == "/portal"
    assert job in client.get("/portal").text  # signed in, in the team
    again = httpx.get(f"{server.url}/portal/invitations/{token}")
    assert again.status_code == 409 and "used already" in again.text
