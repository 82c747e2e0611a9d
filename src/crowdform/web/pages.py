"""Server-rendered pages of the portal and the console: one Jinja2 environment (autoescaped) and
the headers every page gets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from crowdform import __version__

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.globals["version"] = __version__

# Our pages must not be framed by other sites (clickjacking), nor cached with a session in them.
PAGE_HEADERS = {"X-Frame-Options": "DENY", "Referrer-Policy": "same-origin", "Cache-Control": "no-store"}


def page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code, headers=PAGE_HEADERS)


def safe_next(target: str | None, prefix: str) -> str:
    """Only local paths under ``prefix``: never send someone to another site after signing in."""
    if target and target.startswith(prefix) and not target.startswith("//"):
        return target
    return prefix
