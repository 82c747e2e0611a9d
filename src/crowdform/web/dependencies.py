"""Request dependencies: the engine services and the authenticated caller.

All are ``async`` so that they cost no hop to a worker thread: the caller is answered from the
workforce's recently checked tokens and only goes to the thread pool (for the database) on a miss.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request, Security
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from crowdform.engine.workforce import Principal, WorkerInfo
from crowdform.errors import Forbidden, Unauthorized
from crowdform.web.services import Services
from crowdform.web.sessions import ADMIN_COOKIE, CSRF_HEADER, SAFE_METHODS, WORKER_COOKIE, cookie_token, csrf_matches


# The ways to authenticate, declared for the OpenAPI schema (so that "Authorize" in /docs works); the
# checks below read the header and the cookies themselves. A route accepts the Bearer token or its session.
BEARER = HTTPBearer(auto_error=False, scheme_name="bearer", description=(
    "A token from POST /api/v1/auth/login (workers) or `crowdform admin token` (administrators)."))
WORKER_SESSION = APIKeyCookie(name=WORKER_COOKIE, auto_error=False, scheme_name="workerSession", description=(
    "The worker portal's session cookie (set by signing in at /portal); requests that change something "
    f"also send the page's CSRF token in {CSRF_HEADER}."))
ADMIN_SESSION = APIKeyCookie(name=ADMIN_COOKIE, auto_error=False, scheme_name="adminSession", description=(
    "The console's session cookie (set by signing in at /admin); requests that change something also send "
    f"the page's CSRF token in {CSRF_HEADER}."))


async def services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


async def _caller(request: Request, authorization: str | None, cookie: str) -> Principal:
    """The caller, from a Bearer token or else the session cookie ``cookie``, which needs a CSRF token
    on every request that changes something (see :mod:`crowdform.web.sessions`)."""
    services: Services = request.app.state.services
    if authorization and authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
    elif (token := cookie_token(request, cookie) or "") and request.method not in SAFE_METHODS:
        if not csrf_matches(services.runtime.secret, token, request.headers.get(CSRF_HEADER)):
            raise Forbidden(f"This request carries a session cookie but no valid {CSRF_HEADER} header; "
                            "reload the page and try again.")
    if not token:
        raise Unauthorized("Send 'Authorization: Bearer <token>'; get a token from POST /api/v1/auth/login.")
    workforce = services.workforce
    return workforce.recently_checked(token) or await run_in_threadpool(workforce.authenticate, token)


async def current_worker(request: Request, authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
                         _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)] = None,
                         _session: Annotated[str | None, Security(WORKER_SESSION)] = None) -> WorkerInfo:
    caller = await _caller(request, authorization, WORKER_COOKIE)
    if caller.worker is None:
        raise Forbidden("This endpoint is for workers; log in with a worker account.")
    return caller.worker


async def current_admin(request: Request, authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
                        _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)] = None,
                        _session: Annotated[str | None, Security(ADMIN_SESSION)] = None) -> Principal:
    caller = await _caller(request, authorization, ADMIN_COOKIE)
    if caller.role != "admin":
        raise Forbidden("This endpoint is for administrators.")
    return caller


ServicesDep = Annotated[Services, Depends(services)]
WorkerDep = Annotated[WorkerInfo, Depends(current_worker)]
AdminDep = Annotated[Principal, Depends(current_admin)]
