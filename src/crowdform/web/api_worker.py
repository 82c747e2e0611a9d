"""The worker API: log in, list jobs, take the next task, submit, decline, release.

Workers only ever see their own leases and the jobs of their own teams. A submission is committed
to the database before the response is sent. The task endpoints are ``async`` and run the engine
through :func:`call_engine`; logging in hashes the password in a worker thread, throttled and
bounded (:mod:`crowdform.web.password_checks`).

Scripted workers can submit and take their next task in one request (``"next": true`` in the submit
body), which halves the requests per answer.

Next task and submit are the hot path (a scripted worker calls them hundreds of times a second), so
:data:`HOT_PATHS` answers a well-formed request to them -- JSON body of the documented shape -- ahead
of the app's middleware and routing (:mod:`crowdform.web.hot_paths`), without FastAPI's dependency
solving, body model and response encoding. The fast handlers run the same caller check
(``current_worker``), the same engine calls and build the same reply as the declared routes below;
any other request (a malformed body, a missing field, a form post) goes through the declared route,
so error replies and the OpenAPI description are those of its signature.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from crowdform import untrusted
from crowdform.engine.clock import utc
from crowdform.engine.task_items import SubmitResult, Task
from crowdform.web import engine_calls
from crowdform.web.dependencies import ServicesDep, WorkerDep, current_worker
from crowdform.web.engine_calls import call_engine
from crowdform.web.hot_paths import HotPath
from crowdform.web.password_checks import check_sign_in
from crowdform.web.services import Services

router = APIRouter(prefix="/api/v1")
NEXT_TASK_PATH = "/worker/jobs/{job_name}/tasks/next"
SUBMIT_PATH = "/worker/tasks/{lease_id}/submit"

_JSON = "application/json"
_dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode


def _task_json(task: Task) -> str:
    """A task as the next-task reply's JSON; ``taskInput`` is the stored JSON text, spliced in unparsed."""
    return (f'{{"leaseId":{_dumps(task.lease_id)},"jobName":{_dumps(task.job_name)},'
            f'"datasetObjectId":{_dumps(task.dataset_object_id)},"taskInput":{task.task_input_json},'
            f'"acceptanceTime":"{utc(task.acquired_at).isoformat()}","expiresAt":"{utc(task.expires_at).isoformat()}",'
            f'"taskTitle":{_dumps(task.title)},"taskDescription":{_dumps(task.description)},'
            f'"taskKeywords":{_dumps(task.keywords)}}}')


def _next_reply(task: Task | None) -> Response:
    return Response(status_code=204) if task is None else Response(_task_json(task).encode(), media_type=_JSON)


def _saved_json(result: SubmitResult) -> str:
    return (f'{{"leaseId":{_dumps(result.lease_id)},"saved":true,'
            f'"submissionTime":"{utc(result.submitted_at).isoformat()}",'
            f'"alreadySubmitted":{"true" if result.already_submitted else "false"}')


async def _submit(services: Services, worker: Any, lease_id: str, answer: Any, then_next: bool) -> Response:
    result, task = await engine_calls.submit(services, worker, lease_id, answer, then_next)
    if not then_next:
        return Response((_saved_json(result) + "}").encode(), media_type=_JSON)
    following = "null" if task is None else _task_json(task)
    return Response(f'{_saved_json(result)},"next":{following}}}'.encode(), media_type=_JSON)


# ------------------------------------------------------------------ the hot paths' fast handlers

async def _fast_next(request: Request, _body: bytes) -> Response | None:
    worker = await current_worker(request, request.headers.get("authorization"))
    services: Services = request.app.state.services
    return _next_reply(await engine_calls.next_task(services, worker, request.path_params["job_name"]))


async def _fast_submit(request: Request, raw_body: bytes) -> Response | None:
    content_type = request.headers.get("content-type", "")
    if content_type.split(";", 1)[0].strip().lower() != _JSON:
        return None
    body = untrusted.loads(raw_body, source=f"POST {request.scope['path']}")  # the request guard's own check
    if not isinstance(body, dict) or "answer" not in body:
        return None
    then_next = body.get("next", False)
    if type(then_next) is not bool:  # "true", 1 ...: leave lax conversions to the declared model
        return None
    worker = await current_worker(request, request.headers.get("authorization"))
    services: Services = request.app.state.services
    return await _submit(services, worker, request.path_params["lease_id"], body["answer"], then_next)


HOT_PATHS = [
    HotPath.of("POST", router.prefix + NEXT_TASK_PATH, _fast_next),
    HotPath.of("POST", router.prefix + SUBMIT_PATH, _fast_submit),
]


class LoginRequest(BaseModel):
    username: str
    password: str


class LoginResponse(BaseModel):
    token: str


class SubmitRequest(BaseModel):
    answer: Any = Field(description="The form's answerContent: one JSON object keyed by element name.")
    next: bool = Field(False, description="Also take the worker's next task on the same job, in the same "
                                          "durable transaction, and return it as `next` (null when none is left).")


@router.post("/auth/login", response_model=LoginResponse, tags=["auth"], responses={
    429: {"description": "Too many failed sign-ins to this account or from this address: try again after "
                         "`Retry-After` seconds"},
    503: {"description": "Too many sign-ins waiting for a password check: try again after `Retry-After` seconds"}})
async def login(body: LoginRequest, request: Request, services: ServicesDep) -> LoginResponse:
    """A worker's bearer token for 12 hours. Sign-ins are throttled per account and per client address."""
    return LoginResponse(token=await check_sign_in(request, "worker", services.workforce.login, body.username,
                                                   body.password))


@router.get("/worker/jobs", tags=["worker"])
async def worker_jobs(worker: WorkerDep, services: ServicesDep) -> dict[str, Any]:
    return {"jobs": await call_engine(services, services.tasks.jobs_for, worker)}


@router.post(NEXT_TASK_PATH, tags=["worker"],
           responses={204: {"description": "Nothing left for this worker on this job"}})
async def next_task(job_name: str, worker: WorkerDep, services: ServicesDep) -> Any:
    """The task the worker holds on this job, else a new one: 200 with ``leaseId``, ``taskInput``,
    ``expiresAt`` ...; 204 when nothing is left for this worker."""
    return _next_reply(await engine_calls.next_task(services, worker, job_name))


@router.get("/worker/tasks/{lease_id}/page", tags=["worker"], response_class=HTMLResponse)
async def task_page(lease_id: str, worker: WorkerDep, services: ServicesDep) -> HTMLResponse:
    """The task's page: the job's template rendered with this task's input, signed file URLs included.
    The portal shows it in a sandboxed frame; it loads the crowd elements from this server."""
    html = await call_engine(services, services.task_pages.render, worker, lease_id)
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


@router.post(SUBMIT_PATH, tags=["worker"], responses={200: {"description": (
    "The answer is committed: `{leaseId, saved: true, submissionTime, alreadySubmitted}`. With `\"next\": true` "
    "in the body, the reply also carries `next`: the worker's next task on the same job (the next-task "
    "reply's fields), or null when nothing is left for them.")}})
async def submit(lease_id: str, body: SubmitRequest, worker: WorkerDep, services: ServicesDep) -> Any:
    """Store the answer durably, then reply. Repeating a submission with the same answer is harmless
    (``alreadySubmitted: true``); a different answer is refused (409); another worker's task is 404.

    With ``"next": true`` the same request also takes the worker's next task on this job, committed in
    the same transaction as the answer, so a scripted worker needs one request per task. Repeating
    such a request returns the same next task (the worker still holds it) and never a second one."""
    return await _submit(services, worker, lease_id, body.answer, body.next)


@router.post("/worker/tasks/{lease_id}/decline", tags=["worker"])
async def decline(lease_id: str, worker: WorkerDep, services: ServicesDep) -> dict[str, Any]:
    await call_engine(services, services.tasks.decline, worker, lease_id)
    return {"leaseId": lease_id, "declined": True}


@router.post("/worker/tasks/{lease_id}/release", tags=["worker"])
async def release(lease_id: str, worker: WorkerDep, services: ServicesDep) -> dict[str, Any]:
    await call_engine(services, services.tasks.release, worker, lease_id)
    return {"leaseId": lease_id, "released": True}
