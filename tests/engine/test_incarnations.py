"""Claims name their incarnation: the next leader of a data folder takes a dead one's work over at once,
and workers keep their leases across the restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from crowdform.engine.consolidation import Consolidation
from crowdform.engine.hook_pool import HookPool
from crowdform.engine.incarnations import place_of, take_over
from crowdform.engine.runtime import Runtime
from crowdform.engine.states import BatchState, JobStatus, ObjectState
from crowdform.engine.tasks import Tasks
from crowdform.store.models import ConsolidationBatch, DataObject, Incarnation, Job
from tests.engine.test_hook_outcomes import write_hook
from tests.fixtures.servers import free_port
from tests.helpers import PASSWORD, example_job, open_runtime, synthetic_job, team_with_workers


def test_the_next_leader_takes_over_the_claims_of_its_place_only(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    worker = team_with_workers(runtime, "animal-team", 1)[0]
    job = synthetic_job(runtime, tmp_path, name="claims", objects=6, workers_per_object=1)
    here, elsewhere = place_of(runtime.settings.data_dir), "other-host:/srv/crowdform-data"
    now = runtime.clock.now()
    with runtime.database.write() as connection:  # all six released, two of them still PREPARING with claims
        connection.execute(update(DataObject).where(DataObject.job_id == job.id).values(
            state=ObjectState.READY, iteration=1, task_input=DataObject.line, released_at=now))
        connection.execute(update(Job).where(Job.id == job.id).values(status=JobStatus.IN_PROGRESS, iteration=1,
                                                                      released=6))
        for position, claimer in ((4, "dead"), (5, "remote")):
            connection.execute(update(DataObject).where(DataObject.job_id == job.id, DataObject.position == position)
                               .values(state=ObjectState.PREPARING, claimed_until=now + 3600, claimed_by=claimer))
    assert take_over(runtime.database, "dead", here, now).incarnations == 0  # the first leader of this place
    assert take_over(runtime.database, "remote", elsewhere, now).incarnations == 0
    tasks, hooks = Tasks(runtime), HookPool(runtime)
    for _ in range(4):
        task = tasks.next_task(worker, job.name)
        assert task is not None
        tasks.submit(worker, task.lease_id, {"label": "x"})
    claimed = Consolidation(runtime, hooks, "dead").claim(job)  # then "dead" dies mid-batch
    assert claimed is not None

    fresh = Consolidation(runtime, hooks, "next")
    assert fresh.claim(job) is None  # the batch's lease has not run out
    taken = take_over(runtime.database, "next", here, runtime.clock.now())
    assert (taken.incarnations, taken.objects, taken.batches) == (1, 1, 1)
    assert fresh.claim(job) == claimed  # at once, not after hook timeout x attempts + 60 s
    with runtime.database.read() as connection:
        batch = connection.execute(select(ConsolidationBatch.claimed_by, ConsolidationBatch.attempts)
                                   .where(ConsolidationBatch.id == claimed[0])).one()
        objects = dict(connection.execute(select(DataObject.position, DataObject.claimed_by).where(
            DataObject.job_id == job.id, DataObject.state == ObjectState.PREPARING)).all())
        places = dict(connection.execute(select(Incarnation.id, Incarnation.place)).all())
    assert tuple(batch) == ("next", 2)
    assert objects == {4: None, 5: "remote"}  # another host's claim waits for its lease: it may be alive
    assert places == {"next": here, "remote": elsewhere}
    hooks.close()
    runtime.close()


@pytest.mark.slow
def test_a_killed_server_is_restarted_and_its_consolidation_taken_over_promptly(tmp_path: Path,
                                                                              database_url: str) -> None:
    go, entered = tmp_path / "go", tmp_path / "entered"
    # The post-annotation hook waits on its first call until the test lets it go: the server is
    # killed while consolidation is in the middle of that call.
    post = write_hook(tmp_path, "post", f'''
import json, os, time
def lambda_handler(event, context):
    if not os.path.exists({str(go)!r}):
        with open({str(entered)!r}, "w") as f:
            f.write(str(os.getpid()))
        while not os.path.exists({str(go)!r}):
            time.sleep(0.05)
    with open(event["payload"]["s3Uri"].removeprefix("file://")) as f:
        items = json.load(f)
    return [{{"datasetObjectId": item["datasetObjectId"],
             "consolidatedAnnotation": {{"content": {{event["labelAttributeName"]: {{"ok": True}}}}}}}}
            for item in items]
''')
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 2)
    job = example_job(runtime, tmp_path, NumberOfHumanWorkersPerDataObject=1,
                      AnnotationConsolidationConfig={"AnnotationConsolidationLambdaArn": post})
    runtime.close()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    orphan: int | None = None
    server = start_serve_in_group(tmp_path, database_url, port)
    try:
        holder, answerer = logged_in(url, "worker1"), logged_in(url, "worker0")
        held = wait_for_task(holder, job.name)  # worker1 keeps this task across the restart
        while (task := answerer.post(f"/api/v1/worker/jobs/{job.name}/tasks/next")).status_code == 200:
            assert answerer.post(f"/api/v1/worker/tasks/{task.json()['leaseId']}/submit",
                                 json={"answer": {"label": "x"}}).status_code == 200
        assert wait_until(entered.exists)  # consolidation is inside the hook call
        orphan = int(entered.read_text())
        os.killpg(server.pid, signal.SIGKILL)  # the whole process group: server and background process
        server.wait(timeout=30)
        go.touch()  # later calls of the hook return at once

        server = start_serve_in_group(tmp_path, database_url, port)
        runtime = open_runtime(tmp_path, database_url)
        assert wait_until(lambda: object_states(runtime, job.id).count(ObjectState.LABELED) == 3,
                          seconds=30)  # the hook timeout is 300 s: only a takeover gets here in time
        saved = holder.post(f"/api/v1/worker/tasks/{held['leaseId']}/submit", json={"answer": {"label": "x"}})
        assert saved.status_code == 200, saved.text
        assert wait_until(lambda: object_states(runtime, job.id).count(ObjectState.LABELED) == 4, seconds=30)
        with runtime.database.read() as connection:
            attempts = connection.execute(select(ConsolidationBatch.attempts).where(
                ConsolidationBatch.job_id == job.id, ConsolidationBatch.state == BatchState.DONE)).scalars().all()
        runtime.close()
        assert max(attempts) == 2  # the batch the killed server had claimed ran again, under its own stamp
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
        if orphan is not None:  # the killed server's hook process, in a session of its own
            try:
                os.kill(orphan, signal.SIGKILL)
            except ProcessLookupError:
                pass


def start_serve_in_group(tmp_path: Path, database_url: str, port: int) -> subprocess.Popen[bytes]:
    """``crowdform serve`` leading a process group of its own (so the test can kill the whole group)."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CROWDFORM_")},
           "CROWDFORM_DATABASE_URL": database_url, "CROWDFORM_DATA_DIR": str(tmp_path / "data"),
           "CROWDFORM_TICK_SECONDS": "0.05", "CROWDFORM_STORAGE_ROOTS": str(tmp_path),
           "CROWDFORM_HOOK_TIMEOUT_SECONDS": "300", "CROWDFORM_CONSOLIDATION_DELAY_SECONDS": "0"}
    with open(tmp_path / "server.log", "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "crowdform", "serve", "--port", str(port)], env=env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    if not wait_until(lambda: healthy(f"http://127.0.0.1:{port}")):
        os.killpg(process.pid, signal.SIGKILL)
        raise RuntimeError(f"server did not start: {(tmp_path / 'server.log').read_text()}")
    return process


def healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def logged_in(url: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    token = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def wait_for_task(client: httpx.Client, job: str) -> dict[str, str]:
    found: dict[str, str] = {}

    def ask() -> bool:
        task = client.post(f"/api/v1/worker/jobs/{job}/tasks/next")
        if task.status_code == 200:
            found.update(task.json())
        return bool(found)

    assert wait_until(ask)
    return found


def object_states(runtime: Runtime, job_id: int) -> list[str]:
    with runtime.database.read() as connection:
        return list(connection.execute(select(DataObject.state).where(DataObject.job_id == job_id)).scalars())


def wait_until(condition, seconds: float = 60) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True

