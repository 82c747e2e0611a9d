"""The console's sign-in: administrator sessions, separate from worker sessions.

Page routes take ``AdminPage`` (an :class:`AdminSession`): without an administrator session they
answer with the sign-in page (a redirect), and to someone signed in to the worker portal with 403,
so a worker account never sees a console page. JSON routes under ``/api/v1`` take ``AdminDep``
instead (Bearer token or the console's cookie plus CSRF header).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response

from crowdform.engine.workforce import Principal
from crowdform.errors import Unauthorized
from crowdform.web.pages import page, safe_next
from crowdform.web.services import Services
from crowdform.web.sessions import ADMIN_COOKIE, WORKER_COOKIE, cookie_token, csrf_matches, csrf_token
from crowdform.web.sign_in import pre_session_page, sign_in

router = APIRouter()


@dataclass(frozen=True)
class AdminSession:
    principal: Principal
    token: str
    csrf: str  # for forms (field ``csrf_token``) and the console's fetch calls (header X-CSRF-Token)

    @property
    def username(self) -> str:
        return self.principal.admin_username or "admin"


class SignInRequired(Exception):
    """Raised by ``admin_page`` for a visitor without a console session; answered with a redirect."""

    def __init__(self, target: str) -> None:
        self.target = target


class WorkerNotAdmin(Exception):
    """Raised by ``admin_page`` for a visitor signed in to the worker portal only; answered with 403."""


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def admin_session(request: Request) -> AdminSession | None:
    token = cookie_token(request, ADMIN_COOKIE)
    if not token:
        return None
    try:
        principal = _services(request).workforce.authenticate(token)
    except Unauthorized:
        return None
    if principal.role != "admin":
        return None
    return AdminSession(principal, token, csrf_token(_services(request).runtime.secret, token))


def admin_page(request: Request) -> AdminSession:
    session = admin_session(request)
    if session is not None:
        return session
    if request.cookies.get(WORKER_COOKIE):
        raise WorkerNotAdmin()
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    raise SignInRequired(f"/admin/login?next={quote(target)}")


AdminPage = Annotated[AdminSession, Depends(admin_page)]


def install_page_errors(app: FastAPI) -> None:
    """Console pages answer these two with a page, not the API's JSON error."""

    @app.exception_handler(SignInRequired)
    async def _sign_in(_request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse(exc.target, status_code=303)

    @app.exception_handler(WorkerNotAdmin)
    async def _worker(request: Request, _exc: WorkerNotAdmin) -> Response:
        return page(request, "admin/message.html", {"session": None, "title": "Administrators only",
                                                    "message": "This is the administrators' console. You are signed in "
                                                               "to the worker portal; sign in here with an "
                                                               "administrator account."}, status_code=403)


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    if admin_session(request) is not None:
        return RedirectResponse(safe_next(next, "/admin"), status_code=303)
    return _login_form(request, next=next)


def _login_form(request: Request, *, next: str | None) -> Response:
    return pre_session_page(request, "admin/login.html", {"session": None, "next": safe_next(next, "/admin"),
                                                          "error": None, "username": ""})


@router.post("/login")
async def login(request: Request, username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
                csrf_token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/admin") -> Response:
    return await sign_in(request, username=username, password=password, offered_csrf=csrf_token, next_page=next,
                         home="/admin", cookie=ADMIN_COOKIE, kind="admin", check=_services(request).workforce.admin_login,
                         form="admin/login.html", context={"session": None})


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    session = admin_session(request)
    if session is not None and csrf_matches(_services(request).runtime.secret, session.token, csrf_token):
        _services(request).workforce.logout(session.token)
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(ADMIN_COOKIE, path="/")
    return response
