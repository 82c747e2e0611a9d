"""ListLabelingJobs and ListLabelingJobsForWorkteam: filters, sort orders and NextToken paging, with a
real boto3 client (its paginator too) against a live server."""

from __future__ import annotations

import base64
import json
import time
from datetime import datetime, timezone
from typing import Any

import pytest

from crowdform.engine.clock import ManualClock
from crowdform.engine.workforce import Workforce
from tests.aws.sagemaker.conftest import SageMaker, error_of


@pytest.fixture
def four_jobs(sagemaker_with: Any) -> tuple[SageMaker, ManualClock, float]:
    """alpha-one, beta-two, alpha-three, gamma, created 10 s apart from t0; beta-two stopped at t0 + 40."""
    clock = ManualClock(start=float(int(time.time())))
    sagemaker = sagemaker_with(clock=clock)
    t0 = clock.now()
    for name in ("alpha-one", "beta-two", "alpha-three", "gamma"):
        sagemaker.create_job(name)
        clock.advance(10)
    sagemaker.client.stop_labeling_job(LabelingJobName="beta-two")
    return sagemaker, clock, t0


def names(reply: dict[str, Any]) -> list[str]:
    return [summary["LabelingJobName"] for summary in reply["LabelingJobSummaryList"]]


def at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=timezone.utc)


def test_filters_and_sort_orders(four_jobs: tuple[SageMaker, ManualClock, float]) -> None:
    sagemaker, _, t0 = four_jobs
    listed = sagemaker.client.list_labeling_jobs
    assert names(listed()) == ["alpha-one", "beta-two", "alpha-three", "gamma"]  # CreationTime, Ascending
    assert names(listed(SortOrder="Descending")) == ["gamma", "alpha-three", "beta-two", "alpha-one"]
    assert names(listed(SortBy="Name")) == ["alpha-one", "alpha-three", "beta-two", "gamma"]
    assert names(listed(SortBy="Name", SortOrder="Descending")) == ["gamma", "beta-two", "alpha-three", "alpha-one"]
    assert names(listed(SortBy="Status")) == ["alpha-one", "alpha-three", "gamma", "beta-two"]
    assert names(listed(NameContains="ALPHA")) == ["alpha-one", "alpha-three"]
    assert names(listed(StatusEquals="Stopping")) == ["beta-two"]
    assert names(listed(StatusEquals="Completed")) == []
    assert names(listed(CreationTimeAfter=at(t0 + 10))) == ["alpha-three", "gamma"]  # strictly after
    assert names(listed(CreationTimeBefore=at(t0 + 20))) == ["alpha-one", "beta-two"]
    assert names(listed(CreationTimeAfter=at(t0), CreationTimeBefore=at(t0 + 30), NameContains="a-th")) == ["alpha-three"]
    assert names(listed(LastModifiedTimeAfter=at(t0 + 35))) == ["beta-two"]
    assert names(listed(LastModifiedTimeBefore=at(t0 + 35), SortBy="Name")) == ["alpha-one", "alpha-three", "gamma"]
    summary = listed(NameContains="beta")["LabelingJobSummaryList"][0]
    assert summary["LabelingJobStatus"] == "Stopping" and summary["LabelCounters"]["Unlabeled"] == 3
    assert summary["WorkteamArn"] == sagemaker.workteam_arn and summary["InputConfig"]["DataSource"]
    assert summary["LastModifiedTime"] == at(t0 + 40) and summary["CreationTime"] == at(t0 + 10)


@pytest.mark.parametrize("sort_by, order", [("CreationTime", "Ascending"), ("Name", "Descending"),
                                            ("Status", "Ascending")])
def test_pages_of_one_list_every_job_once(four_jobs: tuple[SageMaker, ManualClock, float], sort_by: str,
                                          order: str) -> None:
    sagemaker = four_jobs[0]
    whole = names(sagemaker.client.list_labeling_jobs(SortBy=sort_by, SortOrder=order))
    pages, token = [], None
    while True:
        reply = sagemaker.client.list_labeling_jobs(SortBy=sort_by, SortOrder=order, MaxResults=1,
                                                    **({"NextToken": token} if token else {}))
        pages.append(names(reply))
        token = reply.get("NextToken")
        if not token:
            break
    assert [page for page in pages if page] == [[name] for name in whole] and pages[-1]  # no empty last page
    paginator = sagemaker.client.get_paginator("list_labeling_jobs")
    listed = [name for page in paginator.paginate(SortBy=sort_by, SortOrder=order, PaginationConfig={"PageSize": 3})
              for name in names(page)]
    assert listed == whole


def test_paging_survives_jobs_created_between_pages(four_jobs: tuple[SageMaker, ManualClock, float]) -> None:
    sagemaker, clock, _ = four_jobs
    first = sagemaker.client.list_labeling_jobs(MaxResults=2)
    newest_first = sagemaker.client.list_labeling_jobs(MaxResults=2, SortOrder="Descending")
    sagemaker.create_job("delta")  # created after the first pages were read
    clock.advance(10)
    rest = sagemaker.client.list_labeling_jobs(MaxResults=10, NextToken=first["NextToken"])
    assert names(first) + names(rest) == ["alpha-one", "beta-two", "alpha-three", "gamma", "delta"]
    older = sagemaker.client.list_labeling_jobs(MaxResults=10, SortOrder="Descending",
                                                NextToken=newest_first["NextToken"])
    assert names(newest_first) + names(older) == ["gamma", "alpha-three", "beta-two", "alpha-one"]


def test_a_token_of_another_listing_or_none_of_ours_is_refused(four_jobs: tuple[SageMaker, ManualClock, float]) -> None:
    sagemaker = four_jobs[0]
    by_name = sagemaker.client.list_labeling_jobs(SortBy="Name", MaxResults=1)["NextToken"]
    code, message = error_of(sagemaker.client.list_labeling_jobs, SortBy="CreationTime", NextToken=by_name)
    assert code == "ValidationException" and "same SortBy and SortOrder" in message
    forged = base64.urlsafe_b64encode(json.dumps({"l": "ListLabelingJobs:CreationTime:Ascending",
                                                  "k": ["not a time", None]}).encode()).decode()
    for token in ("garbage", forged, "A" * 8192):
        code, message = error_of(sagemaker.client.list_labeling_jobs, NextToken=token)
        assert code == "ValidationException" and "NextToken" in message, token


def test_list_labeling_jobs_for_workteam_lists_that_team_s_jobs(four_jobs: tuple[SageMaker, ManualClock, float]) -> None:
    sagemaker, _, t0 = four_jobs
    Workforce(sagemaker.runtime).create_team("others")
    sagemaker.create_job("elsewhere", WorkteamArn=sagemaker.arn_of_team("others"))
    for_team = sagemaker.client.list_labeling_jobs_for_workteam
    listed = for_team(WorkteamArn=sagemaker.workteam_arn)["LabelingJobSummaryList"]
    assert [job["LabelingJobName"] for job in listed] == ["alpha-one", "beta-two", "alpha-three", "gamma"]
    first = listed[0]
    assert first["LabelCounters"] == {"HumanLabeled": 0, "PendingHuman": 3, "Total": 3}
    assert first["WorkRequesterAccountId"] == sagemaker.runtime.settings.account_id
    assert first["NumberOfHumanWorkersPerDataObject"] == 1 and first["CreationTime"] == at(t0)
    described = sagemaker.client.describe_labeling_job(LabelingJobName="gamma")
    reference = described["JobReferenceCode"]
    assert [job["LabelingJobName"] for job in for_team(
        WorkteamArn=sagemaker.workteam_arn, JobReferenceCodeContains=reference[-6:])["LabelingJobSummaryList"]] == ["gamma"]
    newest = for_team(WorkteamArn=sagemaker.workteam_arn, SortOrder="Descending", MaxResults=3)
    rest = for_team(WorkteamArn=sagemaker.workteam_arn, SortOrder="Descending", NextToken=newest["NextToken"])
    assert [job["LabelingJobName"] for job in newest["LabelingJobSummaryList"] + rest["LabelingJobSummaryList"]] == [
        "gamma", "alpha-three", "beta-two", "alpha-one"]
    assert [job["LabelingJobName"] for job in for_team(
        WorkteamArn=sagemaker.arn_of_team("others"), CreationTimeAfter=at(t0))["LabelingJobSummaryList"]] == ["elsewhere"]
    code, message = error_of(for_team, WorkteamArn=sagemaker.arn_of_team("nobody"))
    assert code == "ResourceNotFound" and "'nobody'" in message
