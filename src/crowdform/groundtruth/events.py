"""The events crowdform sends to hooks: pre-annotation (spec 3.2) and post-annotation (spec 6.3)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

EVENT_VERSION = "2018-10-16"


def pre_annotation_event(job_arn: str, data_object: dict[str, Any]) -> dict[str, Any]:
    """``{"version", "labelingJobArn", "dataObject"}``: exactly these keys, ``dataObject`` being the
    whole manifest line (spec 3.2, Appendix B)."""
    return {"version": EVENT_VERSION, "labelingJobArn": job_arn, "dataObject": data_object}


def post_annotation_event(
    *,
    job_arn: str,
    label_attribute_name: str,
    label_categories: Sequence[str] | None,
    role_arn: str | None,
    payload_uri: str,
    output_config: str,
    workers_per_object: int,
    version: str = EVENT_VERSION,
    kms_key_id: str | None = None,
) -> dict[str, Any]:
    """The post-annotation (consolidation) event of spec 6.3.

    Keys in the order of the spec's example: ``version``, ``labelingJobArn``, ``labelCategories``
    (omitted when the job has no label category file), ``labelAttributeName``, ``roleArn``,
    ``payload.s3Uri``, then the undocumented keys real events carry, ``outputConfig`` (the job's
    ``annotations`` folder, no trailing slash) and ``maxHumanWorkersPerDataObject``, and
    ``kmsKeyId`` when one is configured. ``roleArn`` is required by the contract, so a job created
    without a ``RoleArn`` sends an empty string. ``version`` is configurable (Q17).
    """
    event: dict[str, Any] = {"version": version, "labelingJobArn": job_arn}
    if label_categories is not None:
        event["labelCategories"] = list(label_categories)
    event["labelAttributeName"] = label_attribute_name
    event["roleArn"] = role_arn if role_arn is not None else ""
    event["payload"] = {"s3Uri": payload_uri}
    event["outputConfig"] = output_config
    event["maxHumanWorkersPerDataObject"] = workers_per_object
    if kms_key_id:
        event["kmsKeyId"] = kms_key_id
    return event
