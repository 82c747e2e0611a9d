"""Tags: AddTags, ListTags and DeleteTags on labeling jobs and work teams (``engine/tags.py``)."""

from __future__ import annotations

from typing import Any

from crowdform.aws.errors import AwsError
from crowdform.aws.sagemaker.context import Context, Handler


def add_tags(context: Context, request: dict[str, Any]) -> dict[str, Any]:
    """Adds or replaces the tags given; the reply lists them, as AWS's does."""
    context.engine.tags.add(request["ResourceArn"], [(tag["Key"], tag["Value"]) for tag in request["Tags"]])
    return {"Tags": request["Tags"]}


def list_tags(context: Context, request: dict[str, Any]) -> dict[str, Any]:
    """Every tag fits one page (a resource has at most 50, and MaxResults is at least 50), so no
    NextToken is ever given out, and one sent is not ours."""
    if request.get("NextToken"):
        raise AwsError("ValidationException", "The NextToken is not one ListTags gave out: every tag of a "
                       "resource is on the first page.")
    tags = context.engine.tags.list(request["ResourceArn"])
    return {"Tags": [{"Key": key, "Value": value} for key, value in tags]}


def delete_tags(context: Context, request: dict[str, Any]) -> dict[str, Any]:
    context.engine.tags.delete(request["ResourceArn"], request["TagKeys"])
    return {}


OPERATIONS: dict[str, Handler] = {"AddTags": add_tags, "ListTags": list_tags, "DeleteTags": delete_tags}
