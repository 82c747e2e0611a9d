"""Fuzzing the running app: no request, however hostile, gets a server error.

- Property tests (hypothesis) of every public request body -- worker sign-in, submit (the hot path
  and the declared route), CreateLabelingJob, the console's JSON helpers, the sign-in forms -- and of
  query parameters, with hostile values (lone surrogates, NUL, deep nesting, huge numbers, long
  strings): the reply is below 500, and an API refusal has the documented error shape.
- schemathesis over the app's own OpenAPI schema, every operation called with a worker's token and
  with an administrator's token: nothing it generates gets a 5xx.

Examples are few and one server per database serves the whole module, so the set stays fast.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from crowdform.engine.background import Background
from crowdform.engine.workforce import Workforce
from crowdform.settings import Settings
from crowdform.web.app import create_app
from tests.fixtures.databases import POSTGRES_ENV, create_postgres_database, drop_postgres_database
from tests.fixtures.servers import start_server
from tests.groundtruth.test_job_request import minimal
from tests.hostile import FUZZ, any_values, as_json_text, hostile_text
from tests.helpers import PASSWORD, open_runtime, synthetic_job, team_with_workers

WEB = settings(FUZZ, max_examples=30)  # each example is an HTTP request
FEW = settings(FUZZ, max_examples=15)  # each may cost a password hash
JSON = {"content-type": "application/json"}


@dataclass
class Target:
    url: str
    worker: str  # a worker's bearer token
    admin: str  # an administrator's bearer token
    job: str
    lease: str  # a task the worker holds
    console: httpx.Client  # signed in to the console, with its CSRF header


@pytest.fixture(scope="module", params=["sqlite", "postgresql"] if os.environ.get(POSTGRES_ENV) else ["sqlite"])
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    tmp_path = tmp_path_factory.mktemp("fuzz")
    database_url = f"sqlite:///{tmp_path / 'crowdform.db'}" if request.param == "sqlite" else create_postgres_database()
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 1)
    job = synthetic_job(runtime, tmp_path, name="fuzzed", objects=50, workers_per_object=1)
    Background(runtime).run_until_idle()
    Workforce(runtime).create_admin("root", PASSWORD)
    server = start_server(runtime.settings, runtime)
    with server.client() as client:
        worker = client.post("/api/v1/auth/login", json={"username": "worker0", "password": PASSWORD}).json()["token"]
    with server.client(worker) as client:
        lease = client.post(f"/api/v1/worker/jobs/{job.name}/tasks/next").json()["leaseId"]
    console = server.client()
    page = console.get("/admin/login").text
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    console.post("/admin/login", data={"username": "root", "password": PASSWORD, "csrf_token": csrf})
    console.headers["X-CSRF-Token"] = console.get("/admin/jobs/new").text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    yield Target(server.url, worker, Workforce(runtime).create_admin_token(), job.name, lease, console)
    console.close()
    server.stop()
    runtime.close()
    if request.param == "postgresql":
        drop_postgres_database(database_url)


def no_server_error(reply: httpx.Response, *, api: bool = True) -> None:
    assert reply.status_code < 500, f"{reply.request.method} {reply.request.url.path}: {reply.status_code} {reply.text[:500]}"
    if api and reply.status_code >= 400:
        body = reply.json()
        assert isinstance(body["error"], str) and isinstance(body["message"], str)


def post_json(target: Target, path: str, body: str, token: str | None = None, *, chunked: bool = False) -> httpx.Response:
    headers = {**JSON, **({"Authorization": f"Bearer {token}"} if token else {})}
    content: Any = iter([body.encode("utf-8", "surrogatepass")]) if chunked else body
    with httpx.Client(base_url=target.url, timeout=60) as client:
        return client.post(path, content=content, headers=headers)


bodies = st.one_of(any_values, st.fixed_dictionaries({"answer": any_values}, optional={"next": any_values}))


@WEB
@given(bodies, st.booleans())
def test_any_submit_body_is_answered_below_500(target: Target, body: Any, chunked: bool) -> None:
    text = as_json_text(body)
    if text is not None:
        no_server_error(post_json(target, f"/api/v1/worker/tasks/{target.lease}/submit", text, target.worker,
                                  chunked=chunked))


@FEW
@given(st.one_of(any_values, st.fixed_dictionaries({"username": any_values, "password": any_values})))
def test_any_sign_in_body_is_answered_below_500(target: Target, body: Any) -> None:
    text = as_json_text(body)
    if text is not None:
        no_server_error(post_json(target, "/api/v1/auth/login", text))


@WEB
@given(st.data(), any_values)
def test_any_create_labeling_job_body_is_answered_below_500(target: Target, data: st.DataObject, value: Any) -> None:
    body = minimal()
    body["LabelingJobName"] = "fuzz-" + data.draw(st.text("abcdefghij0123456789", min_size=1, max_size=12))
    section = data.draw(st.sampled_from(["LabelingJobName", "HumanTaskConfig", "InputConfig", "OutputConfig", None]))
    if section is None:
        body = value
    elif isinstance(body[section], dict):
        body[section][data.draw(st.sampled_from(sorted(body[section])))] = value
    else:
        body[section] = value
    text = as_json_text(body)
    if text is not None:
        no_server_error(post_json(target, "/api/v1/jobs", text, target.admin))


@WEB
@given(st.sampled_from(["manifest", "template", "preview"]), any_values, hostile_text)
def test_any_console_helper_body_is_answered_below_500(target: Target, helper: str, value: Any, text: str) -> None:
    body = as_json_text({"manifest": value, "template": text, "template_uri": value} if helper != "manifest"
                        else {"manifest": value})
    if body is not None:
        no_server_error(target.console.post(f"/admin/jobs/new/{helper}", content=body, headers=JSON), api=False)


@FEW
@given(st.sampled_from(["/portal/login", "/admin/login", "/portal/invitations/abc"]), hostile_text, hostile_text)
def test_any_sign_in_form_is_answered_below_500(target: Target, path: str, username: str, password: str) -> None:
    fields = {"username": username, "password": password, "confirm": password, "csrf_token": "x"}
    with httpx.Client(base_url=target.url, timeout=60) as client:
        no_server_error(client.post(path, data=fields_as_utf8(fields)), api=False)


def fields_as_utf8(fields: dict[str, str]) -> dict[str, str]:
    """Form fields as a browser sends them: text that UTF-8 cannot hold is replaced (a lone surrogate)."""
    return {k: v.encode("utf-8", "replace").decode("utf-8") for k, v in fields.items()}


@WEB
@given(st.one_of(st.integers(min_value=-(2**80), max_value=2**80).map(str), hostile_text))
def test_any_query_parameter_is_answered_below_500(target: Target, value: str) -> None:
    clean = value.encode("utf-8", "replace").decode("utf-8")
    with httpx.Client(base_url=target.url, timeout=60, headers={"Authorization": f"Bearer {target.admin}"}) as client:
        no_server_error(client.get(f"/api/v1/jobs/{target.job}/logs", params={"after": clean}))
    no_server_error(target.console.get("/admin/jobs", params={"page": clean, "sort": clean}), api=False)
    no_server_error(target.console.get(f"/admin/jobs/{target.job}", params={"page": clean, "state": clean}), api=False)


# ---------------------------------------------------------------- schemathesis over the app's own schema

schema = schemathesis.openapi.from_dict(create_app(Settings(background=False)).openapi())


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.generate])
def test_no_request_the_schema_describes_gets_a_server_error(case: Any, target: Target) -> None:
    signing_in = case.path == "/api/v1/auth/login"  # takes no token; each call may cost a password hash
    for token in (None,) if signing_in else (target.worker, target.admin):
        reply = case.call(base_url=target.url, headers={"Authorization": f"Bearer {token}"} if token else {})
        assert reply.status_code < 500, f"{case.method} {case.formatted_path}: {reply.status_code} {reply.text[:500]}"


def test_the_schema_covers_the_worker_and_admin_apis() -> None:
    paths = set(create_app(Settings(background=False)).openapi()["paths"])
    assert {"/api/v1/auth/login", "/api/v1/worker/tasks/{lease_id}/submit", "/api/v1/jobs",
            "/api/v1/jobs/{job_name}/logs"} <= paths
