"""Requests answered ahead of the app's middleware stack and route matching: the worker loop's hot path.

A scripted worker calls next task and submit hundreds of times a second. Going through Starlette's
and FastAPI's layers (error middleware, body limit, exception middleware, exit stack, matching the
path against every route, dependency solving, body model, response encoding) cost about as much
CPU per request as the engine call itself. :class:`HotPaths` sits outermost in the app's middleware
stack, matches a request's method and path against a few patterns, and hands a match to a *fast
handler* that runs the same caller check and the same engine call as the declared route.

A fast handler returns None for anything it does not handle (a body that is not JSON of the
documented shape, say); the request then goes through the app as usual, with its body replayed, so
error replies and the OpenAPI description stay those of the declared routes. An engine error
(:class:`CrowdformError`) gets the same JSON reply as the app's exception handler gives it. Bodies
without a ``Content-Length`` or larger than :data:`FAST_BODY_LIMIT`, and path parameters holding
what :mod:`crowdform.untrusted` refuses, always take the app's path, where
:class:`~crowdform.web.request_guard.RequestGuard` checks them; a fast handler reads its JSON body
with :func:`crowdform.untrusted.loads`, the guard's own check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from crowdform.errors import CrowdformError
from crowdform.untrusted import text_problem
from crowdform.web.errors import error_response
from crowdform.web.request_guard import content_length, read_body, replaying, route_pattern

FAST_BODY_LIMIT = 1024 * 1024  # a worker's answer is a few KB; larger bodies take the general path

FastHandler = Callable[[Request, bytes], Awaitable[Response | None]]


@dataclass(frozen=True)
class HotPath:
    """A method and a path pattern (named groups become ``request.path_params``) with its fast handler."""

    method: str
    pattern: re.Pattern[str]
    handler: FastHandler

    @classmethod
    def of(cls, method: str, path: str, handler: FastHandler) -> "HotPath":
        """``path`` in route syntax: ``/api/v1/worker/tasks/{lease_id}/submit``."""
        return cls(method, route_pattern(path), handler)


class HotPaths:
    """ASGI middleware: a request matching a :class:`HotPath` goes to its fast handler first."""

    def __init__(self, app: ASGIApp, paths: list[HotPath]) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for path in self.paths:
                if scope["method"] == path.method and (match := path.pattern.fullmatch(scope["path"])):
                    await self._answer(path.handler, match.groupdict(), scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _answer(self, handler: FastHandler, params: dict[str, str], scope: Scope, receive: Receive,
                      send: Send) -> None:
        length = content_length(scope)
        if length is None or length > FAST_BODY_LIMIT or any(map(text_problem, params.values())):
            await self.app(scope, receive, send)  # the request guard refuses what it must
            return
        body = await read_body(receive, FAST_BODY_LIMIT, source=f"{scope['method']} {scope['path']}")
        replay = replaying(body, receive)
        request = Request({**scope, "path_params": params}, replay)
        try:
            response = await handler(request, body)
        except CrowdformError as error:
            response = error_response(error)
        if response is None:
            await self.app(scope, replay, send)
        else:
            await response(scope, receive, send)
