"""Console pages for the workforce: private teams, inviting workers, deactivating them, resetting
their passwords, and what each worker did per job.

Adding a worker or resetting a password answers with the team page showing the new invitation
link, right away rather than after a redirect: only the link's hash is stored, so this response is
the one chance to show it. It is also emailed when an SMTP server is configured.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from crowdform.engine.invitations import INVITATION_SECONDS
from crowdform.engine.mailer import Mailer, is_email_address
from crowdform.engine.worker_stats import WorkerStats
from crowdform.errors import CrowdformError
from crowdform.web.admin.session import AdminPage, AdminSession
from crowdform.web.pages import page
from crowdform.web.services import Services
from crowdform.web.sessions import csrf_matches

router = APIRouter(prefix="/workforce")
VALID_DAYS = INVITATION_SECONDS // 86400
CsrfField = Annotated[str, Form()]


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def _forged(request: Request, session: AdminSession, offered: str) -> Response | None:
    """The refusal for a form that does not carry this session's CSRF token, else None."""
    if csrf_matches(_services(request).runtime.secret, session.token, offered):
        return None
    return page(request, "admin/message.html", {
        "session": session, "title": "Form expired",
        "message": "This form did not come from your current console session (its csrf_token field is missing "
                   "or stale). Reload the page and submit it again."}, status_code=403)


def _team_url(team: str) -> str:
    return f"/admin/workforce/teams/{quote(team, safe='')}"


@router.get("")
def teams_page(request: Request, session: AdminPage) -> Response:
    return _teams(request, session)


def _teams(request: Request, session: AdminSession, *, error: str | None = None, name: str = "",
           status_code: int = 200) -> Response:
    teams = _services(request).workforce.list_teams()
    return page(request, "admin/workforce.html", {"session": session, "teams": teams, "error": error, "name": name},
                status_code)


@router.post("/teams")
def create_team(request: Request, session: AdminPage, name: Annotated[str, Form()] = "",
                csrf_token: CsrfField = "") -> Response:
    if refused := _forged(request, session, csrf_token):
        return refused
    try:
        _services(request).workforce.create_team(name.strip())
    except CrowdformError as exc:
        return _teams(request, session, error=str(exc), name=name, status_code=exc.status_code)
    return RedirectResponse(_team_url(name.strip()), status_code=303)


@router.get("/teams/{team}")
def team_page(request: Request, session: AdminPage, team: str) -> Response:
    return _team(request, session, team)


def _team(request: Request, session: AdminSession, team: str, *, invitation: dict[str, Any] | None = None,
          error: str | None = None, username: str = "", status_code: int = 200) -> Response:
    services = _services(request)
    try:
        workers = services.workforce.list_workers(team)
    except CrowdformError as exc:
        return page(request, "admin/message.html", {"session": session, "title": "No such team",
                                                    "message": str(exc)}, status_code=exc.status_code)
    return page(request, "admin/workforce_team.html", {
        "session": session, "team": team, "team_url": _team_url(team), "workers": workers,
        "awaiting": services.invitations.awaiting_password(team), "stats": WorkerStats(services.runtime).per_job(team=team),
        "invitation": invitation, "error": error, "username": username, "valid_days": VALID_DAYS,
    }, status_code)


@router.post("/teams/{team}/workers")
def add_worker(request: Request, session: AdminPage, team: str, username: Annotated[str, Form()] = "",
               csrf_token: CsrfField = "") -> Response:
    if refused := _forged(request, session, csrf_token):
        return refused
    try:
        worker, token = _services(request).invitations.invite(username.strip(), team=team)
    except CrowdformError as exc:
        return _team(request, session, team, error=str(exc), username=username, status_code=exc.status_code)
    return _team(request, session, team, invitation=_hand_out(request, worker.username, token, team, "added"),
                 status_code=201)


@router.post("/workers/{username}/reset-password")
def reset_password(request: Request, session: AdminPage, username: str, team: Annotated[str, Form()] = "",
                   csrf_token: CsrfField = "") -> Response:
    if refused := _forged(request, session, csrf_token):
        return refused
    try:
        worker, token = _services(request).invitations.reset_password(username)
    except CrowdformError as exc:
        return _team(request, session, team, error=str(exc), status_code=exc.status_code)
    return _team(request, session, team, invitation=_hand_out(request, worker.username, token, team, "reset"))


def _hand_out(request: Request, username: str, token: str, team: str, reason: str) -> dict[str, Any]:
    """The invitation box of the team page: the link, and whether (or why not) it was emailed."""
    services = _services(request)
    link = services.invitations.link(token)
    mailer = Mailer.from_settings(services.runtime.settings)
    if mailer is None:
        mail = "No SMTP server is configured (setting smtp_url): send the link yourself."
    elif not is_email_address(username):
        mail = f"{username!r} is not an email address: send the link yourself."
    else:
        try:
            mailer.send_invitation(username, link, team=team, valid_days=VALID_DAYS)
            mail = f"Emailed to {username}."
        except CrowdformError as exc:
            mail = str(exc)
    return {"username": username, "link": link, "mail": mail, "reason": reason}


@router.post("/workers/{username}/deactivate")
def deactivate(request: Request, session: AdminPage, username: str, team: Annotated[str, Form()] = "",
               csrf_token: CsrfField = "") -> Response:
    return _set_active(request, session, username, team, csrf_token, active=False)


@router.post("/workers/{username}/activate")
def activate(request: Request, session: AdminPage, username: str, team: Annotated[str, Form()] = "",
             csrf_token: CsrfField = "") -> Response:
    return _set_active(request, session, username, team, csrf_token, active=True)


def _set_active(request: Request, session: AdminSession, username: str, team: str, csrf_token: str, *,
                active: bool) -> Response:
    if refused := _forged(request, session, csrf_token):
        return refused
    try:
        _services(request).workforce.set_active(username, active)
    except CrowdformError as exc:
        return _team(request, session, team, error=str(exc), status_code=exc.status_code)
    return RedirectResponse(_team_url(team) if team else "/admin/workforce", status_code=303)
