"""Requests checked against the service model, with AWS's wording (``aws/validation.py``)."""

from __future__ import annotations

import pytest

from crowdform.aws.errors import AwsError
from crowdform.aws.sagemaker.service import OPERATIONS
from crowdform.aws.service_model import operation_models
from crowdform.aws.validation import MAX_LISTED, validate


def refusal(operation: str, request: object) -> AwsError:
    with pytest.raises(AwsError) as refused:
        validate(operation_models("sagemaker", OPERATIONS)[operation].input_shape, request)
    return refused.value


def test_constraint_violations_are_counted_and_listed_with_aws_paths() -> None:
    error = refusal("DeleteTags", {"ResourceArn": "arn:aws:sagemaker:us-east-1:000000000000:workteam/x",
                                   "TagKeys": ["", "ok", "x" * 129]})
    assert error.code == "ValidationException" and error.status == 400
    assert error.message == (
        "2 validation errors detected: Value '' at 'tagKeys.1.member' failed to satisfy constraint: Member must have "
        "length greater than or equal to 1; Value '" + "x" * 100 + "... (129 characters)' at 'tagKeys.3.member' "
        "failed to satisfy constraint: Member must have length less than or equal to 128")


def test_many_violations_list_the_first_twenty() -> None:
    error = refusal("DeleteTags", {"ResourceArn": "arn:aws:sagemaker:us-east-1:000000000000:workteam/x",
                                   "TagKeys": ["bad<key>"] * 50})
    assert error.message.startswith(f"50 validation errors detected (the first {MAX_LISTED} are listed): ")
    assert error.message.count("; ") == MAX_LISTED - 1


def test_an_unknown_member_names_the_nearest_known_one() -> None:
    error = refusal("DescribeLabelingJob", {"LabelingJobName": "a", "LabelingJobname": "b"})
    assert error.message == ("1 validation error detected: Member 'LabelingJobname' is not a member of "
                             "DescribeLabelingJobRequest; did you mean 'LabelingJobName'?")


def test_type_mismatches_are_serialization_exceptions_naming_the_place() -> None:
    error = refusal("ListLabelingJobsForWorkteam", {"WorkteamArn": "w", "CreationTimeAfter": True})
    assert error.code == "SerializationException"
    assert error.message == "The value at 'creationTimeAfter' must be epoch seconds, not a boolean"
