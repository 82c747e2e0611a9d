"""Abuse limits on signing in, over real HTTP: wrong passwords meet a throttle (429 with Retry-After) on
the API, the portal and the console; it holds across server processes on one database; and a burst of
sign-ins neither starves the worker loop nor queues without bound (503 with Retry-After)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from crowdform.engine.background import Background
from crowdform.engine.runtime import Runtime
from crowdform.engine.workforce import Workforce
from tests.fixtures.servers import LiveServer, start_server
from tests.helpers import PASSWORD, open_runtime, synthetic_job, team_with_workers

pytestmark = pytest.mark.slow


@pytest.fixture
def live(tmp_path: Path, database_url: str) -> Iterator[tuple[LiveServer, Runtime, str]]:
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 2)
    job = synthetic_job(runtime, tmp_path, name="busy", objects=2000, workers_per_object=1)
    Background(runtime).run_until_idle()
    Workforce(runtime).create_admin("root", PASSWORD)
    server = start_server(runtime.settings, runtime)
    yield server, runtime, job.name
    server.stop()
    runtime.close()


def api_login(client: httpx.Client, username: str, password: str) -> httpx.Response:
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def form_login(client: httpx.Client, path: str, username: str, password: str) -> httpx.Response:
    page = client.get(path)
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    return client.post(path, data={"username": username, "password": password, "csrf_token": csrf})


def test_sixty_wrong_passwords_meet_the_throttle_and_another_account_still_signs_in(
        live: tuple[LiveServer, Runtime, str]) -> None:
    server, _runtime, _job = live
    with server.client() as client:
        statuses = [api_login(client, "worker0", f"guess-{i}") for i in range(60)]
        assert [r.status_code for r in statuses[:10]] == [401] * 10
        throttled = statuses[10:]
        assert {r.status_code for r in throttled} == {429}
        last = throttled[-1]
        assert last.json()["error"] == "ThrottlingException" and "Too many failed sign-ins to this account" in last.json()["message"]
        assert 0 < int(last.headers["retry-after"]) <= 900
        assert api_login(client, "worker0", PASSWORD).status_code == 429  # even the right one, until the window ends
        assert api_login(client, "worker1", PASSWORD).status_code == 200  # another account of the same address


def test_the_portal_and_the_console_forms_are_throttled_too(live: tuple[LiveServer, Runtime, str]) -> None:
    server, _runtime, _job = live
    for path, username in (("/portal/login", "worker0"), ("/admin/login", "root")):
        with server.client() as client:
            replies = [form_login(client, path, username, "wrong-password") for _ in range(11)]
            assert [r.status_code for r in replies] == [401] * 10 + [429]
            assert "Too many failed sign-ins to this account" in replies[-1].text and replies[-1].headers["retry-after"]
    with server.client() as client:  # the API's worker account is the portal's: already throttled
        assert api_login(client, "worker0", PASSWORD).status_code == 429


def test_the_throttle_holds_across_server_processes_on_one_database(live: tuple[LiveServer, Runtime, str],
                                                                     tmp_path: Path, database_url: str) -> None:
    first, _runtime, _job = live
    other_runtime = open_runtime(tmp_path, database_url)  # another process's own services and caches
    second = start_server(other_runtime.settings, other_runtime)
    try:
        servers = [first, second]
        statuses = []
        for attempt in range(12):
            with servers[attempt % 2].client() as client:
                statuses.append(api_login(client, "worker0", "wrong-password").status_code)
        assert statuses == [401] * 10 + [429, 429]
    finally:
        second.stop()
        other_runtime.close()


def test_a_burst_of_sign_ins_neither_starves_the_worker_loop_nor_queues_without_bound(
        live: tuple[LiveServer, Runtime, str]) -> None:
    server, _runtime, job = live
    with server.client() as client:
        token = api_login(client, "worker1", PASSWORD).json()["token"]
    burst_started, burst_over = threading.Event(), threading.Event()
    answered_during_burst: list[int] = []
    worker_errors: list[str] = []

    def worker_loop() -> None:
        with server.client(token) as client:
            while not burst_over.is_set():
                task = client.post(f"/api/v1/worker/jobs/{job}/tasks/next")
                if task.status_code == 204:
                    return  # every object answered
                saved = client.post(f"/api/v1/worker/tasks/{task.json()['leaseId']}/submit", json={"answer": {"x": 1}})
                if task.status_code != 200 or saved.status_code != 200:
                    worker_errors.append(f"{task.status_code} {saved.status_code}")
                    return
                if burst_started.is_set() and not burst_over.is_set():
                    answered_during_burst.append(1)

    together = threading.Barrier(40)

    def sign_in(index: int) -> httpx.Response:
        with server.client() as client:
            client.get("/health")  # connected first, so that the 40 sign-ins arrive together
            together.wait()
            return api_login(client, f"nobody{index}", "wrong-password")

    loop = threading.Thread(target=worker_loop)
    loop.start()
    with ThreadPoolExecutor(max_workers=40) as pool:
        burst_started.set()
        replies = list(pool.map(sign_in, range(40)))
        burst_over.set()
    loop.join()
    assert worker_errors == []
    assert len(answered_during_burst) >= 5  # the worker loop went on answering while the hashes queued
    statuses = sorted(r.status_code for r in replies)
    assert set(statuses) == {401, 503}  # at most 1 hashing and 16 waiting per process; the rest turned away
    busy = next(r for r in replies if r.status_code == 503)
    assert busy.json()["error"] == "ServiceUnavailable" and int(busy.headers["retry-after"]) >= 1
    assert statuses.count(401) >= 17


def test_over_long_credentials_are_refused_without_a_hash(live: tuple[LiveServer, Runtime, str]) -> None:
    server, *_ = live
    with server.client() as client:
        long_name = api_login(client, "w" * 129, PASSWORD)
        long_password = api_login(client, "worker0", "p" * 1025)
        for _ in range(12):  # refused before they count: the account is not throttled by them
            api_login(client, "worker0", "p" * 1025)
        assert api_login(client, "worker0", PASSWORD).status_code == 200
    assert long_name.status_code == 400 and long_name.json()["problems"][0]["field"] == "username"
    assert long_password.status_code == 400 and long_password.json()["problems"][0]["field"] == "password"
