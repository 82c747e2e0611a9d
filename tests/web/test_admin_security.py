"""Every administrator route refuses anonymous visitors and workers, and every console form checks
its CSRF token. The routes are read from the real app's router, so a route added later is covered
without touching this file (a new path parameter needs a plausible value in ``PLAUSIBLE``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from sqlalchemy import select

from crowdform.engine.runtime import Runtime
from crowdform.engine.workforce import Workforce
from crowdform.settings import Settings
from crowdform.store.models import ApiToken, Base
from crowdform.web.app import create_app
from crowdform.web.dependencies import current_admin
from crowdform.web.sessions import ADMIN_COOKIE, WORKER_COOKIE, signed_session
from tests.fixtures.servers import LiveServer, start_server
from tests.helpers import PASSWORD, open_runtime, synthetic_job, team_with_workers
from tests.web.test_admin_session import ADMIN_PASSWORD, admin_sign_in
from tests.web.test_portal import page_csrf, sign_in

JOB = "security-job"
# Path parameters of admin routes, filled with things that exist, so a refusal is never a 404.
PLAUSIBLE = {"job_name": JOB, "team": "animal-team", "username": "worker0", "position": "0",
             "path": "manifests/output/output.manifest"}
# Console routes anybody may call, and why.
OPEN_TO_ALL = {
    "/admin/login": "the sign-in form",
    "/admin/logout": "ends only the caller's own console session (checked below)",
}
# Form fields a console POST might read, so that a refusal is never about a missing field.
FORM = {"name": "mallory-team", "username": "mallory", "team": "animal-team", "password": "mallory-password",
        "template": "<p>x</p>", "value": "x"}


@dataclass(frozen=True)
class AdminRoute:
    method: str
    path: str  # with its parameters filled in
    page: bool  # a console page (cookie sign-in) rather than the JSON API


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def admin_routes(app: FastAPI) -> list[AdminRoute]:
    """Routes under ``/admin`` (but ``OPEN_TO_ALL``) and API routes that depend on ``current_admin``."""
    found = []
    for route in iter_route_contexts(app.routes):
        path, dependant = route.path, getattr(route, "dependant", None)
        if path is None or dependant is None:
            continue  # mounts (static files) and the OpenAPI pages
        page = path.startswith("/admin")
        if not (page and path not in OPEN_TO_ALL) and current_admin not in set(_calls(dependant)):
            continue
        filled = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: PLAUSIBLE.get(m.group(1), m.group(0)), path)
        found += [AdminRoute(method, filled, page) for method in sorted(route.methods or ()) if method != "HEAD"]
    return found


ROUTES = admin_routes(create_app(Settings()))
CONSOLE_POSTS = [r for r in ROUTES if r.page and r.method == "POST"]


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Runtime, str]]:
    """A server with a team, two workers, a job and an administrator; and worker0's API token.
    One for the whole module: every request here is refused, so nothing changes (as checked)."""
    tmp_path = tmp_path_factory.mktemp("security")
    runtime = open_runtime(tmp_path, f"sqlite:///{tmp_path / 'crowdform.db'}")
    team_with_workers(runtime, "animal-team", 2)
    synthetic_job(runtime, tmp_path, name=JOB, objects=2, workers_per_object=1)
    workforce = Workforce(runtime)
    workforce.create_admin("root", ADMIN_PASSWORD)
    server = start_server(runtime.settings, runtime)
    yield server, runtime, workforce.login("worker0", PASSWORD)
    server.stop()
    runtime.close()


def snapshot(runtime: Runtime) -> dict[str, list[Any]]:
    """Every row of every table but the sessions: what a refused request must leave as it was."""
    with runtime.database.read() as connection:
        return {table.name: sorted(map(tuple, connection.execute(select(table))), key=repr)
                for table in Base.metadata.sorted_tables if table is not ApiToken.__table__}


def send(client: httpx.Client, route: AdminRoute, **extra: Any) -> httpx.Response:
    if route.method == "GET":
        return client.get(route.path, **extra)
    if route.page:
        return client.request(route.method, route.path, data=FORM | extra.pop("data", {}), **extra)
    return client.request(route.method, route.path, json={}, **extra)


def test_the_router_lists_the_console_and_the_admin_api() -> None:
    unfilled = sorted({r.path for r in ROUTES if "{" in r.path})
    assert not unfilled, f"add plausible values for the path parameters of {unfilled} to PLAUSIBLE"
    paths = {(r.method, r.path) for r in ROUTES}
    assert {("GET", "/admin"), ("GET", "/admin/jobs"), ("GET", "/admin/workforce"),
            ("POST", "/admin/workforce/teams"), ("GET", "/api/v1/jobs"), ("POST", f"/api/v1/jobs/{JOB}/stop"),
            ("POST", "/admin/workforce/workers/worker0/deactivate")} <= paths
    assert not any(path.startswith(("/api/v1/worker", "/api/v1/auth", "/portal")) for _method, path in paths)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_anonymous_visitors_and_workers_are_refused(guarded: tuple[LiveServer, Runtime, str], route: AdminRoute) -> None:
    server, runtime, worker_token = guarded
    before = snapshot(runtime)
    anonymous = send(server.client(), route)
    # Cookies signed as the server signs them, so that only the kind of session is wrong.
    worker_cookie = signed_session(runtime.secret, worker_token)
    with_worker_cookie = send(httpx.Client(base_url=server.url, cookies={WORKER_COOKIE: worker_cookie}, timeout=30), route)
    with_worker_bearer = send(server.client(worker_token), route)
    # A worker's token where the console's session cookie goes is no key to the console either.
    as_console_cookie = send(httpx.Client(base_url=server.url, cookies={ADMIN_COOKIE: worker_cookie}, timeout=30), route)
    if route.page:
        for refused in (anonymous, with_worker_bearer, as_console_cookie):  # pages read the console cookie only
            assert refused.status_code == 303 and refused.headers["location"].startswith("/admin/login?next="), \
                (refused.status_code, refused.text[:300])
        assert with_worker_cookie.status_code == 403 and "Administrators only" in with_worker_cookie.text
    else:
        for refused in (anonymous, with_worker_cookie):  # the admin API reads the console cookie, not the worker's
            assert refused.status_code == 401 and refused.json()["error"] == "Unauthorized", refused.text
        for refused in (with_worker_bearer, as_console_cookie):
            assert refused.status_code == 403 and refused.json()["error"] == "Forbidden", refused.text
    assert snapshot(runtime) == before


@pytest.mark.parametrize("route", CONSOLE_POSTS, ids=lambda r: r.path)
def test_console_forms_refuse_a_missing_or_wrong_csrf_token(guarded: tuple[LiveServer, Runtime, str],
                                                           route: AdminRoute) -> None:
    server, runtime, _worker_token = guarded
    client, _ = admin_sign_in(server)
    right = page_csrf(client.get("/admin/jobs").text)
    wrong = right[:-4] + ("0000" if not right.endswith("0000") else "1111")
    before = snapshot(runtime)
    missing = send(client, route)
    forged = send(client, route, data={"csrf_token": wrong}, headers={"X-CSRF-Token": wrong})
    for refused in (missing, forged):
        assert refused.status_code == 403, (refused.status_code, refused.text[:300])
    assert snapshot(runtime) == before
    assert client.get("/admin/jobs").status_code == 200  # the session itself is untouched


def test_sign_in_and_sign_out_check_their_csrf_tokens_too(guarded: tuple[LiveServer, Runtime, str]) -> None:
    server, runtime, worker_token = guarded
    forged_login = httpx.post(f"{server.url}/admin/login", data={"username": "root", "password": ADMIN_PASSWORD,
                                                                   "csrf_token": "made-up"})
    assert forged_login.status_code == 400 and ADMIN_COOKIE not in forged_login.cookies
    client, _ = admin_sign_in(server)
    session = client.cookies[ADMIN_COOKIE].rpartition(".")[0]  # the token, without the cookie's signature
    client.post("/admin/logout", data={"csrf_token": "made-up"})  # a forged sign-out ends nothing server-side
    assert Workforce(runtime).authenticate(session).role == "admin"
    worker, _ = sign_in(server)
    out = worker.post("/admin/logout")  # a worker "signing out" of the console touches no session of theirs
    assert out.status_code == 303 and Workforce(runtime).authenticate(worker_token).worker is not None
    assert worker.get("/portal").status_code == 200
