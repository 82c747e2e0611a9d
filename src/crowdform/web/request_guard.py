"""The edge of the app: every request's path, query and body are checked before any route sees them.

:class:`RequestGuard` is one ASGI middleware, so no route can forget it:

- **Body size, per route** (:data:`BODY_LIMITS`, else :data:`DEFAULT_BODY_LIMIT`), enforced while
  reading: a ``Content-Length`` over the limit is refused with 413 before a byte of the body is read,
  and a body sent without one is refused as soon as it passes the limit, so no request makes the
  server hold more than its route's limit. (Starlette's own ``RequestBodyLimitMiddleware`` answers in
  plain text, and only once the route has run when the route reads no body.)
- **Hostile content** (:mod:`crowdform.untrusted`): a JSON body (``application/json`` or
  ``application/*+json``, what FastAPI reads as JSON) must parse, and may hold no NUL, lone surrogate, nesting over
  64 levels or number beyond 64 bits; form fields, query parameters and the path may hold no NUL (a
  percent-encoded surrogate already decodes to U+FFFD).

Every refusal is the API's JSON error shape (``web.errors``) naming the field. The request then
reaches the app with its body replayed. Requests signed for the AWS-compatible endpoint never get
here: ``aws.endpoint``, in front of the app, answers them and checks their bodies itself (S3 objects
are files of any size and content).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message as MimeHeader
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crowdform import untrusted
from crowdform.errors import CrowdformError, PayloadTooLarge
from crowdform.web.errors import error_response

KIB = 1024
MIB = 1024 * KIB
DEFAULT_BODY_LIMIT = 1 * MIB
SIGN_IN_BODY_LIMIT = 16 * KIB  # a user name and a password, with room to spare
ANSWER_BODY_LIMIT = 16 * MIB + 64 * KIB  # engine.tasks.MAX_ANSWER_BYTES and the envelope around it
CONSOLE_FORM_LIMIT = 4 * MIB  # a job form with a pasted template


@dataclass(frozen=True)
class BodyLimit:
    method: str
    pattern: re.Pattern[str]
    limit: int

    @classmethod
    def of(cls, method: str, path: str, limit: int) -> "BodyLimit":
        return cls(method, route_pattern(path), limit)


def route_pattern(path: str) -> re.Pattern[str]:
    """``path`` in route syntax (``/portal/invitations/{token}``) as a pattern to match a whole path
    with; each parameter is a named group that never spans a slash."""
    return re.compile(re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(path)))


BODY_LIMITS = (
    BodyLimit.of("POST", "/api/v1/auth/login", SIGN_IN_BODY_LIMIT),
    BodyLimit.of("POST", "/portal/login", SIGN_IN_BODY_LIMIT),
    BodyLimit.of("POST", "/admin/login", SIGN_IN_BODY_LIMIT),
    BodyLimit.of("POST", "/portal/invitations/{token}", SIGN_IN_BODY_LIMIT),
    BodyLimit.of("POST", "/api/v1/worker/tasks/{lease_id}/submit", ANSWER_BODY_LIMIT),
    BodyLimit.of("POST", "/admin/jobs/new", CONSOLE_FORM_LIMIT),
    BodyLimit.of("POST", "/admin/jobs/new/template", CONSOLE_FORM_LIMIT),
    BodyLimit.of("POST", "/admin/jobs/new/preview", CONSOLE_FORM_LIMIT),
)


def body_limit(method: str, path: str) -> int:
    """The most bytes a request body to this route may have."""
    for rule in BODY_LIMITS:
        if rule.method == method and rule.pattern.fullmatch(path):
            return rule.limit
    return DEFAULT_BODY_LIMIT


class RequestGuard:
    """ASGI middleware: refuse oversized and hostile requests before the app reads them (module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        source = f"{scope['method']} {scope['path']}"
        try:
            check_path_and_query(scope, source)
            limit = body_limit(scope["method"], scope["path"])
            length = content_length(scope)
            if length is not None and length > limit:
                raise _too_large(source, length, limit)
            if length == 0 or (length is None and not _header(scope, b"transfer-encoding")):
                await self.app(scope, receive, send)  # no body to check
                return
            body = await read_body(receive, limit, source=source)
            check_body(body, _header(scope, b"content-type"), source)
        except CrowdformError as error:
            response = error_response(error)
            if isinstance(error, PayloadTooLarge):
                response.headers["Connection"] = "close"  # the rest of the body is never read
            await response(scope, receive, send)
            return
        await self.app(scope, replaying(body, receive), send)


def check_path_and_query(scope: Scope, source: str) -> None:
    """Refuse NUL (``%00``) in the path or in a query parameter's name or value."""
    untrusted.check_text(scope["path"], source=source, field="path")
    query = scope.get("query_string", b"")
    if query:
        for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            untrusted.check_text(name, source=source, field="query parameter name")
            untrusted.check_text(value, source=source, field=f"query parameter {name}")


def check_body(body: bytes, content_type: str | None, source: str) -> None:
    """Refuse a JSON body that does not parse or holds anything :mod:`crowdform.untrusted` refuses, and a
    form field holding NUL. Other bodies are the route's to read."""
    if not body:
        return
    kind = _media_type(content_type)
    if kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json")):
        untrusted.loads(body, source=source)
    elif kind == "application/x-www-form-urlencoded":
        for name, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True):
            untrusted.check_text(name, source=source, field="form field name")
            untrusted.check_text(value, source=source, field=name)


async def read_body(receive: Receive, limit: int, *, source: str) -> bytes:
    """The whole request body, refused with :class:`PayloadTooLarge` as soon as it passes ``limit``."""
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away; the app sees what came
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(source, None, limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands out the already-read body once, then waits on the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def content_length(scope: Scope) -> int | None:
    """The request's ``Content-Length``, or None when it has none (or one that is not a number)."""
    value = _header(scope, b"content-length")
    return int(value) if value is not None and value.isdigit() else None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _media_type(content_type: str | None) -> str:
    if not content_type:
        return ""
    header = MimeHeader()
    header["content-type"] = content_type
    return header.get_content_type()


def _too_large(source: str, length: int | None, limit: int) -> PayloadTooLarge:
    size = f"{length:,} bytes" if length is not None else "more"
    return PayloadTooLarge(f"{source}: the request body is {size}; this route takes at most {limit:,} bytes. "
                           "Send a smaller body.")

