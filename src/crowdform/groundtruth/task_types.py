"""The built-in task types crowdform runs (spec 8.1): their names, answer keys and output formats.

A job is a built-in task type when its hooks name Ground Truth's ``PRE-<Task>`` / ``ACS-<Task>``
functions (a name, or a Lambda ARN of spec 8.2's regional accounts), or crowdform's short form
``builtin:<type>`` (``builtin:bounding-box``), which :func:`builtin_hook_name` turns into the
function name of its slot. The table holds what the in-process pre-annotation step, the built-in
worker templates and the consolidation need to agree on; video and 3D point cloud types are not
run (they need Ground Truth's own worker UIs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from crowdform.groundtruth.arns import builtin_function

Shape = Literal["single", "multi", "boxes", "mask", "spans", "verification"]
Media = Literal["image", "text"]
Review = Literal["adjustment", "verification"]

BUILTIN_PREFIX = "builtin:"


@dataclass(frozen=True)
class TaskType:
    """One built-in task type."""

    name: str
    """crowdform's short name (``bounding-box``): ``--task-type``, ``builtin:<name>``, the template's file."""
    function: str
    """The PRE-/ACS- function name without its prefix (``BoundingBox``)."""
    metadata_type: str
    """The ``type`` of the output metadata (spec 7.5)."""
    shape: Shape
    """Which consolidation and which label format."""
    answer_key: str
    """The ``answerContent`` key the built-in template writes (spec 5.3)."""
    media: Media
    """What ``taskObject`` is: the ``source-ref`` image or the ``source`` text."""
    default_workers: int
    """Workers per object when a job does not say (the console defaults, spec 8.5)."""
    min_labels: int = 1
    review: Review | None = None
    """Adjustment and verification jobs review the labels of an earlier job (``auditLabelAttributeName``)."""
    title: str = ""
    """What the console and ``--help`` call it."""

    @property
    def pre_function(self) -> str:
        return f"PRE-{self.function}"

    @property
    def consolidation_function(self) -> str:
        return f"ACS-{self.function}"


TASK_TYPES: tuple[TaskType, ...] = (
    TaskType("image-classification", "ImageMultiClass", "groundtruth/image-classification", "single",
             "crowd-image-classifier", "image", 3, min_labels=2, title="Image classification (single label)"),
    TaskType("text-classification", "TextMultiClass", "groundtruth/text-classification", "single",
             "crowd-classifier", "text", 3, min_labels=2, title="Text classification (single label)"),
    TaskType("image-classification-multi-label", "ImageMultiClassMultiLabel",
             "groundtruth/image-classification-multilabel", "multi", "crowd-image-classifier-multi-select", "image", 3,
             min_labels=2, title="Image classification (multi-label)"),
    TaskType("text-classification-multi-label", "TextMultiClassMultiLabel",
             "groundtruth/text-classification-multilabel", "multi", "crowd-classifier-multi-select", "text", 3,
             min_labels=2, title="Text classification (multi-label)"),
    TaskType("bounding-box", "BoundingBox", "groundtruth/object-detection", "boxes", "boundingBox", "image", 5,
             title="Bounding box"),
    TaskType("semantic-segmentation", "SemanticSegmentation", "groundtruth/semantic-segmentation", "mask",
             "crowd-semantic-segmentation", "image", 3, title="Semantic segmentation"),
    TaskType("named-entity-recognition", "NamedEntityRecognition", "groundtruth/text-span", "spans",
             "crowd-entity-annotation", "text", 3, title="Named entity recognition"),
    TaskType("bounding-box-verification", "VerificationBoundingBox", "groundtruth/label-verification", "verification",
             "crowd-image-classifier", "image", 3, review="verification", title="Bounding box verification"),
    TaskType("bounding-box-adjustment", "AdjustmentBoundingBox", "groundtruth/object-detection", "boxes",
             "boundingBox", "image", 3, review="adjustment", title="Bounding box adjustment"),
    TaskType("semantic-segmentation-verification", "VerificationSemanticSegmentation",
             "groundtruth/label-verification", "verification", "crowd-image-classifier", "image", 3,
             review="verification", title="Semantic segmentation verification"),
    TaskType("semantic-segmentation-adjustment", "AdjustmentSemanticSegmentation",
             "groundtruth/semantic-segmentation", "mask", "crowd-semantic-segmentation", "image", 3,
             review="adjustment", title="Semantic segmentation adjustment"),
)

BY_NAME: dict[str, TaskType] = {t.name: t for t in TASK_TYPES}
BY_FUNCTION: dict[str, TaskType] = {t.function: t for t in TASK_TYPES}


def task_type_named(name: str) -> TaskType | None:
    """The task type a short name (``bounding-box``), ``builtin:`` name or PRE-/ACS- function names."""
    name = name.removeprefix(BUILTIN_PREFIX)
    if name in BY_NAME:
        return BY_NAME[name]
    if name[:4] in ("PRE-", "ACS-"):
        return BY_FUNCTION.get(name[4:])
    return None


def builtin_hook_name(value: str, prefix: Literal["PRE", "ACS"]) -> str:
    """``builtin:<type>`` -> the slot's function name (``PRE-BoundingBox``); anything else unchanged."""
    if not value.startswith(BUILTIN_PREFIX):
        return value
    task = BY_NAME.get(value[len(BUILTIN_PREFIX):])
    if task is None:
        return value  # left for the caller to report as an unknown hook
    return f"{prefix}-{task.function}"


def slot_task(hook: str | None, prefix: Literal["PRE", "ACS"]) -> str | None:
    """The task a hook value names when it is a built-in function of that slot (``BoundingBox``), else None."""
    name = builtin_function(hook) if hook is not None else None
    return name[4:] if name is not None and name.startswith(prefix) else None


def job_task(pre_task: str | None, post_task: str | None) -> str | None:
    """A job's built-in task from its two slots: the consolidation function decides; PassThrough is custom."""
    for task in (post_task, pre_task):
        if task is not None and task != "PassThrough":
            return task
    return None
