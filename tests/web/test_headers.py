"""Security headers on a real server: nosniff on every response (API, errors, hot paths, files, pages),
each page's Content-Security-Policy, and the OpenAPI schema's security schemes and offline /docs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from crowdform.engine.background import Background
from crowdform.engine.runtime import Runtime
from crowdform.engine.workforce import Workforce
from crowdform.web.headers import PAGE_POLICY, TASK_HOST_POLICY
from crowdform.web.pages import TASK_HOST_PAGES
from tests.fixtures.servers import LiveServer, start_server
from tests.helpers import PASSWORD, example_job, open_runtime, team_with_workers
from tests.web.test_admin_session import ADMIN_PASSWORD, admin_sign_in
from tests.web.test_portal import sign_in

TEMPLATES = Path(__file__).parents[2] / "src" / "crowdform" / "web" / "templates"


@pytest.fixture
def live(tmp_path: Path, database_url: str) -> Iterator[tuple[LiveServer, Runtime, str]]:
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 1)
    Workforce(runtime).create_admin("root", ADMIN_PASSWORD)
    job = example_job(runtime, tmp_path)
    Background(runtime).run_until_idle()
    server = start_server(runtime.settings, runtime)
    yield server, runtime, job.name
    server.stop()
    runtime.close()


def test_every_kind_of_response_says_nosniff(live: tuple[LiveServer, Runtime, str]) -> None:
    server, runtime, job = live
    worker = server.client()
    token = worker.post("/api/v1/auth/login", json={"username": "worker0", "password": PASSWORD}).json()["token"]
    authed = server.client(token)
    responses = {
        "login": worker.post("/api/v1/auth/login", json={"username": "worker0", "password": PASSWORD}),
        "bad login": worker.post("/api/v1/auth/login", json={"username": "worker0", "password": "wrong-password"}),
        "malformed body": worker.post("/api/v1/auth/login", content=b"{", headers={"content-type": "application/json"}),
        "no token": worker.get("/api/v1/worker/jobs"),
        "jobs": authed.get("/api/v1/worker/jobs"),
        "next task (hot path)": authed.post(f"/api/v1/worker/jobs/{job}/tasks/next"),
        "submit unknown lease (hot path)": authed.post("/api/v1/worker/tasks/nope/submit", json={"answer": {}}),
        "no such route": worker.get("/no/such/route"),
        "wrong method": worker.delete("/health"),
        "health": worker.get("/health"),
        "forged file link": worker.get("/files/abc.1.def"),
        "static": worker.get("/static/portal/portal.css"),
        "crowd script": worker.get("/static/crowd-html-elements.js"),
        "redirect": worker.get("/"),
        "portal sign-in page": worker.get("/portal/login"),
        "openapi": worker.get("/openapi.json"),
        "docs": worker.get("/docs"),
    }
    statuses = {name: reply.status_code for name, reply in responses.items()}
    assert statuses["next task (hot path)"] == 200 and statuses["no such route"] == 404, statuses
    assert {400, 401, 403, 404, 405, 307} <= set(statuses.values()), statuses
    missing = [name for name, reply in responses.items() if reply.headers.get("x-content-type-options") != "nosniff"]
    assert missing == []
    doubled = [name for name, reply in responses.items() if len(reply.headers.get_list("x-content-type-options")) != 1]
    assert doubled == []


def test_pages_carry_the_policy_that_fits_them(live: tuple[LiveServer, Runtime, str]) -> None:
    server, _runtime, job = live
    worker, _ = sign_in(server)
    console, _ = admin_sign_in(server)
    strict = {"/portal/login": server.client(), "/portal": worker, "/admin/login": server.client(),
              "/admin/jobs": console, f"/admin/jobs/{job}": console, "/admin/workforce": console, "/docs": worker}
    for path, client in strict.items():
        reply = client.get(path)
        assert reply.status_code == 200, (path, reply.status_code)
        assert reply.headers["content-security-policy"] == PAGE_POLICY, path
        assert "<script>" not in reply.text and " style=" not in reply.text and "<style" not in reply.text, path
    for path, client in {f"/portal/jobs/{job}": worker, "/admin/jobs/new": console}.items():
        reply = client.get(path)
        assert reply.status_code == 200 and reply.headers["content-security-policy"] == TASK_HOST_POLICY, path
        assert 'sandbox="allow-scripts allow-forms"' in reply.text  # the frame keeps its sandbox
    assert "script-src 'self';" in PAGE_POLICY and "'unsafe-inline'" not in PAGE_POLICY
    for policy in (PAGE_POLICY, TASK_HOST_POLICY):
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy and "form-action 'self'" in policy


def test_the_pages_that_hold_a_task_frame_are_the_ones_with_the_task_policy() -> None:
    framing = {str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")
               if 'id="task-frame"' in path.read_text()}
    assert framing == TASK_HOST_PAGES


def test_the_schema_declares_bearer_and_session_security_on_every_guarded_operation(
        live: tuple[LiveServer, Runtime, str]) -> None:
    server, _runtime, _job = live
    schema = server.client().get("/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer", "description": schemes["bearer"]["description"]}
    assert {k: schemes["workerSession"][k] for k in ("type", "in", "name")} == {
        "type": "apiKey", "in": "cookie", "name": "crowdform_worker"}
    assert {k: schemes["adminSession"][k] for k in ("type", "in", "name")} == {
        "type": "apiKey", "in": "cookie", "name": "crowdform_admin"}
    operations = {(method, path): op for path, ops in schema["paths"].items() for method, op in ops.items()}
    open_ones = {key for key, op in operations.items() if "security" not in op}
    assert open_ones == {("post", "/api/v1/auth/login"), ("get", "/files/{token}"), ("get", "/health")}
    for (method, path), op in operations.items():
        if path.startswith("/api/v1/worker/"):
            assert op["security"] == [{"bearer": []}, {"workerSession": []}], (method, path)
        elif path.startswith("/api/v1/jobs"):
            assert op["security"] == [{"bearer": []}, {"adminSession": []}], (method, path)
        names = [p["name"].lower() for p in op.get("parameters", [])]
        assert "authorization" not in names, (method, path)  # the scheme says it, not a parameter


def test_docs_load_their_assets_from_this_server(live: tuple[LiveServer, Runtime, str]) -> None:
    server, _runtime, _job = live
    client = server.client()
    docs = client.get("/docs")
    urls = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert urls and all(url.startswith("/") and not url.startswith("//") for url in urls), urls
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200 and asset.content, url
    assert "SwaggerUIBundle" in client.get("/docs/assets/swagger-ui-bundle.js").text
    assert client.get("/docs/assets/index.html").status_code == 404  # only what the page loads
    assert client.get("/redoc").status_code == 404  # FastAPI's CDN pages are gone
