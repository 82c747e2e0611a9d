"""Workers' ``answerContent`` (spec 5.2, 5.3) read into what the built-in consolidation takes.

The answer is taken from the built-in template's key (``boundingBox``, ``crowd-classifier``, ...),
or from the only key there is, since a custom template of the same element names it freely (Q15).
A malformed answer raises :class:`BadAnswer` with the field path inside ``answerContent`` and a
fix, so the caller can name the file or worker it came from.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from crowdform.errors import Problem
from crowdform.groundtruth.task_types import TaskType

Box = tuple[str, tuple[float, float, float, float]]
"""A drawn box: label, (left, top, width, height) in pixels."""
Span = tuple[str, int, int]
"""A marked entity: label, startOffset, endOffset (exclusive)."""


@dataclass(frozen=True)
class MaskAnswer:
    """A worker's mask: the PNG as sent (decoded when consolidated) and the colour of each label."""

    png: bytes
    colours: dict[str, str]


class BadAnswer(Exception):
    """An answer that cannot be consolidated; ``problem`` names the field and the fix."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass
class AnswerSet:
    """The answers of a task type, one per (object id, worker id), with what rides along with them."""

    task: TaskType
    labels: Sequence[str] | None
    """The label list answers must come from; None accepts any label (classes are then the ones answered)."""
    answers: dict[tuple[int, str], Any] = field(default_factory=dict)
    image_sizes: dict[int, tuple[int, int]] = field(default_factory=dict)
    """(width, height) per object, from the first answer carrying ``inputImageProperties``."""
    comments: dict[tuple[int, str], str] = field(default_factory=dict)
    """``workerComment`` of verification answers."""
    modified: dict[tuple[int, str], bool] = field(default_factory=dict)
    """``initialValueModified`` of adjustment answers."""

    def add(self, object_id: int, worker_id: str, content: Any, where: str = "answerContent") -> None:
        """Read one worker's ``answerContent``; a later answer of the same worker replaces an earlier one."""
        key = (object_id, worker_id)
        value, element = self._value(content, where)
        self.answers[key] = value
        if isinstance(element, dict):
            if self.task.shape == "verification" and isinstance(element.get("workerComment"), str):
                self.comments[key] = element["workerComment"]
            if isinstance(element.get("initialValueModified"), bool):
                self.modified[key] = element["initialValueModified"]
            size = _image_size(element)
            if size is not None:
                self.image_sizes.setdefault(object_id, size)

    def classes(self) -> tuple[str, ...]:
        """The label list, or without one the labels answered, sorted."""
        if self.labels is not None:
            return tuple(self.labels)
        shape = self.task.shape
        if shape in ("single", "verification"):
            return tuple(sorted(set(self.answers.values())))
        if shape == "multi":
            return tuple(sorted({label for chosen in self.answers.values() for label in chosen}))
        if shape == "mask":
            return tuple(sorted({label for mask in self.answers.values() for label in mask.colours}))
        return tuple(sorted({item[0] for items in self.answers.values() for item in items}))

    def _value(self, content: Any, where: str) -> tuple[Any, Any]:
        task = self.task
        if not isinstance(content, dict):
            raise BadAnswer(Problem("must be an object", field=where, value=content))
        if task.answer_key in content:
            key = task.answer_key
        elif len(content) == 1:
            key = next(iter(content))
        else:
            raise BadAnswer(Problem(f"has no {task.answer_key!r} key and more than one other", field=where,
                                    value=sorted(content), hint="Answers must come from one element"))
        element, at = content[key], f"{where}.{key}" if where else key
        shape = task.shape
        if shape in ("single", "verification"):
            label = element.get("label") if isinstance(element, dict) else None
            return self._known(label, f"{at}.label"), element
        if shape == "multi":
            chosen = element.get("labels") if isinstance(element, dict) else None
            if not isinstance(chosen, list):
                raise BadAnswer(Problem("must be an array of labels", field=f"{at}.labels", value=chosen))
            return [self._known(label, f"{at}.labels[{j}]") for j, label in enumerate(chosen)], element
        if shape == "boxes":
            boxes = element.get("boundingBoxes") if isinstance(element, dict) else None
            if not isinstance(boxes, list):
                raise BadAnswer(Problem("must be an array of boxes", field=f"{at}.boundingBoxes", value=boxes))
            return [self._box(box, f"{at}.boundingBoxes[{j}]") for j, box in enumerate(boxes)], element
        if shape == "spans":
            entities = element.get("entities") if isinstance(element, dict) else None
            if not isinstance(entities, list):
                raise BadAnswer(Problem("must be an array of entities", field=f"{at}.entities", value=entities))
            return [self._span(entity, f"{at}.entities[{j}]") for j, entity in enumerate(entities)], element
        return self._mask(element, at), element

    def _known(self, label: Any, where: str) -> str:
        if not isinstance(label, str):
            raise BadAnswer(Problem("must be a label string", field=where, value=label))
        if self.labels is not None and label not in self.labels:
            raise BadAnswer(Problem("is not in the label list", field=where, value=label,
                                    hint=f"Expected one of {list(self.labels)}, or give the job's label file"))
        return label

    def _box(self, box: Any, where: str) -> Box:
        if not isinstance(box, dict):
            raise BadAnswer(Problem("must be an object", field=where, value=box))
        numbers = []
        for key in ("left", "top", "width", "height"):
            number = box.get(key)
            if isinstance(number, bool) or not isinstance(number, (int, float)) or not np.isfinite(number):
                raise BadAnswer(Problem("must be a number", field=f"{where}.{key}", value=number))
            numbers.append(float(number))
        if numbers[2] < 0 or numbers[3] < 0:
            raise BadAnswer(Problem("width and height must not be negative", field=where, value=box))
        return self._known(box.get("label"), f"{where}.label"), (numbers[0], numbers[1], numbers[2], numbers[3])

    def _span(self, entity: Any, where: str) -> Span:
        if not isinstance(entity, dict):
            raise BadAnswer(Problem("must be an object", field=where, value=entity))
        start, end = entity.get("startOffset"), entity.get("endOffset")
        for key, number in (("startOffset", start), ("endOffset", end)):
            if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                raise BadAnswer(Problem("must be a character offset (a whole number >= 0)", field=f"{where}.{key}",
                                        value=number))
        if end <= start:
            raise BadAnswer(Problem("endOffset must be greater than startOffset", field=where, value=entity,
                                    hint="endOffset is exclusive: the position after the last character"))
        return self._known(entity.get("label"), f"{where}.label"), start, end

    def _mask(self, element: Any, where: str) -> MaskAnswer:
        image = element.get("labeledImage") if isinstance(element, dict) else None
        data = image.get("pngImageData") if isinstance(image, dict) else None
        if not isinstance(data, str):
            raise BadAnswer(Problem("must be the base64 text of a PNG", field=f"{where}.labeledImage.pngImageData",
                                    value=None if data is None else type(data).__name__))
        try:
            png = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise BadAnswer(Problem("is not valid base64", field=f"{where}.labeledImage.pngImageData",
                                    hint="Send the PNG as standard base64 without a data: prefix")) from None
        mappings = element.get("labelMappings")
        if not isinstance(mappings, dict):
            raise BadAnswer(Problem("must map each label to {\"color\": \"#rrggbb\"}", field=f"{where}.labelMappings",
                                    value=mappings))
        colours = {}
        for label, entry in mappings.items():
            colour = entry.get("color") if isinstance(entry, dict) else None
            if not isinstance(colour, str) or len(colour) != 7 or colour[0] != "#":
                raise BadAnswer(Problem("must be {\"color\": \"#rrggbb\"}", field=f"{where}.labelMappings.{label}",
                                        value=entry))
            colours[self._known(label, f"{where}.labelMappings")] = colour.lower()
        return MaskAnswer(png, colours)


def _image_size(element: dict[str, Any]) -> tuple[int, int] | None:
    props = element.get("inputImageProperties")
    if isinstance(props, dict) and all(isinstance(props.get(k), int) for k in ("width", "height")):
        return props["width"], props["height"]
    return None
