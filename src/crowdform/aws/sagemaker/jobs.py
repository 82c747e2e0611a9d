"""Labeling jobs: CreateLabelingJob, DescribeLabelingJob, ListLabelingJobs, StopLabelingJob and
ListLabelingJobsForWorkteam, as calls of the engine the CLI and the console use.

A request is parsed by ``groundtruth.job_request`` (after the service model's own checks), so a
body that ``crowdform job create --from-request`` takes works here too, and the other way round.
Replies carry times as epoch seconds. A job made with the CLI may name its team by name alone; its
``WorkteamArn`` is given here as the work team's ARN, which is what the model requires.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crowdform.aws.paging import decode_token, encode_token
from crowdform.aws.sagemaker.context import Context, Handler
from crowdform.engine.job_listing import JobQuery, list_jobs
from crowdform.engine.jobs import counters_from_states, describe_job
from crowdform.engine.states import ObjectState
from crowdform.errors import InvalidInput
from crowdform.groundtruth.arns import workteam_arn, workteam_name
from crowdform.groundtruth.job_request import parse_create_labeling_job

SORT_FIELDS = {"Name": "name", "CreationTime": "created", "Status": "status"}
DEFAULT_MAX_RESULTS = 10  # SageMaker's list operations give 10 at a time unless told otherwise
_SUMMARY_KEYS = ("LabelingJobName", "LabelingJobArn", "CreationTime", "LastModifiedTime", "LabelingJobStatus",
                 "LabelCounters", "FailureReason", "LabelingJobOutput", "InputConfig")
_PENDING_HUMAN = (ObjectState.QUEUED, ObjectState.PREPARING, ObjectState.READY)


def create_labeling_job(context: Context, request: dict[str, Any]) -> dict[str, Any]:
    """Relative local paths (crowdform also takes them for URIs) are read from the server's folder."""
    spec = parse_create_labeling_job(request, source="CreateLabelingJob")
    job = context.engine.jobs.create(spec, base_dir=Path.cwd())
    return {"LabelingJobArn": job.arn}


def describe_labeling_job(context: Context, request: dict[str, Any]) -> dict[str, Any]:
    described = context.engine.jobs.describe(request["LabelingJobName"], epoch_times=True)
    human = described["HumanTaskConfig"]
    described["HumanTaskConfig"] = {**human, "WorkteamArn": _workteam_arn(context, human.get("WorkteamArn", ""))}
    return described


def list_labeling_jobs(context: Context, request: dict[str, Any]) -> dict[str, Any]:
    sort_by, order = request.get("SortBy", "CreationTime"), request.get("SortOrder", "Ascending")
    listing = f"ListLabelingJobs:{sort_by}:{order}"
    query = JobQuery(
        created_after=request.get("CreationTimeAfter"), created_before=request.get("CreationTimeBefore"),
        modified_after=request.get("LastModifiedTimeAfter"), modified_before=request.get("LastModifiedTimeBefore"),
        name_contains=request.get("NameContains"), status=request.get("StatusEquals"),
        sort=SORT_FIELDS[sort_by], descending=order == "Descending",
        after=decode_token(request.get("NextToken"), listing), limit=request.get("MaxResults", DEFAULT_MAX_RESULTS))
    jobs, last = list_jobs(context.runtime, query)
    summaries = []
    for job in jobs:
        described = describe_job(job.row, counters_from_states(job.states, job.row.object_count), [],
                                 epoch_times=True)
        human = described["HumanTaskConfig"]
        summary = {key: described[key] for key in _SUMMARY_KEYS if key in described}
        summary["WorkteamArn"] = _workteam_arn(context, human.get("WorkteamArn", ""))
        if human.get("PreHumanTaskLambdaArn"):
            summary["PreHumanTaskLambdaArn"] = human["PreHumanTaskLambdaArn"]
        post = (human.get("AnnotationConsolidationConfig") or {}).get("AnnotationConsolidationLambdaArn")
        if post:
            summary["AnnotationConsolidationLambdaArn"] = post
        summaries.append(summary)
    return _page("LabelingJobSummaryList", summaries, listing, last)


def stop_labeling_job(context: Context, request: dict[str, Any]) -> dict[str, Any]:
    context.engine.jobs.stop(request["LabelingJobName"])
    return {}


def list_labeling_jobs_for_workteam(context: Context, request: dict[str, Any]) -> dict[str, Any]:
    order = request.get("SortOrder", "Ascending")
    listing = f"ListLabelingJobsForWorkteam:CreationTime:{order}"
    query = JobQuery(
        team=workteam_name(request["WorkteamArn"], source="WorkteamArn"),
        created_after=request.get("CreationTimeAfter"), created_before=request.get("CreationTimeBefore"),
        reference_contains=request.get("JobReferenceCodeContains"), descending=order == "Descending",
        after=decode_token(request.get("NextToken"), listing), limit=request.get("MaxResults", DEFAULT_MAX_RESULTS))
    jobs, last = list_jobs(context.runtime, query)
    account = context.runtime.settings.account_id
    summaries = [{
        "LabelingJobName": job.row.name,
        "JobReferenceCode": job.row.reference_code,
        "WorkRequesterAccountId": account,
        "CreationTime": job.row.created_at,
        "LabelCounters": {
            "HumanLabeled": job.states.get(ObjectState.LABELED, 0),
            "PendingHuman": sum(job.states.get(state, 0) for state in _PENDING_HUMAN),
            "Total": job.row.object_count,
        },
        "NumberOfHumanWorkersPerDataObject": job.row.workers_per_object,
    } for job in jobs]
    return _page("LabelingJobSummaryList", summaries, listing, last)


def _page(key: str, items: list[dict[str, Any]], listing: str, last: list[Any] | None) -> dict[str, Any]:
    reply: dict[str, Any] = {key: items}
    if last is not None:
        reply["NextToken"] = encode_token(listing, last)
    return reply


def _workteam_arn(context: Context, given: str) -> str:
    """The ARN of the team a job names: as given when it is an ARN, made from a plain team name."""
    if given.startswith("arn:"):
        return given
    try:
        name = workteam_name(given)
    except InvalidInput:
        return given
    settings = context.runtime.settings
    return workteam_arn(settings.region, settings.account_id, name)


OPERATIONS: dict[str, Handler] = {
    "CreateLabelingJob": create_labeling_job,
    "DescribeLabelingJob": describe_labeling_job,
    "ListLabelingJobs": list_labeling_jobs,
    "StopLabelingJob": stop_labeling_job,
    "ListLabelingJobsForWorkteam": list_labeling_jobs_for_workteam,
}
