"""The console's "Labeling jobs" page: every job with its progress, sortable by each column, 50 a page.

While a job on the page runs, ``jobs-list.js`` asks for the table alone (``?partial=table``) every
few seconds and swaps it in, so progress moves without reloading (or flickering) the page.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from crowdform.engine.job_views import job_page
from crowdform.web.admin.session import AdminPage
from crowdform.web.pages import MAX_PAGE, page

router = APIRouter()


@router.get("/jobs")
def jobs_list(request: Request, session: AdminPage, sort: str = "created", order: Literal["asc", "desc"] = "desc",
              page_number: Annotated[int, Query(alias="page", ge=1, le=MAX_PAGE)] = 1,
              partial: Literal["table"] | None = None) -> Response:
    jobs = job_page(request.app.state.services.runtime, sort=sort, descending=order == "desc", page=page_number)
    name = "admin/job_list_table.html" if partial else "admin/jobs.html"
    return page(request, name, {"session": session, "jobs": jobs})
