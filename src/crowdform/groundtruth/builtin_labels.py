"""The output-manifest label and ``<LAN>-metadata`` of the built-in task types (spec 7.4, 7.5).

Takes consolidated results as plain Python values (class indexes, confidences, boxes) so that the
exact field names live in one place whichever consolidator produced them; the time of the label is
passed in. Each function returns ``(label, metadata)`` for
:func:`crowdform.manifest.output_lines.output_line`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crowdform.groundtruth.files import creation_date


@dataclass(frozen=True)
class BuiltinType:
    """One built-in task type: its ``type`` field, the answer shape it consolidates, and its template's answer key."""

    metadata_type: str
    shape: str
    """``single``, ``multi`` or ``boxes``: which consolidation and which label format."""
    answer_key: str
    """The ``answerContent`` key the built-in template writes (spec 5.3)."""


BUILTIN_TYPES: dict[str, BuiltinType] = {
    "image-classification": BuiltinType("groundtruth/image-classification", "single", "crowd-image-classifier"),
    "text-classification": BuiltinType("groundtruth/text-classification", "single", "crowd-classifier"),
    "image-classification-multi-label": BuiltinType("groundtruth/image-classification-multilabel", "multi",
                                                    "crowd-image-classifier-multi-select"),
    "text-classification-multi-label": BuiltinType("groundtruth/text-classification-multilabel", "multi",
                                                   "crowd-classifier-multi-select"),
    "bounding-box": BuiltinType("groundtruth/object-detection", "boxes", "boundingBox"),
}

# Ground Truth writes three channels for every image, whatever the file holds (spec 7.5.4).
IMAGE_DEPTH = 3


def job_name_field(job_name: str) -> str:
    """``labeling-job/<name>``: the job ARN's resource part, lower-cased as ARNs are (spec 7.4)."""
    return f"labeling-job/{job_name.lower()}"


def _common(task: BuiltinType, job_name: str, created: datetime) -> dict[str, Any]:
    return {"type": task.metadata_type, "job-name": job_name_field(job_name), "human-annotated": "yes",
            "creation-date": creation_date(created)}


def single_label(task: BuiltinType, class_index: int, class_name: str, confidence: float, *,
                 job_name: str, created: datetime) -> tuple[int, dict[str, Any]]:
    """Single-label classification (7.5.1, 7.5.2): the class index, and ``class-name`` and ``confidence``."""
    return class_index, {"class-name": class_name, "confidence": confidence, **_common(task, job_name, created)}


def multi_label(task: BuiltinType, confidence_map: Mapping[int, float], classes: Sequence[str], *,
                job_name: str, created: datetime) -> tuple[list[int], dict[str, Any]]:
    """Multi-label classification (7.5.3): the chosen class indexes, ``class-map`` and ``confidence-map``.

    ``confidence_map`` holds the chosen classes in the order they are written.
    """
    chosen = list(confidence_map)
    return chosen, {"class-map": {str(c): classes[c] for c in chosen},
                    "confidence-map": {str(c): confidence_map[c] for c in chosen},
                    **_common(task, job_name, created)}


@dataclass(frozen=True)
class Box:
    """A consolidated box in whole pixels, origin top-left."""

    class_id: int
    left: int
    top: int
    width: int
    height: int
    confidence: float


def bounding_boxes(task: BuiltinType, boxes: Sequence[Box], image_size: tuple[int, int] | None,
                   classes: Sequence[str], *, job_name: str, created: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """Bounding boxes (7.5.4): ``image_size`` and ``annotations``; metadata ``objects`` (same order) and
    ``class-map`` (the classes of the boxes). ``image_size`` is ``(width, height)``, or None when no
    worker's answer carried ``inputImageProperties`` (then the list is empty)."""
    size = [] if image_size is None else [{"width": image_size[0], "height": image_size[1], "depth": IMAGE_DEPTH}]
    label = {"image_size": size,
             "annotations": [{"class_id": b.class_id, "left": b.left, "top": b.top, "width": b.width,
                              "height": b.height} for b in boxes]}
    used = sorted({b.class_id for b in boxes})
    return label, {"objects": [{"confidence": b.confidence} for b in boxes],
                   "class-map": {str(c): classes[c] for c in used}, **_common(task, job_name, created)}
