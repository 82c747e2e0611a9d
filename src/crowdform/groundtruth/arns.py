"""ARNs and names: labeling jobs, work teams, Lambda functions and the built-in PRE-/ACS- functions.

Spec 3.2 (job ARN), 8.1 and 8.2 (built-in functions and their regional accounts), 9.1 (work team
ARNs).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from crowdform.errors import InvalidInput

# Spec 8.2: one AWS account per region hosts every PRE-/ACS- function.
BUILTIN_ACCOUNTS: Mapping[str, str] = MappingProxyType(
    {
        "us-east-1": "432418664414",
        "us-east-2": "266458841044",
        "us-west-2": "081040173940",
        "ca-central-1": "918755190332",
        "eu-west-1": "568282634449",
        "eu-west-2": "487402164563",
        "eu-central-1": "203001061592",
        "ap-northeast-1": "477331159723",
        "ap-northeast-2": "845288260483",
        "ap-south-1": "565803892007",
        "ap-southeast-1": "377565633583",
        "ap-southeast-2": "454466003867",
    }
)

#: Built-in task types (spec 8.1): the function names without their ``PRE-`` / ``ACS-`` prefix.
BUILTIN_TASKS: frozenset[str] = frozenset(
    {
        "BoundingBox",
        "ImageMultiClass",
        "ImageMultiClassMultiLabel",
        "SemanticSegmentation",
        "TextMultiClass",
        "TextMultiClassMultiLabel",
        "NamedEntityRecognition",
        "VerificationBoundingBox",
        "AdjustmentBoundingBox",
        "VerificationSemanticSegmentation",
        "AdjustmentSemanticSegmentation",
        "VideoMultiClass",
        "VideoObjectDetection",
        "VideoObjectTracking",
        "AdjustmentVideoObjectDetection",
        "AdjustmentVideoObjectTracking",
        "3DPointCloudObjectDetection",
        "3DPointCloudObjectTracking",
        "3DPointCloudSemanticSegmentation",
        "Adjustment3DPointCloudObjectDetection",
        "Adjustment3DPointCloudObjectTracking",
        "Adjustment3DPointCloudSemanticSegmentation",
        "PassThrough",
    }
)

#: Task types whose label attribute name must end with ``-ref`` (spec 1.3); every other task type,
#: custom jobs included, must not end with it.
REF_SUFFIX_TASKS: frozenset[str] = frozenset(
    {
        "SemanticSegmentation",
        "AdjustmentSemanticSegmentation",
        "VideoObjectDetection",
        "VideoObjectTracking",
        "AdjustmentVideoObjectDetection",
        "AdjustmentVideoObjectTracking",
        "3DPointCloudSemanticSegmentation",
        "3DPointCloudObjectTracking",
        "Adjustment3DPointCloudSemanticSegmentation",
        "Adjustment3DPointCloudObjectTracking",
    }
)

BUILTIN_FUNCTIONS: frozenset[str] = frozenset(
    f"{prefix}-{task}" for prefix in ("PRE", "ACS") for task in BUILTIN_TASKS
)

NAME_PATTERN = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"
_NAME = re.compile(NAME_PATTERN)
_WORKTEAM_ARN = re.compile(
    r"arn:aws[a-z-]*:sagemaker:(?P<region>[a-z0-9-]*):(?P<account>[0-9]{12}):"
    r"workteam/(?P<kind>[^/]*)/(?P<name>.*)"
)
_SAGEMAKER_ARN = re.compile(
    r"arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:(?P<type>[a-z-]+)/(?P<id>.+)"
)
_LAMBDA_ARN = re.compile(
    r"arn:aws[a-z-]*:lambda:(?P<region>[a-z0-9-]*):(?P<account>[0-9]{12}):"
    r"function:(?P<name>[a-zA-Z0-9_-]{1,64})(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9_-]{1,128}))?"
)


def labeling_job_arn(region: str, account: str, name: str) -> str:
    """``arn:aws:sagemaker:<region>:<account>:labeling-job/<name>``, the name lower-cased (spec 3.2 [O])."""
    return f"arn:aws:sagemaker:{region}:{account}:labeling-job/{name.lower()}"


def workteam_arn(region: str, account: str, name: str) -> str:
    """``arn:aws:sagemaker:<region>:<account>:workteam/private-crowd/<name>`` (spec 9.1): a private work team."""
    return f"arn:aws:sagemaker:{region}:{account}:workteam/private-crowd/{name}"


def workforce_arn(region: str, account: str, name: str = "default") -> str:
    """``arn:aws:sagemaker:<region>:<account>:workforce/<name>``: the private workforce (AWS names it ``default``)."""
    return f"arn:aws:sagemaker:{region}:{account}:workforce/{name}"


def sagemaker_resource(arn: str) -> tuple[str, str] | None:
    """``(resource type, resource id)`` of a SageMaker ARN, whatever its region and account:
    ``...:labeling-job/tone`` -> ``("labeling-job", "tone")``, ``...:workteam/private-crowd/t`` ->
    ``("workteam", "private-crowd/t")``; None for anything else."""
    match = _SAGEMAKER_ARN.fullmatch(arn)
    return (match["type"], match["id"]) if match else None


def workteam_name(value: str, *, source: str = "WorkteamArn") -> str:
    """The team a ``WorkteamArn`` names.

    Accepts a plain team name (``support-team``) or a private work team ARN
    ``arn:aws:sagemaker:<region>:<account>:workteam/private-crowd/<team>``. Public
    (``public-crowd``) and vendor teams, other ARNs and malformed names raise :class:`InvalidInput`.
    """
    hint = (
        "Give the name of a crowdform team (letters, digits and hyphens, at most 63 characters) or "
        "arn:aws:sagemaker:<region>:<account>:workteam/private-crowd/<team>"
    )
    match = _WORKTEAM_ARN.fullmatch(value)
    if match:
        if match["kind"] != "private-crowd":
            raise InvalidInput.one(
                source,
                f"names a {match['kind'] or 'non-private'} work team; crowdform runs private teams only",
                value=value,
                hint=hint,
            )
        name = match["name"]
        if _NAME.fullmatch(name):
            return name
        raise InvalidInput.one(source, "has a malformed team name", value=value, hint=hint)
    if _NAME.fullmatch(value):
        return value
    raise InvalidInput.one(source, "is neither a team name nor a private work team ARN", value=value, hint=hint)


def lambda_function_name(arn: str) -> str | None:
    """``arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`` -> ``name``; else None."""
    match = _LAMBDA_ARN.fullmatch(arn)
    return match["name"] if match else None


def builtin_function(value: str) -> str | None:
    """The built-in function a hook value names (``PRE-PassThrough``, ``ACS-BoundingBox``, ...), else None.

    Recognises the short name itself and Lambda ARNs in any of the regional accounts of spec 8.2 (the
    region and account must be one of the listed pairs). A function of the same name in another
    account is the customer's own, not a built-in.
    """
    if value in BUILTIN_FUNCTIONS:
        return value
    match = _LAMBDA_ARN.fullmatch(value)
    if (
        match
        and match["name"] in BUILTIN_FUNCTIONS
        and BUILTIN_ACCOUNTS.get(match["region"]) == match["account"]
    ):
        return match["name"]
    return None


def builtin_task(function: str | None) -> str | None:
    """The task type of a built-in function name (``ACS-BoundingBox`` -> ``BoundingBox``), else None."""
    if function is None:
        return None
    name = builtin_function(function)
    return name[4:] if name else None
