"""With a real boto3 client: CreateLabelingJob refuses a template that does not compile, a failed job
shows its FailureReason in DescribeLabelingJob and ListLabelingJobs, and a stopping condition met by
the last object ends the job Completed."""

from __future__ import annotations

from pathlib import Path

from crowdform.engine.consolidation_retry import retry_consolidation
from crowdform.engine.hook_registry import HookRegistry
from crowdform.engine.jobs import Jobs
from tests.aws.sagemaker.conftest import SageMaker, add_workers, error_of
from tests.engine.test_job_failure import WRONG_SHAPE
from tests.helpers import label_everything

FIXED = '''
import json
from urllib.parse import urlparse
def lambda_handler(event, context):
    with open(urlparse(event["payload"]["s3Uri"]).path) as f:
        items = json.load(f)
    return [{"datasetObjectId": item["datasetObjectId"],
             "consolidatedAnnotation": {"content": {event["labelAttributeName"]: len(item["annotations"])}}}
            for item in items]
'''


def test_a_template_syntax_error_is_a_validation_exception_with_line_and_column(sagemaker: SageMaker) -> None:
    request = sagemaker.job_request("broken-template")
    template = sagemaker.folder / "broken.liquid.html"
    template.write_text("<crowd-form>\n<p>{{ task.input.taskObject | escape }</p>\n</crowd-form>")
    request["HumanTaskConfig"]["UiConfig"]["UiTemplateS3Uri"] = str(template)
    code, message = error_of(sagemaker.client.create_labeling_job, **request)
    assert code == "ValidationException"
    assert f"{template.as_uri()}: line 2: column " in message, message
    assert error_of(sagemaker.client.describe_labeling_job, LabelingJobName="broken-template")[0] == "ResourceNotFound"
    assert sagemaker.client.list_labeling_jobs()["LabelingJobSummaryList"] == []


def test_a_failed_job_names_its_cause_until_its_consolidation_is_retried(sagemaker: SageMaker, tmp_path: Path) -> None:
    workers = add_workers(sagemaker, "crowd", 1)
    hook = tmp_path / "tone_post.py"
    hook.write_text(WRONG_SHAPE)
    HookRegistry(sagemaker.runtime).add("tone-post", str(hook))
    sagemaker.create_job("tone", AnnotationConsolidationConfig={
        "AnnotationConsolidationLambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:tone-post"})
    label_everything(sagemaker.runtime, Jobs(sagemaker.runtime).get("tone"), workers)

    described = sagemaker.client.describe_labeling_job(LabelingJobName="tone")
    assert described["LabelingJobStatus"] == "Failed"
    reason = described["FailureReason"]
    assert reason.startswith("ClientError: the annotation consolidation function") and "not a list" in reason
    failed = sagemaker.client.list_labeling_jobs(StatusEquals="Failed")["LabelingJobSummaryList"]
    assert [(job["LabelingJobName"], job["FailureReason"]) for job in failed] == [("tone", reason)]

    hook.write_text(FIXED)
    retry_consolidation(sagemaker.runtime, "tone")
    assert sagemaker.client.describe_labeling_job(LabelingJobName="tone")["LabelingJobStatus"] == "InProgress"
    label_everything(sagemaker.runtime, Jobs(sagemaker.runtime).get("tone"), workers)
    described = sagemaker.client.describe_labeling_job(LabelingJobName="tone")
    assert described["LabelingJobStatus"] == "Completed" and "FailureReason" not in described
    assert described["LabelCounters"]["TotalLabeled"] == 3
    output = Path(described["LabelingJobOutput"]["OutputDatasetS3Uri"].removeprefix("file://")).read_text()
    assert output.count('"label": 1') == 3


def test_max_percentage_100_ends_completed_once_every_object_is_labeled(sagemaker: SageMaker) -> None:
    workers = add_workers(sagemaker, "crowd", 1)
    request = sagemaker.job_request("all-of-it", objects=3)
    request["StoppingConditions"] = {"MaxPercentageOfInputDatasetLabeled": 100}
    sagemaker.client.create_labeling_job(**request)
    assert label_everything(sagemaker.runtime, Jobs(sagemaker.runtime).get("all-of-it"), workers) == 3
    described = sagemaker.client.describe_labeling_job(LabelingJobName="all-of-it")
    assert described["LabelingJobStatus"] == "Completed"
    assert described["LabelCounters"]["TotalLabeled"] == 3 and described["LabelCounters"]["Unlabeled"] == 0
