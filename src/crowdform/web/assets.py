"""Static assets: the crowd elements library at the URL templates name, and the portal's own files.

The library is served from ``/static/crowd-html-elements.js`` (templates' ``assets.crowd.aws``
script tags are rewritten to it). Task pages name it with its version (``?v=<content hash>``), and
that URL is cached for a year: a worker's browser loads the library once, not once per task (which
a revalidation round trip per task would cost). The plain URL revalidates with its ETag. The task
frame has an opaque origin, hence the CORS header.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from crowdform.web.crowd_script import CROWD_SCRIPT_MEDIA_TYPE, CROWD_SCRIPT_PATH, crowd_script

router = APIRouter(include_in_schema=False)


@functools.cache
def crowd_script_version() -> str:
    return hashlib.sha256(crowd_script().encode()).hexdigest()[:20]


def versioned_crowd_script_url() -> str:
    """The library's URL for task pages: changes whenever the library does, so it can be cached."""
    return f"{CROWD_SCRIPT_PATH}?v={crowd_script_version()}"


@router.get(CROWD_SCRIPT_PATH)
def crowd_elements(request: Request, v: str | None = None) -> Response:
    etag = f'"{crowd_script_version()}"'
    cache = ("public, max-age=31536000, immutable" if v == crowd_script_version()
             else "public, max-age=0, must-revalidate")
    headers = {"ETag": etag, "Cache-Control": cache, "Access-Control-Allow-Origin": "*",
               "X-Content-Type-Options": "nosniff"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(crowd_script(), media_type=CROWD_SCRIPT_MEDIA_TYPE, headers=headers)


def mount_assets(app: FastAPI) -> None:
    app.include_router(router)
    for part in ("portal", "admin", "docs"):
        app.mount(f"/static/{part}", StaticFiles(directory=Path(__file__).parent / "static" / part),
                  name=f"{part}-static")
