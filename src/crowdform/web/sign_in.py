"""Forms posted before a session exists (the portal's and the console's sign-in, invitation links),
and starting a session once one of them succeeds.

Such a form has no session to derive its CSRF token from, so the page sets a fresh random
pre-session cookie (``LOGIN_COOKIE``) and the form carries its HMAC; the POST is accepted only when
the two match, so another site cannot post a sign-in in the visitor's name.
"""

from __future__ import annotations

from typing import Any, Callable

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from crowdform.errors import InvalidInput, TooManyRequests, Unauthorized
from crowdform.web.pages import page, safe_next
from crowdform.web.password_checks import check_sign_in
from crowdform.web.sessions import (LOGIN_COOKIE, csrf_matches, csrf_token, new_login_nonce, set_session_cookie,
                                    signed_session)

FORM_EXPIRED = "The form expired. Please try again."


def _secret(request: Request) -> str:
    return request.app.state.services.runtime.secret  # type: ignore[no-any-return]


def pre_session_page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    """The page ``name`` with ``csrf`` in its context, tied to a new pre-session cookie."""
    nonce = new_login_nonce()
    response = page(request, name, {**context, "csrf": csrf_token(_secret(request), nonce)}, status_code)
    set_session_cookie(response, request, LOGIN_COOKIE, nonce, max_age=3600)
    return response


def pre_session_form_valid(request: Request, offered: str) -> bool:
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    return bool(nonce) and csrf_matches(_secret(request), nonce, offered)


def start_session(request: Request, cookie: str, token: str, target: str) -> Response:
    """Redirect to ``target`` with the new session cookie; the pre-session cookie has done its job."""
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, cookie, signed_session(_secret(request), token))
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


async def sign_in(request: Request, *, username: str, password: str, offered_csrf: str, next_page: str,
                  home: str, cookie: str, kind: str, check: Callable[[str, str], str], form: str,
                  context: dict[str, Any]) -> Response:
    """The POST of a sign-in form: check the form, then the password (``check`` returns a session
    token or raises ``Unauthorized``; throttled and bounded by ``password_checks``), then start the
    session at ``next_page`` (a page under ``home``). Every refusal shows the form ``form`` again with
    the reason (and ``Retry-After`` when the sign-in was throttled)."""

    def again(error: str, status_code: int, headers: dict[str, str] | None = None) -> Response:
        response = pre_session_page(request, form, {**context, "next": safe_next(next_page, home), "error": error,
                                                    "username": username}, status_code)
        response.headers.update(headers or {})
        return response

    if not pre_session_form_valid(request, offered_csrf):
        return again(FORM_EXPIRED, 400)
    if not username or not password:
        return again("Enter your user name and password.", 400)
    try:
        token = await check_sign_in(request, kind, check, username, password)
    except TooManyRequests as exc:
        return again(str(exc), exc.status_code, {"Retry-After": str(exc.retry_after)})
    except (Unauthorized, InvalidInput) as exc:
        return again(str(exc), exc.status_code)
    return start_session(request, cookie, token, safe_next(next_page, home))
