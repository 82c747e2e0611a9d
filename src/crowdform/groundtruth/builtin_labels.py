"""The output-manifest label and ``<LAN>-metadata`` of the built-in task types (spec 7.4, 7.5).

Takes consolidated results as plain Python values (class indexes, confidences, boxes, spans) so
that the exact field names live in one place whichever consolidator produced them; the time of the
label is passed in. Each function returns ``(label, metadata)`` for
:func:`crowdform.manifest.output_lines.output_line`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crowdform.groundtruth.files import creation_date
from crowdform.groundtruth.task_types import TaskType


# Ground Truth writes three channels for every image, whatever the file holds (spec 7.5.4).
IMAGE_DEPTH = 3


def job_name_field(job_name: str) -> str:
    """``labeling-job/<name>``: the job ARN's resource part, lower-cased as ARNs are (spec 7.4)."""
    return f"labeling-job/{job_name.lower()}"


def _common(task: TaskType, job_name: str, created: datetime) -> dict[str, Any]:
    return {"type": task.metadata_type, "job-name": job_name_field(job_name), "human-annotated": "yes",
            "creation-date": creation_date(created)}


def single_label(task: TaskType, class_index: int, class_name: str, confidence: float, *,
                 job_name: str, created: datetime) -> tuple[int, dict[str, Any]]:
    """Single-label classification (7.5.1, 7.5.2): the class index, and ``class-name`` and ``confidence``."""
    return class_index, {"class-name": class_name, "confidence": confidence, **_common(task, job_name, created)}


def multi_label(task: TaskType, confidence_map: Mapping[int, float], classes: Sequence[str], *,
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


def bounding_boxes(task: TaskType, boxes: Sequence[Box], image_size: tuple[int, int] | None,
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


BACKGROUND_NAME = "BACKGROUND"
BACKGROUND_HEX = "#ffffff"


def semantic_segmentation(task: TaskType, mask_uri: str, colours: Sequence[tuple[str, str]], confidence: float, *,
                          job_name: str, created: datetime) -> tuple[str, dict[str, Any]]:
    """Semantic segmentation (7.5.5): the mask's URI, and ``internal-color-map`` with ``"0"`` the background.

    ``colours`` holds (class name, ``#rrggbb``) for class indexes 1, 2, ...; the one confidence of the
    image is repeated for every class, as Ground Truth does.
    """
    entries = [(BACKGROUND_NAME, BACKGROUND_HEX), *colours]
    colour_map = {str(i): {"class-name": name, "hex-color": hex_colour, "confidence": confidence}
                  for i, (name, hex_colour) in enumerate(entries)}
    return mask_uri, {"internal-color-map": colour_map, **_common(task, job_name, created)}


@dataclass(frozen=True)
class Entity:
    label: str
    start: int
    end: int
    confidence: float


def named_entities(task: TaskType, entities: Sequence[Entity], label_objects: Sequence[Mapping[str, Any]], *,
                   job_name: str, created: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """Named entities (7.5.6): ``annotations.labels`` repeats the job's labels, ``entities`` in text order;
    metadata ``entities`` holds one confidence per entity, same order."""
    labels = [{key: item[key] for key in ("label", "shortDisplayName") if key in item} for item in label_objects]
    label = {"annotations": {"labels": labels,
                             "entities": [{"label": e.label, "startOffset": e.start, "endOffset": e.end}
                                          for e in entities]}}
    return label, {"entities": [{"confidence": e.confidence} for e in entities], **_common(task, job_name, created)}


def label_verification(task: TaskType, class_index: int, class_name: str, confidence: float,
                       comments: Sequence[str], *, job_name: str, created: datetime) -> tuple[str, dict[str, Any]]:
    """Label verification (7.5.7): the chosen category's index as a string (Q21), ``class-name``,
    ``confidence`` and, when any worker left a comment, ``worker-feedback``."""
    metadata: dict[str, Any] = {"class-name": class_name, "confidence": confidence, **_common(task, job_name, created)}
    if comments:
        metadata["worker-feedback"] = [{"comment": text} for text in comments]
    return str(class_index), metadata


def with_adjustment_status(labeled: tuple[Any, dict[str, Any]], adjusted: bool) -> tuple[Any, dict[str, Any]]:
    """An adjustment job's label (7.5.8): the original task type's, plus ``adjustment-status`` (Q22: masks too)."""
    label, metadata = labeled
    return label, {**metadata, "adjustment-status": "adjusted" if adjusted else "unadjusted"}
