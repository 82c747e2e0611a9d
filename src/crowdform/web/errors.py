"""One handler that turns engine errors and request-shape errors into one JSON error shape.

Every refusal the API makes reads ``{"error": <code>, "message": <sentence>}`` (plus ``source`` and
``problems`` for bad input): engine errors, request bodies that do not fit a route's model, and the
framework's own refusals (an unknown route, a method not allowed). Error replies are written as ASCII
JSON, so a message quoting hostile input (a lone surrogate) can never fail to encode.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from crowdform.errors import CrowdformError, InvalidInput, Problem, TooManyRequests

_HTTP_CODES = {400: "ValidationException", 404: "ResourceNotFound", 405: "MethodNotAllowed",
               413: "PayloadTooLarge", 415: "UnsupportedMediaType"}


class ErrorJSON(JSONResponse):
    """JSON with every non-ASCII character escaped: valid for any text the message quotes."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")


def error_response(error: CrowdformError) -> JSONResponse:
    """The JSON reply to an engine error: its status, code and message (and problems, for bad input)."""
    headers = {}
    if error.status_code == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, TooManyRequests):
        headers["Retry-After"] = str(error.retry_after)
    return ErrorJSON(error.to_dict(), status_code=error.status_code, headers=headers or None)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CrowdformError)
    async def _crowdform_error(_request: Request, exc: CrowdformError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _request_shape(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            Problem(str(error.get("msg", "invalid")), field=".".join(str(p) for p in error.get("loc", ())[1:]) or None)
            for error in exc.errors()
        ]
        invalid = InvalidInput(f"{request.method} {request.url.path}", problems)
        return ErrorJSON(invalid.to_dict(), status_code=400)

    @app.exception_handler(HTTPException)
    async def _framework(request: Request, exc: HTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "Error")
        message = f"{request.method} {request.url.path}: {exc.detail}"
        return ErrorJSON({"error": code, "message": message}, status_code=exc.status_code,
                         headers=getattr(exc, "headers", None))
