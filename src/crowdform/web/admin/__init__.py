"""The admin console under ``/admin``: server-rendered pages on the same engine as the CLI and API."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from crowdform.web.admin import job_create, job_detail, jobs_list, session, workforce

router = APIRouter(prefix="/admin", include_in_schema=False)
router.include_router(session.router)
router.include_router(jobs_list.router)
router.include_router(job_create.router)  # before job_detail: /jobs/new is not a job's name
router.include_router(job_detail.router)
router.include_router(workforce.router)


@router.get("")
def home(_session: session.AdminPage) -> RedirectResponse:
    return RedirectResponse("/admin/jobs", status_code=303)
