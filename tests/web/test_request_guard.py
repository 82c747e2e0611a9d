"""The edge of the app over real HTTP: hostile bodies, paths, queries and forms get a 4xx in the API's
error shape naming the field, never a 500; bodies over their route's limit are refused while reading."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any, Iterator

import httpx
import psutil
import pytest

from crowdform.engine.background import Background
from crowdform.engine.runtime import Runtime
from crowdform.engine.workforce import Workforce
from crowdform.web.request_guard import DEFAULT_BODY_LIMIT, SIGN_IN_BODY_LIMIT
from tests.fixtures.servers import LiveServer, start_server
from tests.helpers import PASSWORD, open_runtime, synthetic_job, team_with_workers

HOSTILE_BODIES = {  # JSON text as a hostile client writes it, and the field the refusal names
    "lone surrogate": ('{"answer": {"v": "\\ud800"}}', "answer.v"),
    "NUL": ('{"answer": {"v": "a\\u0000b"}}', "answer.v"),
    "NUL in a key": ('{"answer": {"\\u0000": 1}}', 'answer["\\u0000"]'),
    "nested 5,000 deep": ('{"answer": ' + "[" * 5000 + "]" * 5000 + "}", None),
    "huge integer": ('{"answer": {"n": ' + "9" * 40 + "}}", "answer.n"),
    "huge float": ('{"answer": {"n": 1e999}}', "answer.n"),
    "NaN": ('{"answer": {"n": NaN}}', None),
    "integer past Python's digit limit": ('{"answer": {"n": ' + "9" * 5000 + "}}", None),
}


@pytest.fixture
def live(tmp_path: Path, database_url: str) -> Iterator[tuple[LiveServer, Runtime, str, str, str]]:
    """A server with a running job, a worker's token, an admin token and the job's name."""
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 2)
    job = synthetic_job(runtime, tmp_path, name="guarded", objects=5, workers_per_object=1)
    Background(runtime).run_until_idle()
    server = start_server(runtime.settings, runtime)
    with server.client() as client:
        worker = client.post("/api/v1/auth/login", json={"username": "worker0", "password": PASSWORD}).json()["token"]
    yield server, runtime, worker, Workforce(runtime).create_admin_token(), job.name
    server.stop()
    runtime.close()


def refused(reply: httpx.Response, status: int = 400) -> dict[str, Any]:
    """The reply is the API's error shape with ``status``; returns its JSON."""
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert set(body) >= {"error", "message"} and reply.headers["content-type"] == "application/json"
    return body  # type: ignore[no-any-return]


@pytest.mark.parametrize("kind", list(HOSTILE_BODIES))
def test_hostile_json_is_refused_naming_the_field_on_every_route(kind: str,
                                                                 live: tuple[LiveServer, Runtime, str, str, str]) -> None:
    server, _runtime, worker, admin, job = live
    body, field = HOSTILE_BODIES[kind]
    headers = {"content-type": "application/json"}
    with server.client(worker) as client:
        lease = client.post(f"/api/v1/worker/jobs/{job}/tasks/next").json()["leaseId"]
        submit = f"/api/v1/worker/tasks/{lease}/submit"
        attempts = [
            client.post(submit, content=body, headers=headers),  # the hot path
            client.post(submit, content=iter([body.encode()]), headers=headers),  # chunked: the declared route
            client.post(f"/api/v1/worker/tasks/{lease}/decline", content=body, headers=headers),  # takes no body
            client.post("/api/v1/auth/login", content=body, headers=headers),
        ]
    with server.client(admin) as client:
        attempts.append(client.post("/api/v1/jobs", content=body, headers=headers))
    for reply in attempts:
        shape = refused(reply)
        assert shape["error"] == "ValidationException" and shape["problems"][0].get("field") == field
    with server.client(worker) as client:  # nothing of it was stored: the task is still open to its worker
        saved = client.post(submit, json={"answer": {"v": "\U0001f600"}})
        assert saved.status_code == 200 and saved.json()["alreadySubmitted"] is False


def test_nul_in_a_path_a_query_or_a_form_field_is_refused(live: tuple[LiveServer, Runtime, str, str, str]) -> None:
    server, _runtime, worker, admin, job = live
    with server.client(worker) as client:
        assert refused(client.post(f"/api/v1/worker/jobs/{job}%00/tasks/next"))["problems"][0]["field"] == "path"
        assert refused(client.post("/api/v1/worker/tasks/a%00b/decline"))["problems"][0]["field"] == "path"
    with server.client(admin) as client:
        shape = refused(client.get(f"/api/v1/jobs/{job}/logs", params={"after": "1\x00"}))
        assert shape["problems"][0]["field"] == "query parameter after"
    with server.client() as client:
        form = client.post("/portal/login", data={"username": "worker0\x00", "password": "x", "csrf_token": "x"})
        assert refused(form)["problems"][0]["field"] == "username"


def test_query_parameters_are_range_checked(live: tuple[LiveServer, Runtime, str, str, str]) -> None:
    server, _runtime, _worker, admin, job = live
    with server.client(admin) as client:
        for after in (2**31, 2**63, -1, 10**30):
            assert refused(client.get(f"/api/v1/jobs/{job}/logs", params={"after": after}))["problems"][0]["field"] == "after"
        assert client.get(f"/api/v1/jobs/{job}/logs", params={"after": 2**31 - 1}).json() == {"entries": []}


def test_the_frameworks_own_refusals_take_the_error_shape(live: tuple[LiveServer, Runtime, str, str, str]) -> None:
    server, *_ = live
    with server.client() as client:
        assert refused(client.get("/api/v1/no-such-route"), 404)["error"] == "ResourceNotFound"
        assert refused(client.delete("/api/v1/auth/login"), 405)["error"] == "MethodNotAllowed"


def raw_request(server: LiveServer, head: str, body: bytes = b"") -> bytes:
    """Send ``head`` (and ``body``) on a fresh connection; what the server answers before it closes."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head.encode("latin-1") + body)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    return reply


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent(
        live: tuple[LiveServer, Runtime, str, str, str]) -> None:
    server, *_ = live
    reply = raw_request(server, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                "Content-Length: 400000000\r\n\r\n")  # and no body at all: none is awaited
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413") and b"connection: close" in head.lower()
    shape = json.loads(body)
    assert shape["error"] == "PayloadTooLarge" and f"at most {SIGN_IN_BODY_LIMIT:,} bytes" in shape["message"]


def test_a_400_mb_stream_to_the_login_does_not_grow_the_server(live: tuple[LiveServer, Runtime, str, str, str]) -> None:
    """Unauthenticated, without a length: read only up to the route's limit, then refused and closed."""
    server, *_ = live
    process = psutil.Process()  # the server runs in this process (a thread)
    before = process.memory_info().rss
    host, port = server.url.removeprefix("http://").split(":")
    chunk = b"%x\r\n%s\r\n" % (1024 * 1024, b"[" * (1024 * 1024))
    answered = b""
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        try:
            for _ in range(400):
                sock.sendall(chunk)
        except OSError:  # the server stopped reading and closed the connection
            pass
        try:
            answered = sock.recv(65536)
        except OSError:
            pass
    assert not answered or answered.startswith(b"HTTP/1.1 413")
    assert process.memory_info().rss - before < 64 * 1024 * 1024
    with server.client() as client:  # and it goes on serving
        assert client.get("/health").json() == {"status": "ok"}


def test_other_routes_have_their_own_limit(live: tuple[LiveServer, Runtime, str, str, str]) -> None:
    server, _runtime, worker, admin, job = live
    with server.client(admin) as client:
        big = client.post("/api/v1/jobs", content=b" " * (DEFAULT_BODY_LIMIT + 1), headers={"content-type": "application/json"})
        assert refused(big, 413)["error"] == "PayloadTooLarge"
    with server.client(worker) as client:  # an answer may be larger than that
        lease = client.post(f"/api/v1/worker/jobs/{job}/tasks/next").json()["leaseId"]
        saved = client.post(f"/api/v1/worker/tasks/{lease}/submit", json={"answer": {"png": "A" * (2 * DEFAULT_BODY_LIMIT)}})
        assert saved.status_code == 200
