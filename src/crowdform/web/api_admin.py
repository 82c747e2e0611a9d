"""The admin API (bearer admin token): describe, list and stop jobs, read a job's log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from crowdform.web.dependencies import AdminDep, ServicesDep

router = APIRouter(prefix="/api/v1/jobs", tags=["admin"])


@router.get("")
def list_jobs(_admin: AdminDep, services: ServicesDep) -> dict[str, Any]:
    return {"LabelingJobSummaryList": services.jobs.list()}


@router.get("/{job_name}")
def describe_job(job_name: str, _admin: AdminDep, services: ServicesDep) -> dict[str, Any]:
    return services.jobs.describe(job_name)


@router.post("/{job_name}/stop")
def stop_job(job_name: str, _admin: AdminDep, services: ServicesDep) -> dict[str, Any]:
    services.jobs.stop(job_name)
    return {}


@router.get("/{job_name}/logs")
def job_logs(job_name: str, _admin: AdminDep, services: ServicesDep, after: int = 0) -> dict[str, Any]:
    return {"entries": [
        {"id": i, "at": at, "source": source, "level": level, "message": message}
        for i, at, source, level, message in services.jobs.logs(job_name, after_id=after)
    ]}
