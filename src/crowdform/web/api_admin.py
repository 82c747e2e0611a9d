"""The admin API (bearer admin token): create, describe, list and stop jobs, retry their consolidation,
read logs and output."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import StreamingResponse

from crowdform.engine.consolidation_retry import retry_consolidation
from crowdform.groundtruth.job_request import parse_create_labeling_job
from crowdform.untrusted import MAX_ID
from crowdform.web.dependencies import AdminDep, ServicesDep

router = APIRouter(prefix="/api/v1/jobs", tags=["admin"])


@router.post("", status_code=201)
def create_job(_admin: AdminDep, services: ServicesDep,
               body: dict[str, Any] = Body(description="A CreateLabelingJob request body.")) -> dict[str, Any]:
    """CreateLabelingJob: relative local paths are read from the server's working directory."""
    spec = parse_create_labeling_job(body, source="CreateLabelingJob request")
    job = services.jobs.create(spec, base_dir=Path.cwd())
    return {"LabelingJobArn": job.arn}


@router.get("")
def list_jobs(_admin: AdminDep, services: ServicesDep) -> dict[str, Any]:
    return {"LabelingJobSummaryList": services.jobs.list_jobs()}


@router.get("/{job_name}")
def describe_job(job_name: str, _admin: AdminDep, services: ServicesDep) -> dict[str, Any]:
    return services.jobs.describe(job_name)


@router.post("/{job_name}/stop")
def stop_job(job_name: str, _admin: AdminDep, services: ServicesDep) -> dict[str, Any]:
    services.jobs.stop(job_name)
    return {}


@router.post("/{job_name}/retry-consolidation")
def retry_job_consolidation(job_name: str, _admin: AdminDep, services: ServicesDep) -> dict[str, Any]:
    """Run the post-annotation hook again over the objects that failed in consolidation; a Failed job
    goes back to InProgress. Refused (400) while the job runs, or when nothing failed there."""
    count = retry_consolidation(services.runtime, job_name)
    return {"RetriedObjects": count, "LabelingJobStatus": services.jobs.get(job_name).status}


@router.get("/{job_name}/logs")
def job_logs(job_name: str, _admin: AdminDep, services: ServicesDep,
             after: Annotated[int, Query(ge=0, le=MAX_ID, description="Only entries with a larger id")] = 0,
             ) -> dict[str, Any]:
    return {"entries": [
        {"id": i, "at": at, "source": source, "level": level, "message": message}
        for i, at, source, level, message in services.jobs.logs(job_name, after_id=after)
    ]}


@router.get("/{job_name}/output-manifest")
def output_manifest(job_name: str, _admin: AdminDep, services: ServicesDep) -> StreamingResponse:
    """The job's ``manifests/output/output.manifest``, streamed as it is stored."""
    job = services.jobs.get(job_name)
    storage = services.runtime.storage
    lines = storage.iter_lines(job.layout.output_manifest)
    first = next(lines, None)  # raises NotFound now, while an error status can still be sent

    def body() -> Any:
        chunk = [] if first is None else [first]
        for line in lines:
            chunk.append(line)
            if len(chunk) >= 2_000:
                yield b"\n".join(chunk) + b"\n"
                chunk = []
        if chunk:
            yield b"\n".join(chunk) + b"\n"

    return StreamingResponse(body(), media_type="application/jsonl")
