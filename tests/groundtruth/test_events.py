"""Hook events (spec 3.2, 3.7, 6.3; Appendix C 6 and 14)."""

from __future__ import annotations

import json

from crowdform.groundtruth.events import post_annotation_event, pre_annotation_event
from crowdform.groundtruth.layout import JobLayout

SPEC_3_7_REQUEST = """{
  "version": "2018-10-16",
  "labelingJobArn": "arn:aws:sagemaker:eu-west-1:123456789012:labeling-job/receipt-totals",
  "dataObject": {
    "source-ref": "s3://acme-scans/receipts/000173.png",
    "store": "Kiosk 4",
    "currency": "EUR"
  }
}"""

SPEC_6_3_EVENT = """{
  "version": "2018-10-16",
  "labelingJobArn": "arn:aws:sagemaker:eu-west-1:123456789012:labeling-job/receipt-totals",
  "labelCategories": ["legible", "illegible"],
  "labelAttributeName": "receipt-totals",
  "roleArn": "arn:aws:iam::123456789012:role/GtExecution",
  "payload": {
    "s3Uri": "s3://acme-out/jobs/receipt-totals/annotations/consolidated-annotation/consolidation-request/iteration-2/2024-03-05_11:20:09.json"
  },
  "outputConfig": "s3://acme-out/jobs/receipt-totals/annotations",
  "maxHumanWorkersPerDataObject": 3
}"""

ARN = "arn:aws:sagemaker:eu-west-1:123456789012:labeling-job/receipt-totals"


def test_pre_annotation_event_is_exactly_the_three_keys_with_the_whole_line() -> None:
    """Appendix C 6, with the spec 3.7 example."""
    line = {"source-ref": "s3://acme-scans/receipts/000173.png", "store": "Kiosk 4", "currency": "EUR"}
    event = pre_annotation_event(ARN, line)
    assert json.dumps(event, indent=2) == SPEC_3_7_REQUEST
    assert list(event) == ["version", "labelingJobArn", "dataObject"]
    assert event["dataObject"] is line


def test_post_annotation_event_reproduces_the_spec_example() -> None:
    """Appendix C 14: documented fields plus outputConfig and maxHumanWorkersPerDataObject."""
    layout = JobLayout("s3://acme-out/jobs/", "receipt-totals")
    event = post_annotation_event(
        job_arn=ARN,
        label_attribute_name="receipt-totals",
        label_categories=("legible", "illegible"),
        role_arn="arn:aws:iam::123456789012:role/GtExecution",
        payload_uri=layout.consolidation_request(2, "2024-03-05_11:20:09"),
        output_config=layout.annotations_dir,
        workers_per_object=3,
    )
    expected = json.loads(SPEC_6_3_EVENT)
    assert event == expected
    assert list(event) == list(expected)  # the example's key order


def test_label_categories_are_omitted_without_a_category_file() -> None:
    event = post_annotation_event(
        job_arn=ARN, label_attribute_name="Receipt-Totals", label_categories=None, role_arn=None,
        payload_uri="file:///out/p.json", output_config="file:///out/annotations", workers_per_object=1,
    )
    assert "labelCategories" not in event
    assert event["labelAttributeName"] == "Receipt-Totals"  # case preserved
    assert event["roleArn"] == ""  # required by the contract: empty without a RoleArn
    assert event["maxHumanWorkersPerDataObject"] == 1
    assert "kmsKeyId" not in event


def test_an_empty_category_list_is_still_sent_and_version_and_kms_are_configurable() -> None:
    event = post_annotation_event(
        job_arn=ARN, label_attribute_name="l", label_categories=[], role_arn="r",
        payload_uri="p", output_config="o", workers_per_object=2, version="2018-10-06", kms_key_id="key/1",
    )
    assert event["labelCategories"] == []
    assert event["version"] == "2018-10-06"
    assert event["kmsKeyId"] == "key/1"
    assert list(event)[-1] == "kmsKeyId"
