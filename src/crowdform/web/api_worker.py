"""The worker API: log in, list jobs, take the next task, submit, decline, release.

Workers only ever see their own leases and the jobs of their own teams. A submission is committed
to the database before the response is sent. The task endpoints are ``async`` and run the engine
through :func:`call_engine`; logging in stays a plain function because hashing a password takes
tens of milliseconds of CPU, which belongs in a worker thread.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from crowdform.engine.clock import utc
from crowdform.web.dependencies import ServicesDep, WorkerDep
from crowdform.web.engine_calls import call_engine

router = APIRouter(prefix="/api/v1")


class LoginRequest(BaseModel):
    username: str
    password: str


class LoginResponse(BaseModel):
    token: str


class SubmitRequest(BaseModel):
    answer: Any = Field(description="The form's answerContent: one JSON object keyed by element name.")


@router.post("/auth/login", response_model=LoginResponse, tags=["auth"])
def login(body: LoginRequest, services: ServicesDep) -> LoginResponse:
    return LoginResponse(token=services.workforce.login(body.username, body.password))


@router.get("/worker/jobs", tags=["worker"])
async def worker_jobs(worker: WorkerDep, services: ServicesDep) -> dict[str, Any]:
    return {"jobs": await call_engine(services, services.tasks.jobs_for, worker)}


@router.post("/worker/jobs/{job_name}/tasks/next", tags=["worker"],
             responses={204: {"description": "Nothing left for this worker on this job"}})
async def next_task(job_name: str, worker: WorkerDep, services: ServicesDep) -> Any:
    task = await call_engine(services, services.tasks.next_task, worker, job_name)
    if task is None:
        return Response(status_code=204)
    return {
        "leaseId": task.lease_id,
        "jobName": task.job_name,
        "datasetObjectId": task.dataset_object_id,
        "taskInput": task.task_input,
        "acceptanceTime": utc(task.acquired_at).isoformat(),
        "expiresAt": utc(task.expires_at).isoformat(),
        "taskTitle": task.title,
        "taskDescription": task.description,
        "taskKeywords": task.keywords,
    }


@router.get("/worker/tasks/{lease_id}/page", tags=["worker"], response_class=HTMLResponse)
async def task_page(lease_id: str, worker: WorkerDep, services: ServicesDep) -> HTMLResponse:
    """The task's page: the job's template rendered with this task's input, signed file URLs included.
    The portal shows it in a sandboxed frame; it loads the crowd elements from this server."""
    html = await call_engine(services, services.task_pages.render, worker, lease_id)
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


@router.post("/worker/tasks/{lease_id}/submit", tags=["worker"])
async def submit(lease_id: str, body: SubmitRequest, worker: WorkerDep, services: ServicesDep) -> dict[str, Any]:
    result = await call_engine(services, services.tasks.submit, worker, lease_id, body.answer)
    return {"leaseId": result.lease_id, "saved": True, "submissionTime": utc(result.submitted_at).isoformat(),
            "alreadySubmitted": result.already_submitted}


@router.post("/worker/tasks/{lease_id}/decline", tags=["worker"])
async def decline(lease_id: str, worker: WorkerDep, services: ServicesDep) -> dict[str, Any]:
    await call_engine(services, services.tasks.decline, worker, lease_id)
    return {"leaseId": lease_id, "declined": True}


@router.post("/worker/tasks/{lease_id}/release", tags=["worker"])
async def release(lease_id: str, worker: WorkerDep, services: ServicesDep) -> dict[str, Any]:
    await call_engine(services, services.tasks.release, worker, lease_id)
    return {"leaseId": lease_id, "released": True}
