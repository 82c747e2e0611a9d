"""Security headers: ``nosniff`` on every response, and the Content-Security-Policy of our pages.

:class:`NoSniff` wraps the whole app, outside the worker loop's hot paths and Starlette's error
middleware, so API replies, files, errors (500s included) and pages all say
``X-Content-Type-Options: nosniff``: a browser never guesses that a JSON reply or an uploaded file
is HTML or script.

Pages get one of two policies (docs/decisions.md, "Page policies"):

* :data:`PAGE_POLICY` for pages that show no task: our own scripts and styles only (no inline
  script or style), requests to this server only, no plugins, no ``<base>``, forms posting here only,
  never framed. Images may come from anywhere (the console shows objects through presigned S3 URLs).
* :data:`TASK_HOST_POLICY` for pages that hold the sandboxed task frame. A frame loaded with
  ``srcdoc`` inherits the policy of the page around it, so this policy is what the task's template
  needs: Ground Truth templates run inline scripts and styles and load media and scripts from where
  their authors put them. The frame's ``sandbox`` (no same-origin, so no cookies, storage or access to
  the page) is what confines the template; this policy still forbids plugins, ``<base>``, forms posting
  elsewhere and framing by other sites.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_NOSNIFF_NAME = b"x-content-type-options"
_NOSNIFF = (_NOSNIFF_NAME, b"nosniff")

_ALWAYS = "object-src 'none'; form-action 'self'; frame-ancestors 'none'"
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src * data: blob:; "
               "media-src * data: blob:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; " + _ALWAYS)
TASK_HOST_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob: https: http:; "
                    "style-src 'self' 'unsafe-inline' https: http:; img-src * data: blob:; media-src * data: blob:; "
                    "font-src * data:; connect-src *; frame-src * data: blob:; worker-src 'self' blob:; "
                    "base-uri 'self'; " + _ALWAYS)


class NoSniff:
    """ASGI middleware: adds ``X-Content-Type-Options: nosniff`` to every HTTP response that lacks it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_nosniff(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or ())
                if not any(name.lower() == _NOSNIFF_NAME for name, _ in headers):
                    message = {**message, "headers": [*headers, _NOSNIFF]}
            await send(message)

        await self.app(scope, receive, send_nosniff)
