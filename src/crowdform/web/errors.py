"""One handler that turns engine errors and request-shape errors into one JSON error shape."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from crowdform.errors import CrowdformError, InvalidInput, Problem


def error_response(error: CrowdformError) -> JSONResponse:
    """The JSON reply to an engine error: its status, code and message (and problems, for bad input)."""
    headers = {"WWW-Authenticate": "Bearer"} if error.status_code == 401 else None
    return JSONResponse(error.to_dict(), status_code=error.status_code, headers=headers)


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
        return JSONResponse(invalid.to_dict(), status_code=400)
