"""AddTags, ListTags and DeleteTags on labeling jobs and work teams, with a real boto3 client."""

from __future__ import annotations

from tests.aws.sagemaker.conftest import TEAM, SageMaker, error_of


def test_tags_on_a_job_are_added_replaced_listed_and_deleted(sagemaker: SageMaker) -> None:
    request = sagemaker.job_request("tagged")
    request["Tags"] = [{"Key": "project", "Value": "tone"}, {"Key": "owner", "Value": "ana"}]
    arn = sagemaker.client.create_labeling_job(**request)["LabelingJobArn"]
    added = sagemaker.client.add_tags(ResourceArn=arn, Tags=[{"Key": "owner", "Value": "bo"},
                                                             {"Key": "stage", "Value": ""}])
    assert added["Tags"] == [{"Key": "owner", "Value": "bo"}, {"Key": "stage", "Value": ""}]
    assert sagemaker.client.list_tags(ResourceArn=arn)["Tags"] == [
        {"Key": "project", "Value": "tone"}, {"Key": "owner", "Value": "bo"}, {"Key": "stage", "Value": ""}]
    sagemaker.client.delete_tags(ResourceArn=arn, TagKeys=["project", "never-set"])
    assert sagemaker.client.describe_labeling_job(LabelingJobName="tagged")["Tags"] == [
        {"Key": "owner", "Value": "bo"}, {"Key": "stage", "Value": ""}]
    # The ARN as a user may write it: the job's name in any case.
    assert len(sagemaker.client.list_tags(ResourceArn=arn.replace("/tagged", "/TAGGED"))["Tags"]) == 2
    sagemaker.client.delete_tags(ResourceArn=arn, TagKeys=["owner", "stage"])
    assert "Tags" not in sagemaker.client.describe_labeling_job(LabelingJobName="tagged")


def test_tags_on_a_work_team(sagemaker: SageMaker) -> None:
    sagemaker.client.add_tags(ResourceArn=sagemaker.workteam_arn, Tags=[{"Key": "site", "Value": "lisbon"}])
    assert sagemaker.client.list_tags(ResourceArn=sagemaker.workteam_arn)["Tags"] == [{"Key": "site", "Value": "lisbon"}]


def test_fifty_tags_is_the_limit(sagemaker: SageMaker) -> None:
    arn = sagemaker.create_job("crowded")
    sagemaker.client.add_tags(ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(45)])
    code, message = error_of(sagemaker.client.add_tags, ResourceArn=arn,
                             Tags=[{"Key": f"n{i}", "Value": "v"} for i in range(6)])
    assert code == "ResourceLimitExceeded" and "50 tags" in message
    sagemaker.client.add_tags(ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "w"} for i in range(40, 45)]
                              + [{"Key": f"n{i}", "Value": "v"} for i in range(5)])  # replacing costs nothing
    listed = sagemaker.client.list_tags(ResourceArn=arn, MaxResults=50)
    assert len(listed["Tags"]) == 50 and "NextToken" not in listed


def test_unknown_resources_and_foreign_tokens_are_refused(sagemaker: SageMaker) -> None:
    settings = sagemaker.runtime.settings
    prefix = f"arn:aws:sagemaker:{settings.region}:{settings.account_id}"
    for arn in (f"{prefix}:labeling-job/never-made", f"{prefix}:workteam/private-crowd/nobody",
                f"{prefix}:notebook-instance/{TEAM}", f"{prefix}:workteam/public-crowd/{TEAM}"):
        code, message = error_of(sagemaker.client.list_tags, ResourceArn=arn)
        assert code == "ValidationException" and arn in message, arn
        assert error_of(sagemaker.client.add_tags, ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])[0] == \
            "ValidationException"
    code, message = error_of(sagemaker.client.list_tags, ResourceArn=sagemaker.workteam_arn, NextToken="abc")
    assert code == "ValidationException" and "NextToken" in message
    code, message = error_of(sagemaker.client.add_tags, ResourceArn=sagemaker.workteam_arn,
                             Tags=[{"Key": "bad<key>", "Value": "v"}])
    assert code == "ValidationException" and "tags.1.member.key" in message
