"""A labeling job in the console: status, task type and labels, counters, timing, the stop and retry
consolidation buttons, files, log and data objects.

Each data object opens in a viewer that draws every worker's boxes, polygons and keypoints and the
consolidated label over the image (``job-viewer.js``), with the answers as text side by side. A
built-in bounding-box label (``groundtruth/object-detection``: ``annotations`` with ``class_id``) is
named by its metadata's ``class-map``.

The job's files are served here, to administrators only: the input manifest as ingested, the output
manifest, and any file of the job's output folder (worker responses, consolidation requests and
responses), named by its path inside that folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from crowdform.engine.consolidation_retry import can_retry, retry_consolidation
from crowdform.engine.job_views import (OBJECT_STATES, active_tasks, input_lines, iso_time, log_tail, object_page,
                                        object_view)
from crowdform.engine.states import JobStatus
from crowdform.errors import CrowdformError, Forbidden, InvalidInput, NotFound
from crowdform.web.admin.session import AdminPage, AdminSession
from crowdform.web.pages import MAX_PAGE, MAX_POSITION, page
from crowdform.web.services import Services
from crowdform.web.sessions import csrf_matches

router = APIRouter()

LOG_LINES = 200
CHUNK_LINES = 2_000


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def _message(request: Request, session: AdminSession, title: str, error: CrowdformError) -> Response:
    return page(request, "admin/message.html", {"session": session, "title": title, "message": str(error)},
                status_code=error.status_code)


@router.get("/jobs/{job_name}")
def job_detail(request: Request, session: AdminPage, job_name: str,
               page_number: Annotated[int, Query(alias="page", ge=1, le=MAX_PAGE)] = 1, state: str | None = None,
               partial: Literal["summary"] | None = None) -> Response:
    services = _services(request)
    runtime = services.runtime
    try:
        job = services.jobs.get(job_name)
    except NotFound as error:
        return _message(request, session, "No such labeling job", error)
    described = services.jobs.describe(job.name)
    context = {"session": session, "job": job, "described": described, "active_tasks": active_tasks(runtime, job),
               "running": job.status in JobStatus.RUNNING,
               "has_output": described.get("LabelingJobOutput") is not None}
    if partial:  # the summary alone, for the page's script to swap in
        return page(request, "admin/job_summary.html", context)
    return page(request, "admin/job_detail.html", context | {
        "objects": object_page(runtime, job.name, page=page_number, state=state or None), "states": OBJECT_STATES,
        "log": log_tail(runtime, job, limit=LOG_LINES), "iso_time": iso_time,
        "stoppable": job.status in (JobStatus.INITIALIZING, JobStatus.IN_PROGRESS),
        "retryable": can_retry(runtime, job.id, job.status),
    })


@router.post("/jobs/{job_name}/stop")
def stop_job(request: Request, session: AdminPage, job_name: str,
             csrf_token: Annotated[str, Form()] = "") -> Response:
    services = _services(request)
    if not csrf_matches(services.runtime.secret, session.token, csrf_token):
        raise Forbidden("This console form expired or did not come from the console; reload the page and try again.")
    try:
        services.jobs.stop(job_name)
    except CrowdformError as error:
        return _message(request, session, "The job was not stopped", error)
    return RedirectResponse(f"/admin/jobs/{job_name}", status_code=303)


@router.post("/jobs/{job_name}/retry-consolidation")
def retry_job_consolidation(request: Request, session: AdminPage, job_name: str,
                            csrf_token: Annotated[str, Form()] = "") -> Response:
    """The "Retry consolidation" button: the post-annotation hook runs again over the objects that
    failed there, and a Failed job goes back to InProgress."""
    services = _services(request)
    if not csrf_matches(services.runtime.secret, session.token, csrf_token):
        raise Forbidden("This console form expired or did not come from the console; reload the page and try again.")
    try:
        retry_consolidation(services.runtime, job_name)
    except CrowdformError as error:
        return _message(request, session, "Consolidation was not retried", error)
    return RedirectResponse(f"/admin/jobs/{job_name}", status_code=303)


@router.get("/jobs/{job_name}/objects/{position}")
def object_viewer(request: Request, session: AdminPage, job_name: str,
                  position: Annotated[int, Path(ge=0, le=MAX_POSITION)]) -> Response:
    services = _services(request)
    try:
        job, view = object_view(services.runtime, job_name, position)
    except NotFound as error:
        return _message(request, session, "No such data object", error)
    image, image_problem = None, None
    if "source-ref" in view.data:
        try:
            image = services.file_access.grant(str(view.data["source-ref"]))
        except CrowdformError as error:
            image_problem = str(error)
    responses: list[str] = []
    if view.iteration:
        folder = f"{job.layout.job_dir}annotations/worker-response/iteration-{view.iteration}/{view.position}/"
        responses = [uri[len(job.layout.job_dir):] for uri in services.runtime.storage.list(folder)]
    # A built-in type's label names its classes by index; its metadata's class-map names them.
    metadata = view.label_metadata if isinstance(view.label_metadata, dict) else {}
    class_map = metadata.get("class-map") if isinstance(metadata.get("class-map"), dict) else {}
    viewer = {"image": image, "labels": list(job.label_categories or ()), "label": view.label, "classMap": class_map,
              "answers": [{"worker": a.worker, "state": a.state, "answer": a.answer} for a in view.answers]}
    return page(request, "admin/job_object.html", {
        "session": session, "job": job, "object": view, "viewer": viewer, "image_problem": image_problem,
        "responses": responses, "total": job.object_count,
    })


@router.get("/jobs/{job_name}/files/input.manifest")
def input_manifest(request: Request, _session: AdminPage, job_name: str) -> Response:
    """The input manifest as ingested: its non-blank lines, as they were given."""
    services = _services(request)
    job = services.jobs.get(job_name)
    return StreamingResponse(_chunks(input_lines(services.runtime, job)), media_type="application/jsonl",
                             headers=_attachment(f"{job.name}-input.manifest"))


@router.get("/jobs/{job_name}/files/{path:path}")
def job_file(request: Request, _session: AdminPage, job_name: str, path: str) -> Response:
    """A file of the job's output folder, ``path`` inside it (``manifests/output/output.manifest``, ...)."""
    services = _services(request)
    job = services.jobs.get(job_name)
    parts = path.split("/")
    if not path or any(part in ("", ".", "..") for part in parts):
        raise InvalidInput.one(path, "is not a file inside the job's output folder", field="path",
                               hint="Name a file as the job page links it, such as manifests/output/output.manifest")
    uri = job.layout.job_dir + path
    storage = services.runtime.storage
    if path.endswith(".manifest"):
        return StreamingResponse(_chunks(line.decode("utf-8") for line in storage.iter_lines(uri)),
                                 media_type="application/jsonl", headers=_attachment(f"{job.name}-{parts[-1]}"))
    return Response(storage.read_bytes(uri), media_type="application/json", headers=_attachment(parts[-1]))


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}


def _chunks(lines: Iterator[str]) -> Iterator[bytes]:
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= CHUNK_LINES:
            yield ("\n".join(chunk) + "\n").encode("utf-8")
            chunk = []
    if chunk:
        yield ("\n".join(chunk) + "\n").encode("utf-8")
