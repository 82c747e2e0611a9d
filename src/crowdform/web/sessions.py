"""Browser sessions for the worker portal and the admin console: an HttpOnly cookie holding an API
token, and CSRF tokens.

Both sign in through the workforce (workers and administrators are separate accounts with separate
cookies), so a session is an API token that lives in a cookie (``HttpOnly``, ``SameSite=Lax``, ``Secure`` over HTTPS) instead of a header. A
cookie travels with every request the browser makes, so requests that change state and carry the
cookie must also prove they come from our own pages: they send a CSRF token (``X-CSRF-Token``
header, or a ``csrf_token`` field in a form) that is an HMAC of the session token under the server
secret. Requests with an ``Authorization: Bearer`` header need none: scripts elsewhere cannot make
a browser add that header.

The login form has no session yet; it is protected the same way with a random pre-session cookie.

The session cookie carries the token and an HMAC of it under the server secret (``<token>.<mac>``);
a cookie whose MAC does not match is no session. So ``crowdform secrets rotate`` signs every browser
out at once (and its CSRF tokens stop matching), while the tokens of scripts (``Authorization:
Bearer``) are untouched.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from crowdform.engine.workforce import WORKER_TOKEN_SECONDS

WORKER_COOKIE = "crowdform_worker"
ADMIN_COOKIE = "crowdform_admin"  # a separate session: signing in as a worker never opens the console
LOGIN_COOKIE = "crowdform_login"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def signed_session(secret: str, token: str) -> str:
    """The value of a session cookie holding ``token``."""
    return f"{token}.{_session_mac(secret, token)}"


def cookie_token(request: Request, name: str) -> str | None:
    """The session token in the cookie ``name``, if it is there and signed with the secret in force."""
    value = request.cookies.get(name)
    if not value:
        return None
    token, _, mac = value.rpartition(".")
    secret: str = request.app.state.services.runtime.secret
    if not token or not hmac.compare_digest(mac.encode(), _session_mac(secret, token).encode()):
        return None
    return token


def _session_mac(secret: str, token: str) -> str:
    return hmac.new(secret.encode(), b"session:" + token.encode(), hashlib.sha256).hexdigest()


def csrf_token(secret: str, session_value: str) -> str:
    """The token our pages send back with a state-changing request of this session."""
    return hmac.new(secret.encode(), b"csrf:" + session_value.encode(), hashlib.sha256).hexdigest()[:40]


def csrf_matches(secret: str, session_value: str, offered: str | None) -> bool:
    return bool(offered) and hmac.compare_digest(csrf_token(secret, session_value), offered or "")


def set_session_cookie(response: Response, request: Request, name: str, value: str, *,
                       max_age: int = WORKER_TOKEN_SECONDS) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax", path="/",
                        secure=request.url.scheme == "https")


def new_login_nonce() -> str:
    return secrets.token_urlsafe(24)
