"""What boto3 would never send, sent signed: every answer is a 4xx in AWS's JSON error shape, never a 500,
on SQLite and PostgreSQL, and the next good request is answered as before."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws.sagemaker.conftest import SageMaker

DEEP = b'{"LabelingJobName": ' + b"[" * 20_000 + b"]" * 20_000 + b"}"
NESTED_60 = json.loads("[" * 60 + "]" * 60)


def create(sagemaker: SageMaker, **changes: Any) -> dict[str, Any]:
    request = sagemaker.job_request("hostile")
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = request
        for parent in parents:
            target = target[parent]
        target[last] = value
    return request


CASES: list[tuple[str, str, Any, str]] = [
    # (name, operation, body or a function of the SageMaker making it, expected code)
    ("lone surrogate in a name", "DescribeLabelingJob", {"LabelingJobName": "job\ud800"}, "ValidationException"),
    ("lone surrogate as a key", "ListLabelingJobs", {"\udfff": 1}, "ValidationException"),
    ("lone surrogate in a token", "ListWorkteams", {"NextToken": "\ud800"}, "ValidationException"),
    ("NUL in a filter", "ListLabelingJobs", {"NameContains": "a\x00b"}, "ValidationException"),
    ("NUL in a task title", "CreateLabelingJob", lambda s: create(s, HumanTaskConfig__TaskTitle="A\x00B"),
     "ValidationException"),
    ("surrogate in a tag value", "CreateLabelingJob", lambda s: create(s, Tags=[{"Key": "k", "Value": "\ud83d"}]),
     "ValidationException"),
    ("deep nesting", "DescribeLabelingJob", DEEP, "SerializationException"),
    ("nesting in a tag list", "AddTags", {"ResourceArn": "arn:aws:sagemaker:us-east-1:000000000000:workteam/x",
                                          "Tags": NESTED_60}, "SerializationException"),
    ("float overflowing", "ListLabelingJobs", b'{"MaxResults": 1e999}', "SerializationException"),
    ("NaN", "ListLabelingJobs", b'{"CreationTimeAfter": NaN}', "SerializationException"),
    ("5000 digits", "ListLabelingJobs", b'{"MaxResults": ' + b"9" * 5000 + b"}", "SerializationException"),
    ("integer past 32 bits", "ListLabelingJobs", {"MaxResults": 2 ** 40}, "SerializationException"),
    ("huge count", "CreateLabelingJob",
     lambda s: create(s, StoppingConditions={"MaxHumanLabeledObjectCount": 10 ** 30}), "SerializationException"),
    ("count past an int column", "CreateLabelingJob",
     lambda s: create(s, HumanTaskConfig__TaskTimeLimitInSeconds=2 ** 31 - 1), "ValidationException"),
    ("a float for an integer", "ListWorkteams", {"MaxResults": 5.5}, "SerializationException"),
    ("a boolean for an integer", "ListWorkteams", {"MaxResults": True}, "SerializationException"),
    ("text for a time", "ListLabelingJobs", {"CreationTimeAfter": "yesterday"}, "SerializationException"),
    ("a number for a name", "DescribeWorkteam", {"WorkteamName": 5}, "SerializationException"),
    ("a string for a list", "DeleteTags", {"ResourceArn": "arn:aws:sagemaker:us-east-1:000000000000:workteam/x",
                                           "TagKeys": "k"}, "SerializationException"),
    ("an object for a list", "CreateWorkteam", {"WorkteamName": "w", "Description": "d", "MemberDefinitions": {}},
     "SerializationException"),
    ("a number for an object", "CreateLabelingJob", lambda s: create(s, HumanTaskConfig=5), "SerializationException"),
    ("a list for the body", "ListLabelingJobs", b"[]", "SerializationException"),
    ("not JSON", "ListLabelingJobs", b"{'MaxResults': 5}", "SerializationException"),
    ("not UTF-8", "ListLabelingJobs", b'{"NameContains": "\xff"}', "SerializationException"),
    ("a very long name", "DescribeLabelingJob", {"LabelingJobName": "a" * 1_000_000}, "ValidationException"),
    ("a very long template", "RenderUiTemplate", {"UiTemplate": {"Content": "x" * 1_500_000},
                                                  "Task": {"Input": "{}"}, "RoleArn": "arn:aws:iam::123456789012:role/r"},
     "ValidationException"),
    ("a body past 2 MB", "ListLabelingJobs", b'{"NameContains": "' + b"a" * 3_000_000 + b'"}', "RequestEntityTooLarge"),
    ("unknown members everywhere", "CreateLabelingJob",
     lambda s: create(s, Extra=1, HumanTaskConfig__TaskTitel="x", InputConfig__DataSource__S3DataSource__X=[]),
     "ValidationException"),
    ("an operation not offered", "CreateModel", {"ModelName": "m"}, "UnknownOperationException"),
]


@pytest.mark.parametrize("name, operation, body, expected", CASES, ids=[case[0] for case in CASES])
def test_hostile_requests_get_a_4xx_in_aws_shape(sagemaker: SageMaker, name: str, operation: str, body: Any,
                                                 expected: str) -> None:
    response = sagemaker.raw(operation, body(sagemaker) if callable(body) else body)
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:500])
    document = response.json()
    assert document["__type"] == expected and response.headers["x-amzn-ErrorType"] == f"{expected}:"
    assert document["message"] and len(document["message"]) < 4_000  # a huge value is quoted, not copied
    assert sagemaker.client.list_labeling_jobs()["LabelingJobSummaryList"] == []  # nothing half-made; still serving


def test_extreme_but_valid_values_are_answered(sagemaker: SageMaker) -> None:
    for body in ({"CreationTimeAfter": 1e308}, {"CreationTimeBefore": -1e308}, {"LastModifiedTimeAfter": 0}):
        response = sagemaker.raw("ListLabelingJobs", body)
        assert response.status_code == 200 and response.json() == {"LabelingJobSummaryList": []}
    response = sagemaker.raw("RenderUiTemplate", {"UiTemplate": {"Content": "{{ task.input.a }}"},
                                                  "Task": {"Input": json.dumps({"a": "\x00\U0001F600"})},
                                                  "RoleArn": "arn:aws:iam::123456789012:role/r"})
    assert response.status_code == 200 and response.json()["RenderedContent"] == "\x00\U0001F600"
