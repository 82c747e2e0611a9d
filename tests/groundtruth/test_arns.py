"""ARNs and names (spec 3.2, 8.1, 8.2, 9.1; Appendix C 20)."""

from __future__ import annotations

import pytest

from crowdform.errors import InvalidInput
from crowdform.groundtruth.arns import (
    BUILTIN_ACCOUNTS,
    BUILTIN_FUNCTIONS,
    builtin_function,
    builtin_task,
    labeling_job_arn,
    lambda_function_name,
    workteam_name,
)


def test_job_arn_lower_cases_the_name() -> None:
    assert labeling_job_arn("eu-west-1", "123456789012", "Receipt-Totals") == (
        "arn:aws:sagemaker:eu-west-1:123456789012:labeling-job/receipt-totals"
    )


def test_the_job_arn_resource_part_is_the_built_in_job_name() -> None:
    """Appendix C 17 / Q27: built-in metadata's job-name is the ARN's resource part, lower-cased."""
    arn = labeling_job_arn("us-east-1", "000000000000", "Pet-Kind")
    assert arn.split(":", 5)[5] == "labeling-job/pet-kind"


def test_workteam_from_a_plain_name_or_a_private_crowd_arn() -> None:
    assert workteam_name("support-team") == "support-team"
    assert workteam_name("arn:aws:sagemaker:eu-west-1:123456789012:workteam/private-crowd/support-team") == (
        "support-team"
    )
    assert workteam_name("arn:aws-cn:sagemaker:cn-north-1:123456789012:workteam/private-crowd/T1") == "T1"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("arn:aws:sagemaker:us-east-1:394669845002:workteam/public-crowd/default",
         "names a public-crowd work team; crowdform runs private teams only"),
        ("arn:aws:sagemaker:us-east-1:123456789012:workteam/vendor-crowd/acme",
         "names a vendor-crowd work team; crowdform runs private teams only"),
        ("arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/bad_name",
         "has a malformed team name"),
        ("arn:aws:iam::123456789012:role/team", "is neither a team name nor a private work team ARN"),
        ("team with spaces", "is neither a team name nor a private work team ARN"),
        ("-leading-hyphen", "is neither a team name nor a private work team ARN"),
        ("", "is neither a team name nor a private work team ARN"),
    ],
)
def test_other_workteams_are_refused(value: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        workteam_name(value)
    (problem,) = caught.value.problems
    assert caught.value.source == "WorkteamArn"
    assert problem.message == message
    assert problem.value == value
    assert problem.hint and "private-crowd/<team>" in problem.hint


def test_lambda_function_names() -> None:
    assert lambda_function_name("arn:aws:lambda:eu-west-1:123456789012:function:sagemaker-tone-pre") == (
        "sagemaker-tone-pre"
    )
    assert lambda_function_name("arn:aws:lambda:eu-west-1:123456789012:function:my_fn:prod") == "my_fn"
    assert lambda_function_name("arn:aws:lambda:eu-west-1:123456789012:function:my_fn:$LATEST") == "my_fn"
    assert lambda_function_name("arn:aws:lambda:eu-west-1:123456789012:function:a:b:c") is None
    assert lambda_function_name("arn:aws:sagemaker:eu-west-1:123456789012:function:x") is None
    assert lambda_function_name("hooks/pre.py") is None
    assert lambda_function_name("mypackage.hooks:pre") is None


def test_the_catalogue_has_23_pre_and_23_acs_functions() -> None:
    assert len(BUILTIN_FUNCTIONS) == 46
    assert {"PRE-PassThrough", "ACS-PassThrough", "PRE-BoundingBox", "ACS-NamedEntityRecognition",
            "ACS-Adjustment3DPointCloudSemanticSegmentation"} <= BUILTIN_FUNCTIONS
    assert len(BUILTIN_ACCOUNTS) == 12


@pytest.mark.parametrize(("region", "account"), sorted(BUILTIN_ACCOUNTS.items()))
def test_builtins_are_recognised_from_every_regional_account(region: str, account: str) -> None:
    """Appendix C 20."""
    for name in ("PRE-PassThrough", "ACS-BoundingBox", "ACS-TextMultiClassMultiLabel"):
        assert builtin_function(f"arn:aws:lambda:{region}:{account}:function:{name}") == name


def test_builtin_short_names_are_recognised() -> None:
    assert builtin_function("PRE-PassThrough") == "PRE-PassThrough"
    assert builtin_function("ACS-ImageMultiClass") == "ACS-ImageMultiClass"


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:lambda:us-east-1:123456789012:function:ACS-BoundingBox",  # a customer's own copy
        "arn:aws:lambda:us-east-1:081040173940:function:ACS-BoundingBox",  # us-west-2's account
        "arn:aws:lambda:us-east-1:432418664414:function:ACS-Unknown",
        "arn:aws:lambda:us-east-1:432418664414:function:sagemaker-tone-post",
        "acs-boundingbox",
        "hooks/post.py",
    ],
)
def test_other_values_are_not_builtins(value: str) -> None:
    assert builtin_function(value) is None


def test_builtin_task_strips_the_prefix() -> None:
    assert builtin_task("arn:aws:lambda:eu-west-1:568282634449:function:ACS-SemanticSegmentation") == (
        "SemanticSegmentation"
    )
    assert builtin_task("PRE-PassThrough") == "PassThrough"
    assert builtin_task("hooks/pre.py") is None
    assert builtin_task(None) is None
