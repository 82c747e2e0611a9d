"""``crowdform secrets rotate``, and the demo end to end as a user runs it: ``crowdform demo`` serves its
job's images to a worker, and a rotation from another shell ends the old links while it runs."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from crowdform.demo import WORKERS
from tests.cli.test_main import cli_env, data_dir, run_crowdform
from tests.fixtures.servers import free_port


def test_rotate_replaces_the_secret_and_says_what_it_ends(tmp_path: Path) -> None:
    assert run_crowdform(tmp_path, "team", "list").code == 0  # the data folder and its secret exist
    path = data_dir(tmp_path) / "secrets.json"
    before = json.loads(path.read_text())["session_secret"]
    run = run_crowdform(tmp_path, "secrets", "rotate")
    assert run.code == 0, run
    assert json.loads(path.read_text())["session_secret"] != before
    assert run.out.startswith(f"Rotated the signing secret in {path.resolve()}.\n"
                              "Running servers use it within 1 s: file links and browser sessions signed before no "
                              "longer work"), run


def test_rotate_refuses_a_secret_that_the_settings_give(tmp_path: Path) -> None:
    run = run_crowdform(tmp_path, "secrets", "rotate", env={"CROWDFORM_SESSION_SECRET": "fixed"})
    assert "the secret is set by the session_secret setting" in run.error()
    assert "CROWDFORM_SESSION_SECRET" in run.err and not (data_dir(tmp_path) / "secrets.json").exists()


def next_task(client: httpx.Client, job: str, seconds: float = 120) -> dict[str, object]:
    """The worker's next task once the demo's pre-annotation hook has prepared the first batch."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        reply = client.post(f"/api/v1/worker/jobs/{job}/tasks/next")
        if reply.status_code == 200:
            return reply.json()  # type: ignore[no-any-return]
        assert reply.status_code == 204, reply.text
        time.sleep(0.2)
    raise AssertionError("no task within the time allowed")


@pytest.mark.slow
def test_the_demo_serves_its_images_and_a_rotation_ends_the_links_it_gave(tmp_path: Path) -> None:
    port = free_port()
    argv = [sys.executable, "-m", "crowdform", "demo", "--port", str(port), "--data-dir", str(data_dir(tmp_path))]
    env = cli_env(tmp_path, {"CROWDFORM_TICK_SECONDS": "0.05"})
    with open(tmp_path / "demo.log", "wb") as log:
        demo = subprocess.Popen(argv, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline and demo.poll() is None, (tmp_path / "demo.log").read_text()
                time.sleep(0.1)
        user, password = WORKERS[0]
        token = httpx.post(f"{url}/api/v1/auth/login", json={"username": user, "password": password}).json()["token"]
        worker = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        task = next_task(worker, "animal-faces")
        page = worker.get(f"/api/v1/worker/tasks/{task['leaseId']}/page")
        assert page.status_code == 200
        links = re.findall(r"/files/[A-Za-z0-9_\-.]+", page.text)
        assert links, page.text[:2000]
        for link in links:
            image = httpx.get(url + link)
            assert (image.status_code, image.headers["content-type"]) == (200, "image/png"), image.text
            assert image.content.startswith(b"\x89PNG")
        assert "/buckets/crowdform-demo/images/" in json.dumps(task["taskInput"])

        rotated = run_crowdform(tmp_path, "secrets", "rotate")
        assert rotated.code == 0, rotated
        deadline = time.monotonic() + 15
        while httpx.get(url + links[0]).status_code != 403:
            assert time.monotonic() < deadline, "the running demo still accepts a link signed before the rotation"
            time.sleep(0.1)
        fresh = re.findall(r"/files/[A-Za-z0-9_\-.]+", worker.get(f"/api/v1/worker/tasks/{task['leaseId']}/page").text)
        assert fresh and fresh != links and httpx.get(url + fresh[0]).status_code == 200
    finally:
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=30)
