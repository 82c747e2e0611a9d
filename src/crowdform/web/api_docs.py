"""``/docs``: the OpenAPI UI, served by crowdform itself so that it works offline.

Swagger UI's files come from the ``swagger-ui-bundle-v2`` package (swagger-ui's ``dist`` files,
released with each swagger-ui version), not from a CDN. The page and its start-up script are ours,
so the page runs under the same strict Content-Security-Policy as the console (no inline script).
Only the files the page loads are served from the package.
"""

from __future__ import annotations

import functools
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import FileResponse

from crowdform.web.pages import page

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"
_ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css", "favicon-32x32.png": "image/png"}

router = APIRouter(include_in_schema=False)


@functools.cache
def swagger_ui_folder() -> Path:
    from swagger_ui_bundle import swagger_ui_path

    return Path(str(swagger_ui_path))


@router.get(DOCS_PATH)
def docs_page(request: Request) -> Response:
    return page(request, "docs.html", {"title": request.app.title, "openapi_url": request.app.openapi_url,
                                       "assets": ASSETS_PATH})


@router.get(ASSETS_PATH + "/{name}")
def docs_asset(name: str) -> Response:
    media_type = _ASSETS.get(name)
    if media_type is None:
        raise HTTPException(404)
    # The package's folder is named after the swagger-ui version, so an upgrade changes what is served.
    return FileResponse(swagger_ui_folder() / name, media_type=media_type,
                        headers={"Cache-Control": "public, max-age=86400"})
