"""Every operation crowdform's SageMaker offers, called the way a Ground Truth notebook calls them, each
reply checked member by member against the service model (``conftest.SageMaker``)."""

from __future__ import annotations

import json

from crowdform.aws.sagemaker.service import OPERATIONS
from tests.aws.sagemaker.conftest import ROLE, SageMaker


def test_every_operation_answers_in_the_shape_of_the_service_model(sagemaker: SageMaker) -> None:
    client = sagemaker.client
    workteam = client.create_workteam(
        WorkteamName="notebook-team", Description="From a notebook",
        MemberDefinitions=[{"CognitoMemberDefinition": {"UserPool": "us-east-1_Ab12", "UserGroup": "labelers",
                                                        "ClientId": "abc"}}])["WorkteamArn"]
    client.describe_workteam(WorkteamName="notebook-team")
    client.update_workteam(WorkteamName="notebook-team", Description="Still from a notebook")
    client.list_workteams(SortBy="Name")
    job = sagemaker.create_job("notebook-job", WorkteamArn=workteam)
    client.describe_labeling_job(LabelingJobName="notebook-job")
    client.list_labeling_jobs(StatusEquals="Initializing")
    client.list_labeling_jobs_for_workteam(WorkteamArn=workteam)
    client.add_tags(ResourceArn=job, Tags=[{"Key": "run", "Value": "1"}])
    client.list_tags(ResourceArn=job)
    client.delete_tags(ResourceArn=job, TagKeys=["run"])
    client.render_ui_template(UiTemplate={"Content": "<p>{{ task.input.source }}</p>"},
                              Task={"Input": json.dumps({"source": "text"})}, RoleArn=ROLE)
    client.stop_labeling_job(LabelingJobName="notebook-job")
    client.create_workteam(WorkteamName="short-lived", Description="d", MemberDefinitions=[
        {"OidcMemberDefinition": {"Groups": ["temps"]}}])
    client.delete_workteam(WorkteamName="short-lived")
    assert sorted(set(sagemaker.replies)) == sorted(OPERATIONS) and len(OPERATIONS) == 14
