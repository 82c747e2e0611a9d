"""Hostile and honest workers against one real server at the same time: whatever the hostile ones send
(lone surrogates, NUL, deep nesting, huge numbers, oversized bodies, other workers' tasks, wrong
passwords), each of their requests gets a 4xx, and the honest workers -- whose calls share the same
group commits -- see no error at all and lose no answer."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from pathlib import Path
from typing import Callable

import httpx
import pytest
from sqlalchemy import func, select

from crowdform.engine.background import Background
from crowdform.engine.states import LeaseState
from crowdform.store.models import DataObject, Lease
from crowdform.web.request_guard import ANSWER_BODY_LIMIT
from tests.fixtures.servers import LiveServer, start_server
from tests.helpers import PASSWORD, open_runtime, synthetic_job, team_with_workers

HONEST, HOSTILE = 8, 4
OBJECTS, PER_OBJECT = 100, 2
JSON = {"content-type": "application/json"}
OVERSIZED = '{"answer": {"big": "' + "A" * ANSWER_BODY_LIMIT + '"}}'

pytestmark = pytest.mark.slow


def attacks(client: httpx.Client, job: str, own_lease: Callable[[], str]) -> list[Callable[[], httpx.Response]]:
    """What a hostile worker sends, one request each (``own_lease``: a task this worker really holds)."""
    def submit(body: str, *, chunked: bool = False) -> httpx.Response:
        content = iter([body.encode()]) if chunked else body
        return client.post(f"/api/v1/worker/tasks/{own_lease()}/submit", content=content, headers=JSON)

    return [
        lambda: submit('{"answer": {"v": "\\ud800"}}'),
        lambda: submit('{"answer": {"v": "\\udfff"}, "next": true}', chunked=True),
        lambda: submit('{"answer": {"v": "a\\u0000b"}}'),
        lambda: submit('{"answer": ' + "[" * 5000 + "]" * 5000 + "}"),
        lambda: submit('{"answer": {"n": ' + "9" * 400 + "}}"),
        lambda: submit('{"answer": {"n": 1e999}}', chunked=True),
        lambda: submit(OVERSIZED),
        lambda: client.post(f"/api/v1/worker/jobs/{job}%00/tasks/next"),
        lambda: client.post("/api/v1/worker/tasks/00000000000000000000000000000000/submit", json={"answer": {}}),
        lambda: client.post("/api/v1/auth/login", content=b"{" * (64 * 1024), headers=JSON),
        lambda: client.post("/api/v1/auth/login", json={"username": "worker0", "password": "guess"}),
    ]


def test_hostile_workers_never_cost_an_honest_worker_an_answer(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    workers = team_with_workers(runtime, "animal-team", HONEST + HOSTILE)
    job = synthetic_job(runtime, tmp_path, name="contested", objects=OBJECTS, workers_per_object=PER_OBJECT)
    Background(runtime).run_until_idle()
    server = start_server(runtime.settings, runtime)
    tokens = [login(server, worker.username) for worker in workers]
    honest_done = threading.Event()
    honest_errors: list[str] = []
    acknowledged: list[str] = []
    hostile_replies: Counter[int] = Counter()
    lock = threading.Lock()

    def honest(token: str) -> None:
        with server.client(token) as client:
            task = client.post(f"/api/v1/worker/jobs/{job.name}/tasks/next")
            while task.status_code == 200:
                lease = task.json()["leaseId"]
                saved = client.post(f"/api/v1/worker/tasks/{lease}/submit", json={"answer": {"ok": lease}, "next": True})
                if saved.status_code != 200:
                    with lock:
                        honest_errors.append(f"{saved.status_code} {saved.text[:200]}")
                    return
                with lock:
                    acknowledged.append(lease)
                following = saved.json()["next"]
                if following is None:
                    return
                task = httpx.Response(200, json=following)
            if task.status_code != 204:
                with lock:
                    honest_errors.append(f"{task.status_code} {task.text[:200]}")

    def hostile(token: str) -> None:
        with server.client(token) as client:
            held: list[str] = []

            def own_lease() -> str:
                if not held:
                    task = client.post(f"/api/v1/worker/jobs/{job.name}/tasks/next")
                    held.append(task.json()["leaseId"] if task.status_code == 200 else "none")
                return held[0]

            sent = attacks(client, job.name, own_lease)
            for count, attack in enumerate(itertools.cycle(sent)):
                if honest_done.is_set() and count >= len(sent):  # each attack at least once
                    return
                try:
                    status = attack().status_code
                except httpx.TransportError:  # an oversized body cut off by the server
                    status = 413
                with lock:
                    hostile_replies[status] += 1

    hostiles = [threading.Thread(target=hostile, args=(token,)) for token in tokens[HONEST:]]
    honests = [threading.Thread(target=honest, args=(token,)) for token in tokens[:HONEST]]
    for thread in hostiles + honests:
        thread.start()
    for thread in honests:
        thread.join()
    honest_done.set()
    for thread in hostiles:
        thread.join()
    server.stop()

    assert honest_errors == []
    assert all(400 <= status < 500 for status in hostile_replies), hostile_replies
    with runtime.database.read() as connection:
        submitted = set(connection.execute(select(Lease.id).where(Lease.state == LeaseState.SUBMITTED)).scalars())
        assert set(acknowledged) <= submitted and len(submitted) == len(acknowledged)  # only honest answers stored
        assert connection.execute(select(func.max(DataObject.answers))).scalar_one() <= PER_OBJECT
    runtime.close()


def login(server: LiveServer, username: str) -> str:
    with server.client() as client:
        reply = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert reply.status_code == 200, reply.text
    return str(reply.json()["token"])
