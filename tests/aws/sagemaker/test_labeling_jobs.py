"""CreateLabelingJob, DescribeLabelingJob and StopLabelingJob with a real boto3 client against a live
server; every reply is checked against the service model (``conftest.SageMaker``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crowdform.engine.hook_registry import HookRegistry
from crowdform.engine.jobs import Jobs
from crowdform.groundtruth.job_request import parse_create_labeling_job
from tests.aws.sagemaker.conftest import POST, PRE, ROLE, SageMaker, add_workers, error_of
from tests.fixtures.s3 import S3Bucket
from tests.helpers import label_everything


def test_a_ground_truth_request_creates_a_job_that_describe_echoes_field_by_field(sagemaker: SageMaker) -> None:
    request = sagemaker.job_request("tone-review", objects=4, TaskKeywords=["Text", "Tone"])
    request["Tags"] = [{"Key": "project", "Value": "support"}]
    request["StoppingConditions"] = {"MaxPercentageOfInputDatasetLabeled": 100}
    request["OutputConfig"]["KmsKeyId"] = "alias/labeling"
    request["HumanTaskConfig"]["PublicWorkforceTaskPrice"] = {"AmountInUsd": {"Dollars": 0, "Cents": 3}}
    created = sagemaker.client.create_labeling_job(**request)
    settings = sagemaker.runtime.settings
    assert created["LabelingJobArn"] == f"arn:aws:sagemaker:{settings.region}:{settings.account_id}:labeling-job/tone-review"

    described = sagemaker.client.describe_labeling_job(LabelingJobName="Tone-Review")  # names ignore case
    assert described["LabelingJobName"] == "tone-review" and described["LabelingJobArn"] == created["LabelingJobArn"]
    assert described["LabelingJobStatus"] == "Initializing"
    assert described["LabelCounters"] == {"TotalLabeled": 0, "HumanLabeled": 0, "MachineLabeled": 0,
                                          "FailedNonRetryableError": 0, "Unlabeled": 4}
    assert described["JobReferenceCode"].startswith(settings.account_id) and len(described["JobReferenceCode"]) == 28
    for key in ("LabelAttributeName", "InputConfig", "RoleArn", "StoppingConditions", "Tags"):
        assert described[key] == request[key], key
    assert described["OutputConfig"] == request["OutputConfig"]
    human = described["HumanTaskConfig"]
    assert human == {**request["HumanTaskConfig"], "TaskAvailabilityLifetimeInSeconds": 2_592_000,
                     "MaxConcurrentTaskCount": 1_000}  # the defaults a private workforce gets
    assert "LabelingJobOutput" not in described and "FailureReason" not in described
    # On the wire the times are epoch seconds, as the JSON protocol has them.
    raw = sagemaker.raw("DescribeLabelingJob", {"LabelingJobName": "tone-review"}).json()
    assert isinstance(raw["CreationTime"], float) and raw["CreationTime"] == raw["LastModifiedTime"]
    assert abs(raw["CreationTime"] - described["CreationTime"].timestamp()) < 0.001
    assert sagemaker.replies == ["CreateLabelingJob", "DescribeLabelingJob"]


def test_a_job_runs_to_completion_and_describe_shows_its_output(sagemaker: SageMaker) -> None:
    workers = add_workers(sagemaker, "crowd", 1)
    sagemaker.create_job("short", objects=2)
    submitted = label_everything(sagemaker.runtime, Jobs(sagemaker.runtime).get("short"), workers)
    assert submitted == 2
    described = sagemaker.client.describe_labeling_job(LabelingJobName="short")
    assert described["LabelingJobStatus"] == "Completed"
    assert described["LabelCounters"]["TotalLabeled"] == described["LabelCounters"]["HumanLabeled"] == 2
    assert described["LabelCounters"]["Unlabeled"] == 0
    output = described["LabelingJobOutput"]["OutputDatasetS3Uri"]
    assert output.endswith("/short/manifests/output/output.manifest")
    assert len(Path(output.removeprefix("file://")).read_text().splitlines()) == 2
    assert described["LastModifiedTime"] > described["CreationTime"]


def test_a_name_taken_in_any_case_is_resource_in_use(sagemaker: SageMaker) -> None:
    sagemaker.create_job("taken")
    code, message = error_of(sagemaker.client.create_labeling_job, **sagemaker.job_request("TAKEN"))
    assert code == "ResourceInUse" and "'TAKEN' already exists" in message


def test_built_in_lambdas_run_and_other_lambdas_must_be_registered(sagemaker: SageMaker, tmp_path: Path) -> None:
    own = "arn:aws:lambda:us-east-1:123456789012:function:tone-pre"
    code, message = error_of(sagemaker.client.create_labeling_job,
                             **sagemaker.job_request("unregistered", PreHumanTaskLambdaArn=own))
    assert code == "ValidationException"
    assert "HumanTaskConfig.PreHumanTaskLambdaArn" in message and "crowdform hook add tone-pre" in message
    assert error_of(sagemaker.client.describe_labeling_job, LabelingJobName="unregistered")[0] == "ResourceNotFound"

    handler = tmp_path / "pre.py"
    handler.write_text("def lambda_handler(event, context):\n    return {'taskInput': event['dataObject']}\n")
    HookRegistry(sagemaker.runtime).add("tone-pre", str(handler))
    sagemaker.create_job("registered", PreHumanTaskLambdaArn=own)
    assert sagemaker.client.describe_labeling_job(LabelingJobName="registered")["HumanTaskConfig"][
        "PreHumanTaskLambdaArn"] == own


def test_a_work_team_that_does_not_exist_is_a_validation_exception_naming_the_field(sagemaker: SageMaker) -> None:
    code, message = error_of(sagemaker.client.create_labeling_job,
                             **sagemaker.job_request("orphan", WorkteamArn=sagemaker.arn_of_team("nobody")))
    assert code == "ValidationException"
    assert "HumanTaskConfig.WorkteamArn" in message and "'nobody'" in message


def test_model_constraints_are_checked_and_named_as_aws_names_them(sagemaker: SageMaker) -> None:
    request = sagemaker.job_request("bad-one", NumberOfHumanWorkersPerDataObject=12, TaskKeywords=["no_underscores"])
    request["LabelingJobName"] = "bad_name"
    request["RoleArn"] = "arn:aws:iam::123456789012:user/not-a-role"
    code, message = error_of(sagemaker.client.create_labeling_job, **request)
    assert code == "ValidationException" and message.startswith("4 validation errors detected: ")
    assert ("Value 'bad_name' at 'labelingJobName' failed to satisfy constraint: Member must satisfy regular "
            "expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}") in message
    assert ("Value '12' at 'humanTaskConfig.numberOfHumanWorkersPerDataObject' failed to satisfy constraint: "
            "Member must have value less than or equal to 9") in message
    assert "at 'humanTaskConfig.taskKeywords.1.member'" in message and "at 'roleArn'" in message


def test_crowdform_own_request_checks_follow_the_model_s(sagemaker: SageMaker) -> None:
    request = sagemaker.job_request("streaming")
    request["InputConfig"]["DataSource"] = {"SnsDataSource": {"SnsTopicArn": "arn:aws:sns:us-east-1:123456789012:t"}}
    code, message = error_of(sagemaker.client.create_labeling_job, **request)
    assert code == "ValidationException" and "streaming labeling jobs are not supported" in message
    request = sagemaker.job_request("ref-suffix")
    request["LabelAttributeName"] = "label-ref"
    code, message = error_of(sagemaker.client.create_labeling_job, **request)
    assert code == "ValidationException" and "LabelAttributeName" in message


def test_a_missing_manifest_is_refused_and_leaves_nothing(sagemaker: SageMaker) -> None:
    request = sagemaker.job_request("no-manifest")
    request["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"] = str(sagemaker.folder / "missing.manifest")
    code, message = error_of(sagemaker.client.create_labeling_job, **request)
    assert code == "ValidationException" and "missing.manifest" in message
    assert error_of(sagemaker.client.describe_labeling_job, LabelingJobName="no-manifest")[0] == "ResourceNotFound"


def test_stop_moves_a_job_to_stopping_once(sagemaker: SageMaker) -> None:
    sagemaker.create_job("to-stop")
    assert sagemaker.client.stop_labeling_job(LabelingJobName="to-stop")["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert sagemaker.client.describe_labeling_job(LabelingJobName="to-stop")["LabelingJobStatus"] == "Stopping"
    code, message = error_of(sagemaker.client.stop_labeling_job, LabelingJobName="to-stop")
    assert code == "ValidationException" and "already Stopping" in message
    code, message = error_of(sagemaker.client.stop_labeling_job, LabelingJobName="never-made")
    assert code == "ResourceNotFound" and "'never-made'" in message


def test_a_job_the_cli_made_is_described_with_model_shaped_arns(sagemaker: SageMaker) -> None:
    """A crowdform request may name its team by name alone; SageMaker shows the work team ARN."""
    request = sagemaker.job_request("from-cli")
    request["HumanTaskConfig"]["WorkteamArn"] = "crowd"
    Jobs(sagemaker.runtime).create(parse_create_labeling_job(request, source="test"), base_dir=sagemaker.folder)
    described = sagemaker.client.describe_labeling_job(LabelingJobName="from-cli")
    assert described["HumanTaskConfig"]["WorkteamArn"] == sagemaker.workteam_arn
    summary = sagemaker.client.list_labeling_jobs()["LabelingJobSummaryList"][0]
    assert summary["WorkteamArn"] == sagemaker.workteam_arn


def test_s3_uris_are_read_through_the_configured_store(sagemaker_with: Any, s3_bucket: S3Bucket,
                                                        s3_client: Any) -> None:
    sagemaker = sagemaker_with(s3_endpoint_url=s3_bucket.endpoint_url)
    lines = "".join(json.dumps({"source": f"line {i}"}) + "\n" for i in range(5))
    s3_client.put_object(Bucket=s3_bucket.bucket_name, Key="in/input.manifest", Body=lines.encode())
    s3_client.put_object(Bucket=s3_bucket.bucket_name, Key="in/template.html", Body=b"<p>{{ task.input.source }}</p>")
    request: dict[str, Any] = sagemaker.job_request("from-s3")
    request["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"] = s3_bucket.uri("in/input.manifest")
    request["OutputConfig"]["S3OutputPath"] = s3_bucket.uri("out/")
    request["HumanTaskConfig"]["UiConfig"]["UiTemplateS3Uri"] = s3_bucket.uri("in/template.html")
    sagemaker.client.create_labeling_job(**request)
    described = sagemaker.client.describe_labeling_job(LabelingJobName="from-s3")
    assert described["LabelCounters"]["Unlabeled"] == 5
    assert described["InputConfig"] == request["InputConfig"] and described["RoleArn"] == ROLE
    assert described["HumanTaskConfig"]["PreHumanTaskLambdaArn"] == PRE
    assert described["HumanTaskConfig"]["AnnotationConsolidationConfig"]["AnnotationConsolidationLambdaArn"] == POST


def test_a_notebook_runs_on_the_embedded_store_through_crowdform_s3(sagemaker: SageMaker) -> None:
    """Bucket, upload, CreateLabelingJob with s3:// URIs, workers label, the output manifest read back
    with S3's GetObject: no S3 server but crowdform."""
    s3 = sagemaker.endpoint.client("s3")
    s3.create_bucket(Bucket="gt-notebook")
    lines = "".join(json.dumps({"source": f"review {i}"}) + "\n" for i in range(3))
    s3.put_object(Bucket="gt-notebook", Key="input/data.manifest", Body=lines.encode())
    s3.put_object(Bucket="gt-notebook", Key="input/template.html", Body=b"<p>{{ task.input.taskObject }}</p>")
    request = sagemaker.job_request("embedded")
    request["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"] = "s3://gt-notebook/input/data.manifest"
    request["OutputConfig"]["S3OutputPath"] = "s3://gt-notebook/output/"
    request["HumanTaskConfig"]["UiConfig"]["UiTemplateS3Uri"] = "s3://gt-notebook/input/template.html"
    sagemaker.client.create_labeling_job(**request)
    workers = add_workers(sagemaker, "crowd", 1)
    assert label_everything(sagemaker.runtime, Jobs(sagemaker.runtime).get("embedded"), workers) == 3
    described = sagemaker.client.describe_labeling_job(LabelingJobName="embedded")
    assert described["LabelingJobStatus"] == "Completed"
    output = described["LabelingJobOutput"]["OutputDatasetS3Uri"]
    assert output == "s3://gt-notebook/output/embedded/manifests/output/output.manifest"
    body = s3.get_object(Bucket="gt-notebook", Key=output.removeprefix("s3://gt-notebook/"))["Body"].read()
    assert [json.loads(line)["source"] for line in body.decode().splitlines()] == ["review 0", "review 1", "review 2"]
