"""Many workers at once over real HTTP: never more than N answers per object, never an object twice,
and a server killed with SIGKILL keeps every submission it acknowledged."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil
import pytest
from sqlalchemy import select

from crowdform.engine.jobs import Jobs
from crowdform.engine.states import LeaseState
from crowdform.store.models import DataObject, Lease
from tests.fixtures.servers import free_port, start_server
from tests.helpers import PASSWORD, open_runtime, synthetic_job, team_with_workers

WORKERS = 16


def run_workers(url: str, job: str, usernames: list[str], stop_at: float | None = None,
                acknowledged: dict[str, dict] | None = None) -> dict[str, list[str]]:
    """Each thread logs in and loops next -> submit until 204 (or the deadline); returns objects per worker."""
    seen: dict[str, list[str]] = {u: [] for u in usernames}
    errors: list[str] = []
    lock = threading.Lock()

    def work(username: str) -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            while stop_at is None or time.monotonic() < stop_at:
                try:
                    if "Authorization" not in client.headers:
                        token = client.post("/api/v1/auth/login",
                                            json={"username": username, "password": PASSWORD}).json()["token"]
                        client.headers["Authorization"] = f"Bearer {token}"
                    task = client.post(f"/api/v1/worker/jobs/{job}/tasks/next")
                    if task.status_code == 204:
                        # Nothing for this worker now; the next batch may still come. Done once the job
                        # has left the worker's list (it is no longer in progress).
                        listed = client.get("/api/v1/worker/jobs").json()["jobs"]
                        if not any(j["name"] == job for j in listed):
                            return
                        time.sleep(0.05)
                        continue
                    body = task.json()
                    answer = {"label": f"{username}:{body['datasetObjectId']}"}
                    saved = client.post(f"/api/v1/worker/tasks/{body['leaseId']}/submit", json={"answer": answer})
                except httpx.TransportError:
                    return  # the server went away (the crash test kills it)
                if saved.status_code != 200:
                    with lock:
                        errors.append(f"{saved.status_code} {saved.text}")
                    return
                with lock:
                    seen[username].append(body["datasetObjectId"])
                    if acknowledged is not None:
                        acknowledged[body["leaseId"]] = answer

    threads = [threading.Thread(target=work, args=(u,)) for u in usernames]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return seen


@pytest.mark.slow
def test_sixteen_concurrent_workers_respect_the_invariants(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url, background=True, tick_seconds=0.05)
    workers = team_with_workers(runtime, "animal-team", WORKERS)
    job = synthetic_job(runtime, tmp_path, name="load", objects=120, workers_per_object=3, max_concurrent=40)
    server = start_server(runtime.settings, runtime)
    try:
        seen = run_workers(server.url, job.name, [w.username for w in workers])
        deadline = time.monotonic() + 60
        while Jobs(runtime).describe(job.name)["LabelingJobStatus"] != "Completed" and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.stop()
    for username, objects in seen.items():
        assert len(objects) == len(set(objects)), f"{username} got an object twice"
    per_object = Counter(o for objects in seen.values() for o in objects)
    assert len(per_object) == 120 and set(per_object.values()) == {3}
    with runtime.database.read() as connection:
        answers = Counter(connection.execute(select(Lease.object_id).where(Lease.state == LeaseState.SUBMITTED)).scalars())
        slots = connection.execute(select(DataObject.slots_taken)).scalars().all()
    assert set(answers.values()) == {3} and max(slots) == 3
    described = Jobs(runtime).describe(job.name)
    assert described["LabelingJobStatus"] == "Completed"
    assert described["LabelCounters"]["TotalLabeled"] == 120
    runtime.close()


@pytest.mark.slow
def test_sigkill_keeps_every_acknowledged_submission(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    workers = team_with_workers(runtime, "animal-team", WORKERS)
    job = synthetic_job(runtime, tmp_path, name="crash", objects=1200, workers_per_object=1, max_concurrent=5000)
    runtime.close()
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    def start() -> subprocess.Popen[bytes]:
        return start_serve(tmp_path, database_url, port)

    server = start()
    wait_for_status(tmp_path, database_url, job.name, "InProgress")  # the background released the first batch
    leader = psutil.Process(int((tmp_path / "data" / "background.lock").read_text()))
    assert leader.pid in {child.pid for child in psutil.Process(server.pid).children()}  # a process of its own
    acknowledged: dict[str, dict] = {}

    def kill_under_load() -> None:
        while len(acknowledged) < 200:  # kill mid-stream, once the load is real
            time.sleep(0.01)
        os.kill(server.pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_under_load)
    killer.start()
    run_workers(url, job.name, [w.username for w in workers], stop_at=time.monotonic() + 30, acknowledged=acknowledged)
    killer.join()
    server.wait(timeout=30)
    assert server.returncode == -signal.SIGKILL
    leader.wait(timeout=15)  # the background process follows its server (psutil.TimeoutExpired if not)
    assert 200 <= len(acknowledged) < 1200

    runtime = open_runtime(tmp_path, database_url)
    with runtime.database.read() as connection:
        stored = dict(connection.execute(select(Lease.id, Lease.answer).where(Lease.state == LeaseState.SUBMITTED)).all())
    runtime.close()
    missing = [lease for lease, answer in acknowledged.items() if json.loads(stored.get(lease, "null")) != answer]
    assert missing == []

    server = start()
    try:
        run_workers(url, job.name, [w.username for w in workers], stop_at=time.monotonic() + 120)
        assert wait_for_status(tmp_path, database_url, job.name, "Completed") == "Completed"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


@pytest.mark.slow
def test_several_server_processes_share_the_work_and_the_background_process_leads(tmp_path: Path,
                                                                              database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    workers = team_with_workers(runtime, "animal-team", WORKERS)
    job = synthetic_job(runtime, tmp_path, name="processes", objects=150, workers_per_object=2, max_concurrent=60)
    runtime.close()
    port = free_port()
    server = start_serve(tmp_path, database_url, port, "--workers", "2")
    try:
        children = wait_for_children(server.pid, 3)  # two server processes and the background process
        seen = run_workers(f"http://127.0.0.1:{port}", job.name, [w.username for w in workers])
        assert wait_for_status(tmp_path, database_url, job.name, "Completed") == "Completed"
        leader = int((tmp_path / "data" / "background.lock").read_text())
        assert leader in children  # exactly one process holds the lock: the background process beside the servers
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    for username, objects in seen.items():
        assert len(objects) == len(set(objects)), f"{username} got an object twice"
    per_object = Counter(o for objects in seen.values() for o in objects)
    assert len(per_object) == 150 and set(per_object.values()) == {2}


def start_serve(tmp_path: Path, database_url: str, port: int, *args: str) -> subprocess.Popen[bytes]:
    """``crowdform serve`` as its own process (what a user runs), once ``/health`` answers."""
    env = {**os.environ, "CROWDFORM_DATABASE_URL": database_url, "CROWDFORM_DATA_DIR": str(tmp_path / "data"),
           "CROWDFORM_TICK_SECONDS": "0.05", "CROWDFORM_STORAGE_ROOTS": str(tmp_path)}
    command = [sys.executable, "-m", "crowdform", "serve", "--port", str(port), *args]
    url = f"http://127.0.0.1:{port}"
    with open(tmp_path / "server.log", "ab") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start: {(tmp_path / 'server.log').read_text()}")


def wait_for_children(pid: int, count: int, timeout: float = 60) -> set[int]:
    """The processes ``serve`` started, Uvicorn's server processes and the background process (by their
    command line: not the hook children nor multiprocessing's resource tracker, which Uvicorn's
    server processes bring)."""
    deadline = time.monotonic() + timeout
    while True:
        children = {c.pid for c in psutil.Process(pid).children()
                    if any(mark in " ".join(c.cmdline()) for mark in ("spawn_main", "crowdform.engine.background_process"))}
        if len(children) >= count or time.monotonic() > deadline:
            return children
        time.sleep(0.1)


def wait_for_status(tmp_path: Path, database_url: str, name: str, wanted: str, timeout: float = 120) -> str:
    """Poll the job's status from this process (as `crowdform job wait` does) until it is ``wanted``."""
    runtime = open_runtime(tmp_path, database_url)
    try:
        deadline = time.monotonic() + timeout
        while True:
            status = str(Jobs(runtime).describe(name)["LabelingJobStatus"])
            if status == wanted or time.monotonic() > deadline:
                return status
            time.sleep(0.1)
    finally:
        runtime.close()

