"""The label and ``-metadata`` of each built-in task type, field by field, as spec 7.5 writes them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from crowdform.groundtruth.task_types import BY_NAME
from crowdform.groundtruth.builtin_labels import (
    Box,
    bounding_boxes,
    job_name_field,
    multi_label,
    single_label,
)

CREATED = datetime(2024, 3, 5, 9, 14, 27, 381204)


def test_single_label_image_classification() -> None:
    label, metadata = single_label(BY_NAME["image-classification"], 2, "rabbit", 0.87,
                                   job_name="Pet-Kind", created=CREATED)
    assert label == 2
    assert metadata == {"class-name": "rabbit", "confidence": 0.87, "type": "groundtruth/image-classification",
                        "job-name": "labeling-job/pet-kind", "human-annotated": "yes",
                        "creation-date": "2024-03-05T09:14:27.381204"}


def test_single_label_text_classification_takes_an_aware_time_as_utc() -> None:
    created = datetime(2024, 3, 5, 12, 21, 2, 114870, tzinfo=timezone(timedelta(hours=1)))
    label, metadata = single_label(BY_NAME["text-classification"], 1, "negative", 0.91,
                                   job_name="tone", created=created)
    assert label == 1
    assert metadata["type"] == "groundtruth/text-classification"
    assert metadata["creation-date"] == "2024-03-05T11:21:02.114870"
    assert list(metadata) == ["class-name", "confidence", "type", "job-name", "human-annotated", "creation-date"]


def test_multi_label_keeps_the_confidence_map_order() -> None:
    for name, kind in (("image-classification-multi-label", "image"), ("text-classification-multi-label", "text")):
        label, metadata = multi_label(BY_NAME[name], {3: 0.88, 0: 0.64}, ["car", "bus", "tram", "bicycle"],
                                      job_name="scene", created=CREATED)
        assert label == [3, 0]
        assert metadata == {"class-map": {"3": "bicycle", "0": "car"}, "confidence-map": {"3": 0.88, "0": 0.64},
                            "type": f"groundtruth/{kind}-classification-multilabel", "job-name": "labeling-job/scene",
                            "human-annotated": "yes", "creation-date": "2024-03-05T09:14:27.381204"}
        assert list(metadata["confidence-map"]) == ["3", "0"]


def test_multi_label_with_nothing_chosen() -> None:
    label, metadata = multi_label(BY_NAME["text-classification-multi-label"], {}, ["a", "b"],
                                  job_name="j", created=CREATED)
    assert label == []
    assert metadata["class-map"] == {} and metadata["confidence-map"] == {}


def test_bounding_boxes() -> None:
    boxes = [Box(1, 40, 52, 120, 200, 0.71), Box(0, 300, 60, 80, 90, 0.83)]
    label, metadata = bounding_boxes(BY_NAME["bounding-box"], boxes, (640, 480), ["can", "bottle", "jar"],
                                     job_name="products", created=CREATED)
    assert label == {"image_size": [{"width": 640, "height": 480, "depth": 3}],
                     "annotations": [{"class_id": 1, "left": 40, "top": 52, "width": 120, "height": 200},
                                     {"class_id": 0, "left": 300, "top": 60, "width": 80, "height": 90}]}
    assert metadata == {"objects": [{"confidence": 0.71}, {"confidence": 0.83}], "class-map": {"0": "can", "1": "bottle"},
                        "type": "groundtruth/object-detection", "job-name": "labeling-job/products",
                        "human-annotated": "yes", "creation-date": "2024-03-05T09:14:27.381204"}


def test_bounding_boxes_without_boxes_or_image_size() -> None:
    label, metadata = bounding_boxes(BY_NAME["bounding-box"], [], None, ["can"], job_name="p", created=CREATED)
    assert label == {"image_size": [], "annotations": []}
    assert metadata["objects"] == [] and metadata["class-map"] == {}


def test_job_name_field_is_lower_cased_like_the_arn() -> None:
    assert job_name_field("Receipt-Totals") == "labeling-job/receipt-totals"
