"""Server-rendered pages of the portal, the console, the preview server and ``/docs``: one Jinja2
environment (autoescaped) and the headers every page gets, its Content-Security-Policy included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from crowdform import __version__
from crowdform.untrusted import MAX_ID
from crowdform.web.headers import PAGE_POLICY, TASK_HOST_POLICY

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.globals["version"] = __version__

MAX_PAGE = 1_000_000  # a page number beyond it only overflows the query's OFFSET (50 objects a page)
MAX_POSITION = MAX_ID  # a datasetObjectId is a 32-bit column: a larger one cannot be looked up

# Our pages must not be framed by other sites (clickjacking), nor cached with a session in them.
PAGE_HEADERS = {"X-Frame-Options": "DENY", "Referrer-Policy": "same-origin", "Cache-Control": "no-store"}
# The pages that hold the sandboxed task frame, whose srcdoc inherits their policy (see web.headers).
TASK_HOST_PAGES = frozenset({"portal/task.html", "admin/job_new.html", "preview/task.html"})


def page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    policy = TASK_HOST_POLICY if name in TASK_HOST_PAGES else PAGE_POLICY
    return templates.TemplateResponse(request, name, context, status_code=status_code,
                                      headers={**PAGE_HEADERS, "Content-Security-Policy": policy})


def safe_next(target: str | None, prefix: str) -> str:
    """Only local paths under ``prefix``: never send someone to another site after signing in."""
    if target and target.startswith(prefix) and not target.startswith("//"):
        return target
    return prefix
