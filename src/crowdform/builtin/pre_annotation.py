"""The built-in pre-annotation functions (``PRE-BoundingBox``, ...): a manifest line -> ``task.input``.

Ground Truth does not document their output; its built-in templates read ``taskObject``, ``labels``
and ``manifestLine`` (spec 3.6), and so do ours. crowdform adds what its own templates need and a
Ground Truth template can ignore: ``instructions`` from the label category file, ``labelObjects``
for named entities (the labels with their display names), and for adjustment and verification jobs
``initialValue``, the reviewed labels in the form the element's ``initial-value`` takes, read from
the manifest line's ``<auditLabelAttributeName>`` and its ``-metadata`` (docs/decisions.md,
"Built-in task types").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crowdform.errors import InvalidInput
from crowdform.groundtruth.task_types import TaskType
from crowdform.manifest.label_categories import LabelCategoryConfig

BACKGROUND_NAME = "BACKGROUND"


def builtin_task_input(task: TaskType, line: Mapping[str, Any], config: LabelCategoryConfig,
                       *, source: str) -> dict[str, Any]:
    """The ``taskInput`` of one object. Raises :class:`InvalidInput` (naming ``source``) when the line lacks
    the label an adjustment or verification job reviews; that object then fails, the job goes on."""
    preferred, other = ("source-ref", "source") if task.media == "image" else ("source", "source-ref")
    task_input: dict[str, Any] = {
        "taskObject": line.get(preferred, line.get(other)),
        "labels": list(config.labels),
        "manifestLine": dict(line),
    }
    if config.instructions is not None:
        task_input["instructions"] = config.instructions
    if task.shape == "spans":
        task_input["labelObjects"] = config.label_objects
    if task.review is not None:
        audited = config.audit_label_attribute_name
        if audited is None:  # checked when the job is created; a guard for jobs made otherwise
            raise InvalidInput.one(source, "the job names no auditLabelAttributeName", field="auditLabelAttributeName")
        reviews_masks = task.shape == "mask" or task.function.endswith("SemanticSegmentation")
        task_input["initialValue"] = (_mask_initial_value(line, audited, source) if reviews_masks
                                      else _box_initial_value(line, audited, config.labels, source))
    return task_input


def _box_initial_value(line: Mapping[str, Any], audited: str, labels: Sequence[str], source: str) -> list[dict[str, Any]]:
    """The reviewed boxes (spec 7.5.4) as ``crowd-bounding-box``'s ``initial-value``: label names, pixels."""
    value = line.get(audited)
    annotations = value.get("annotations") if isinstance(value, dict) else None
    if not isinstance(annotations, list):
        raise InvalidInput.one(source, "has no bounding-box label to review", field=f"{audited}.annotations",
                               value=value, hint="Give the output manifest of the job that drew the boxes, "
                               "and its label attribute name as auditLabelAttributeName")
    metadata = line.get(f"{audited}-metadata")
    class_map = metadata.get("class-map") if isinstance(metadata, dict) else None
    class_map = class_map if isinstance(class_map, dict) else {}
    boxes = []
    for i, box in enumerate(annotations):
        where = f"{audited}.annotations[{i}]"
        if not isinstance(box, dict) or not all(_is_number(box.get(k)) for k in ("left", "top", "width", "height")):
            raise InvalidInput.one(source, "must be a box with numbers left, top, width, height", field=where, value=box)
        class_id = box.get("class_id")
        name = class_map.get(str(class_id))
        if not isinstance(name, str):
            if not isinstance(class_id, int) or not 0 <= class_id < len(labels):
                raise InvalidInput.one(source, "names a class that is neither in the class-map nor in the labels",
                                       field=f"{where}.class_id", value=class_id,
                                       hint="The label category file must list the original job's labels, in order")
            name = labels[class_id]
        boxes.append({"label": name, **{k: box[k] for k in ("left", "top", "width", "height")}})
    return boxes


def _mask_initial_value(line: Mapping[str, Any], audited: str, source: str) -> dict[str, Any]:
    """The reviewed mask (spec 7.5.5) as ``crowd-semantic-segmentation``'s ``initial-value``."""
    src = line.get(audited)
    if not isinstance(src, str) or not src:
        raise InvalidInput.one(source, "has no mask to review", field=audited, value=src,
                               hint="Give the output manifest of the segmentation job, and its label attribute "
                                    "name (ending in -ref) as auditLabelAttributeName")
    metadata = line.get(f"{audited}-metadata")
    colours = metadata.get("internal-color-map") if isinstance(metadata, dict) else None
    if not isinstance(colours, dict):
        raise InvalidInput.one(source, "has no internal-color-map", field=f"{audited}-metadata.internal-color-map",
                               value=colours, hint="The mask's colours are read from its metadata")
    mappings = {}
    for index, entry in colours.items():
        name = entry.get("class-name") if isinstance(entry, dict) else None
        colour = entry.get("hex-color") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not isinstance(colour, str):
            raise InvalidInput.one(source, "must have class-name and hex-color strings",
                                   field=f"{audited}-metadata.internal-color-map.{index}", value=entry)
        if name != BACKGROUND_NAME:
            mappings[name] = {"color": colour.lower()}
    return {"labelMappings": mappings, "src": src}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
