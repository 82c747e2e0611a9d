"""CreateWorkteam, DescribeWorkteam, ListWorkteams, UpdateWorkteam and DeleteWorkteam with a real boto3
client: member groups are crowdform teams, and a job naming the work team hands its tasks to them."""

from __future__ import annotations

from typing import Any

import pytest

from crowdform.engine.background import Background
from crowdform.engine.tasks import Tasks
from crowdform.engine.workforce import WorkerInfo, Workforce
from crowdform.errors import NotFound
from tests.aws.sagemaker.conftest import TEAM, SageMaker, add_workers, error_of


def cognito(*groups: str, pool: str = "us-east-1_AbCdEf123", client: str = "client-1") -> list[dict[str, Any]]:
    return [{"CognitoMemberDefinition": {"UserPool": pool, "UserGroup": group, "ClientId": client}} for group in groups]


def can_take_a_task(sagemaker: SageMaker, worker: WorkerInfo, job: str) -> bool:
    Background(sagemaker.runtime).run_until_idle()
    try:
        return Tasks(sagemaker.runtime).next_task(worker, job) is not None
    except NotFound:  # workers outside the job's team do not see it
        return False


def test_a_work_team_s_groups_are_teams_whose_workers_get_its_jobs(sagemaker: SageMaker) -> None:
    created = sagemaker.client.create_workteam(
        WorkteamName="support-team", Description="Support tickets", MemberDefinitions=cognito("labelers", "reviewers"),
        Tags=[{"Key": "cost-center", "Value": "42"}])
    assert created["WorkteamArn"] == sagemaker.arn_of_team("support-team")
    # The groups did not exist: they are teams now, empty, where the operator adds workers.
    early, late = add_workers(sagemaker, "labelers", 1, prefix="early"), add_workers(sagemaker, "reviewers", 1)
    outsider = add_workers(sagemaker, TEAM, 1, prefix="outsider")
    sagemaker.create_job("tickets", objects=3, WorkteamArn=created["WorkteamArn"])
    assert can_take_a_task(sagemaker, early[0], "tickets") and can_take_a_task(sagemaker, late[0], "tickets")
    assert not can_take_a_task(sagemaker, outsider[0], "tickets")
    joined = add_workers(sagemaker, "labelers", 1, prefix="joined")  # joining a group later counts at once
    assert can_take_a_task(sagemaker, joined[0], "tickets")
    assert dict(Workforce(sagemaker.runtime).list_teams())["support-team"] == 3
    assert sagemaker.client.list_tags(ResourceArn=created["WorkteamArn"])["Tags"] == [{"Key": "cost-center", "Value": "42"}]


def test_describe_and_list_show_work_teams_as_the_model_has_them(sagemaker: SageMaker) -> None:
    sagemaker.client.create_workteam(
        WorkteamName="oidc-team", Description="Through our IdP", WorkforceName="corporate",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["annotators", "qa"]}}],
        NotificationConfiguration={"NotificationTopicArn": "arn:aws:sns:us-east-1:123456789012:work"},
        WorkerAccessConfiguration={"S3Presign": {"IamPolicyConstraints": {"SourceIp": "Enabled"}}})
    team = sagemaker.client.describe_workteam(WorkteamName="oidc-team")["Workteam"]
    settings = sagemaker.runtime.settings
    assert team["MemberDefinitions"] == [{"OidcMemberDefinition": {"Groups": ["annotators", "qa"]}}]
    assert team["WorkforceArn"] == f"arn:aws:sagemaker:{settings.region}:{settings.account_id}:workforce/corporate"
    assert team["Description"] == "Through our IdP" and team["CreateDate"] == team["LastUpdatedDate"]
    assert team["NotificationConfiguration"]["NotificationTopicArn"].endswith(":work")
    assert team["WorkerAccessConfiguration"]["S3Presign"]["IamPolicyConstraints"] == {"SourceIp": "Enabled"}
    assert team["SubDomain"] == sagemaker.endpoint.url.removeprefix("http://")  # the portal's address, no scheme
    # The team made with `crowdform team create` is a work team too; the groups are not.
    cli_team = sagemaker.client.describe_workteam(WorkteamName=TEAM)["Workteam"]
    assert cli_team["MemberDefinitions"] == [{"CognitoMemberDefinition": {
        "UserPool": f"{settings.region}_crowdform", "UserGroup": TEAM, "ClientId": "crowdform"}}]
    assert cli_team["WorkteamArn"] == sagemaker.workteam_arn and cli_team["Description"] == f"crowdform team {TEAM}"
    listed = [team["WorkteamName"] for team in sagemaker.client.list_workteams()["Workteams"]]
    assert listed == [TEAM, "oidc-team"]
    code, message = error_of(sagemaker.client.describe_workteam, WorkteamName="annotators")
    assert code == "ValidationException" and "'annotators' does not exist" in message


def test_list_workteams_filters_sorts_and_pages(sagemaker: SageMaker) -> None:
    for name in ("zeta-team", "alpha-team", "mid-group"):
        sagemaker.client.create_workteam(WorkteamName=name, Description=name, MemberDefinitions=cognito(name))
    listed = sagemaker.client.list_workteams

    def teams(**parameters: Any) -> list[str]:
        return [team["WorkteamName"] for team in listed(**parameters)["Workteams"]]
    assert teams() == [TEAM, "zeta-team", "alpha-team", "mid-group"]  # CreateDate, Ascending
    assert teams(SortBy="Name") == ["alpha-team", TEAM, "mid-group", "zeta-team"]
    assert teams(SortBy="Name", SortOrder="Descending", NameContains="TEAM") == ["zeta-team", "alpha-team"]
    first = listed(SortBy="Name", MaxResults=2)
    assert [team["WorkteamName"] for team in first["Workteams"]] == ["alpha-team", TEAM]
    sagemaker.client.create_workteam(WorkteamName="beta-team", Description="late", MemberDefinitions=cognito("b"))
    rest = listed(SortBy="Name", MaxResults=2, NextToken=first["NextToken"])
    assert [team["WorkteamName"] for team in rest["Workteams"]] == ["mid-group", "zeta-team"] and "NextToken" not in rest
    paged = [team["WorkteamName"] for page in sagemaker.client.get_paginator("list_workteams").paginate(
        PaginationConfig={"PageSize": 1}) for team in page["Workteams"]]
    assert paged == [TEAM, "zeta-team", "alpha-team", "mid-group", "beta-team"]


def test_update_replaces_groups_and_settings(sagemaker: SageMaker) -> None:
    sagemaker.client.create_workteam(WorkteamName="rotating", Description="First crew", MemberDefinitions=cognito("crew-a"))
    first = add_workers(sagemaker, "crew-a", 1, prefix="a")[0]
    Workforce(sagemaker.runtime).create_team("crew-b")
    second = add_workers(sagemaker, "crew-b", 1, prefix="b")[0]
    sagemaker.create_job("rotation", objects=4, WorkteamArn=sagemaker.arn_of_team("rotating"))
    assert can_take_a_task(sagemaker, first, "rotation") and not can_take_a_task(sagemaker, second, "rotation")
    updated = sagemaker.client.update_workteam(WorkteamName="rotating", MemberDefinitions=cognito("crew-b"),
                                               Description="Second crew")["Workteam"]
    assert updated["Description"] == "Second crew" and updated["MemberDefinitions"] == cognito("crew-b")
    assert updated["LastUpdatedDate"] >= updated["CreateDate"]
    assert can_take_a_task(sagemaker, second, "rotation")
    with pytest.raises(NotFound):
        Tasks(sagemaker.runtime).next_task(first, "rotation")
    kept = sagemaker.client.update_workteam(WorkteamName="rotating", Description="Same crew")["Workteam"]
    assert kept["MemberDefinitions"] == cognito("crew-b")  # what an update leaves out stays
    code, _ = error_of(sagemaker.client.update_workteam, WorkteamName="never-made", Description="x")
    assert code == "ValidationException"


def test_a_name_taken_is_resource_in_use_and_a_group_may_become_a_work_team(sagemaker: SageMaker) -> None:
    sagemaker.client.create_workteam(WorkteamName="taken", Description="d", MemberDefinitions=cognito("pool-group"))
    for name in ("taken", TEAM):
        code, message = error_of(sagemaker.client.create_workteam, WorkteamName=name, Description="d",
                                 MemberDefinitions=cognito("x"))
        assert code == "ResourceInUse" and f"'{name}' already exists" in message
    member = add_workers(sagemaker, "pool-group", 1)[0]
    promoted = sagemaker.client.create_workteam(WorkteamName="pool-group", Description="now a team",
                                                MemberDefinitions=cognito("pool-group"))
    assert promoted["WorkteamArn"] == sagemaker.arn_of_team("pool-group")
    assert [w.username for w in Workforce(sagemaker.runtime).list_workers("pool-group")] == [member.username]


@pytest.mark.parametrize("definitions, expected", [
    (cognito("a") + [{"OidcMemberDefinition": {"Groups": ["b"]}}], "not both"),
    (cognito("a") + cognito("b", pool="us-east-1_Other"), "same UserPool and ClientId"),
    ([{"CognitoMemberDefinition": cognito("a")[0]["CognitoMemberDefinition"], "OidcMemberDefinition": {"Groups": ["b"]}}],
     "exactly one of"),
    (cognito("g" * 64), "at most 63 characters"),
    (cognito("bad group"), "regular expression pattern"),
])
def test_member_definitions_are_checked(sagemaker: SageMaker, definitions: list[dict[str, Any]], expected: str) -> None:
    code, message = error_of(sagemaker.client.create_workteam, WorkteamName="checked", Description="d",
                             MemberDefinitions=definitions)
    assert code == "ValidationException" and expected in message
    assert error_of(sagemaker.client.describe_workteam, WorkteamName="checked")[0] == "ValidationException"
    assert [name for name, _ in Workforce(sagemaker.runtime).list_teams()] == [TEAM]  # no group was left behind


def test_delete_refuses_a_team_with_running_jobs_and_keeps_groups_in_use(sagemaker: SageMaker) -> None:
    sagemaker.client.create_workteam(WorkteamName="busy", Description="d", MemberDefinitions=cognito("busy-crew"))
    sagemaker.create_job("busy-job", WorkteamArn=sagemaker.arn_of_team("busy"))
    code, message = error_of(sagemaker.client.delete_workteam, WorkteamName="busy")
    assert code == "ResourceInUse" and "busy-job" in message
    sagemaker.client.stop_labeling_job(LabelingJobName="busy-job")
    Background(sagemaker.runtime).run_until_idle()
    assert sagemaker.client.describe_labeling_job(LabelingJobName="busy-job")["LabelingJobStatus"] == "Stopped"
    assert sagemaker.client.delete_workteam(WorkteamName="busy")["Success"] is True
    assert error_of(sagemaker.client.describe_workteam, WorkteamName="busy")[0] == "ValidationException"
    assert "busy" not in [t["WorkteamName"] for t in sagemaker.client.list_workteams()["Workteams"]]
    # The finished job still names its team, which stays (as a group), with the job's history.
    teams = dict(Workforce(sagemaker.runtime).list_teams())
    assert "busy" in teams and "busy-crew" in teams
    assert error_of(sagemaker.client.list_tags, ResourceArn=sagemaker.arn_of_team("busy"))[0] == "ValidationException"

    sagemaker.client.create_workteam(WorkteamName="unused", Description="d", MemberDefinitions=cognito("busy-crew"))
    sagemaker.client.delete_workteam(WorkteamName="unused")
    assert "unused" not in dict(Workforce(sagemaker.runtime).list_teams())  # nothing referred to it: gone


def test_sub_domain_follows_the_public_url(sagemaker_with: Any) -> None:
    sagemaker = sagemaker_with(public_url="https://label.example.com/crowd/")
    team = sagemaker.client.describe_workteam(WorkteamName=TEAM)["Workteam"]
    assert team["SubDomain"] == "label.example.com/crowd"
