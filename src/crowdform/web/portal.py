"""The worker portal: log in, pick a job, work through its tasks, log out.

Server-rendered pages (Jinja2, autoescaped) with one small script (``static/portal/portal.js``).
The task page holds the chrome (title, description, time left, Submit / Decline / Release) and
an iframe, sandboxed without ``allow-same-origin``, into which the script loads the task's
rendered template. The crowd elements in the frame hand the answer over by ``postMessage``; the
script stores it through the worker API (cookie session + CSRF header) and loads the next task.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from crowdform.engine.workforce import WorkerInfo
from crowdform.errors import CrowdformError, Unauthorized
from crowdform.web.pages import page, safe_next
from crowdform.web.password_checks import hashing
from crowdform.web.services import Services
from crowdform.web.sessions import WORKER_COOKIE, cookie_token, csrf_matches, csrf_token
from crowdform.web.sign_in import FORM_EXPIRED, pre_session_form_valid, pre_session_page, sign_in, start_session

router = APIRouter(prefix="/portal", include_in_schema=False)


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def _session_worker(request: Request) -> tuple[WorkerInfo, str] | None:
    """The signed-in worker and their session token, or None (no cookie, expired, deactivated)."""
    token = cookie_token(request, WORKER_COOKIE)
    if not token:
        return None
    try:
        principal = _services(request).workforce.authenticate(token)
    except Unauthorized:
        return None
    return (principal.worker, token) if principal.worker is not None else None


def _to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/portal/login?next={quote(target)}", status_code=303)


@router.get("/login")
def loginpage(request: Request, next: str | None = None) -> Response:
    if _session_worker(request) is not None:
        return RedirectResponse(safe_next(next, "/portal"), status_code=303)
    return _login_form(request, next=next)


def _login_form(request: Request, *, next: str | None) -> Response:
    return pre_session_page(request, "portal/login.html", {"next": safe_next(next, "/portal"), "error": None,
                                                           "username": ""})


@router.post("/login")
async def login(request: Request, username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
                csrf_token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/portal") -> Response:
    return await sign_in(request, username=username, password=password, offered_csrf=csrf_token, next_page=next,
                         home="/portal", cookie=WORKER_COOKIE, kind="worker", check=_services(request).workforce.login,
                         form="portal/login.html", context={})


@router.get("/invitations/{token}")
def invitation_page(request: Request, token: str) -> Response:
    return _invitation_form(request, token)


def _invitation_form(request: Request, token: str, *, error: str | None = None, status_code: int = 200) -> Response:
    try:
        username = _services(request).invitations.invited_username(token)
    except CrowdformError as exc:
        return page(request, "portal/message.html", {"worker": None, "csrf": "", "title": "Invitation not valid",
                                                     "message": str(exc)}, status_code=exc.status_code)
    return pre_session_page(request, "portal/invitation.html", {"username": username, "error": error, "worker": None},
                            status_code)


@router.post("/invitations/{token}")
async def accept_invitation(request: Request, token: str, password: Annotated[str, Form()] = "",
                            confirm: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = "") -> Response:
    if not pre_session_form_valid(request, csrf_token):
        return _invitation_form(request, token, error=FORM_EXPIRED, status_code=400)
    if password != confirm:
        return _invitation_form(request, token, error="The two passwords differ.", status_code=400)
    try:
        session = await hashing(_services(request), _services(request).invitations.accept, token, password)
    except CrowdformError as exc:
        return _invitation_form(request, token, error=str(exc), status_code=exc.status_code)
    return start_session(request, WORKER_COOKIE, session, "/portal")


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    session = _session_worker(request)
    if session is not None and csrf_matches(_services(request).runtime.secret, session[1], csrf_token):
        _services(request).workforce.logout(session[1])
    response = RedirectResponse("/portal/login", status_code=303)
    response.delete_cookie(WORKER_COOKIE, path="/")
    return response


@router.get("")
def jobspage(request: Request) -> Response:
    session = _session_worker(request)
    if session is None:
        return _to_login(request)
    worker, token = session
    jobs = _services(request).tasks.jobs_for(worker)
    return page(request, "portal/jobs.html", {"worker": worker, "jobs": jobs,
                                               "csrf": csrf_token(_services(request).runtime.secret, token)})


@router.get("/jobs/{job_name}")
def taskpage(request: Request, job_name: str) -> Response:
    session = _session_worker(request)
    if session is None:
        return _to_login(request)
    worker, token = session
    job = next((j for j in _services(request).tasks.jobs_for(worker) if j["name"] == job_name), None)
    if job is None:
        return page(request, "portal/message.html", {
            "worker": worker, "csrf": csrf_token(_services(request).runtime.secret, token),
            "title": "Job not available",
            "message": f"The job {job_name!r} is not open to you (it may have finished). Pick another job.",
        }, status_code=404)
    return page(request, "portal/task.html", {"worker": worker, "job": job,
                                               "csrf": csrf_token(_services(request).runtime.secret, token)})
