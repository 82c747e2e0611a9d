"""The built-in consolidation functions (``ACS-BoundingBox``, ...): answers -> output-manifest labels.

One entry point for the engine's jobs and for ``crowdform consolidate``: :func:`consolidate` runs
the task type's model from :mod:`crowdform.consolidation` over an :class:`AnswerSet` and formats
every label with :mod:`crowdform.groundtruth.builtin_labels` (spec 7.5). Classification models are
fitted on every answer given, and label the objects asked for: a job's later batches profit from
what its earlier answers taught about each worker (docs/decisions.md, "Built-in task types").

Masks are the one image work done here: workers' PNGs are decoded with Pillow and the consolidated
mask encoded back; the caller stores the returned bytes at the URI the label names.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from PIL import Image

from crowdform.builtin.answers import AnswerSet, MaskAnswer
from crowdform.consolidation import (
    AwsDawidSkene,
    BoxConsolidator,
    CategoricalAnswers,
    DawidSkene,
    Glad,
    LabelVerification,
    MajorityVote,
    MultiLabelAnswers,
    MultiLabelDawidSkene,
    OneCoinDawidSkene,
    SpanConsolidator,
    labels_from_rgb,
    rgb_from_labels,
    vote_mask,
)
from crowdform.consolidation.aggregator import ClassAggregator
from crowdform.consolidation.aws_dawid_skene import round_confidence
from crowdform.errors import InvalidInput
from crowdform.groundtruth import builtin_labels
from crowdform.groundtruth.builtin_labels import Box, Entity

ALGORITHMS: dict[str, Callable[[], ClassAggregator]] = {
    "dawid-skene": DawidSkene,
    "aws-dawid-skene": AwsDawidSkene,
    "one-coin": OneCoinDawidSkene,
    "glad": Glad,
    "majority-vote": MajorityVote,
}
DEFAULT_ALGORITHM = "dawid-skene"  # the most accurate on bench/ (docs/decisions.md, "Consolidation")

# Colours of labels no answer gave one for: category10, then the light half of category20 (crowd-elements.md).
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7",
           "#dbdb8d", "#9edae5")

Labeled = tuple[Any, dict[str, Any]]


@dataclass(frozen=True)
class Context:
    """What the job says beyond its answers."""

    job_name: str
    created: datetime
    algorithm: str | None = None
    """Single-label and verification aggregator (a key of :data:`ALGORITHMS`); None: the default."""
    label_objects: Sequence[Mapping[str, Any]] = ()
    """The label category file's ``labels`` entries (named entities repeat them in each label)."""
    mask_uri: Callable[[int], str] | None = None
    """Where the consolidated mask of an object id is stored (segmentation)."""


@dataclass(frozen=True)
class WorkerRow:
    """One worker's line of the worker report."""

    worker_id: str
    answers: int
    agreement: float | None
    """Share of the worker's answers (boxes, entities, pixels) that agree with the consolidated label."""
    estimated_accuracy: float

    def to_json(self) -> str:
        return json.dumps({"workerId": self.worker_id, "answers": self.answers,
                           "agreement": None if self.agreement is None else round(self.agreement, 4),
                           "estimatedAccuracy": round(self.estimated_accuracy, 4)}, ensure_ascii=False)


@dataclass
class Consolidated:
    labels: dict[int, Labeled] = field(default_factory=dict)
    """Object id -> (label, metadata)."""
    files: dict[str, bytes] = field(default_factory=dict)
    """URI -> content the labels refer to (segmentation masks), to be stored before the labels."""
    failures: dict[int, str] = field(default_factory=dict)
    """Object id -> why it could not be consolidated (a worker's unreadable mask, say)."""
    workers: list[WorkerRow] = field(default_factory=list)


def check_algorithm(algorithm: str | None, shape: str) -> None:
    """Refuse an unknown algorithm, or one given for a task type that has no choice of algorithm."""
    if algorithm is None:
        return
    if algorithm not in ALGORITHMS:
        raise InvalidInput.one("algorithm", "is not a known algorithm", value=algorithm,
                               hint=f"Use one of {', '.join(ALGORITHMS)}")
    if algorithm != DEFAULT_ALGORITHM and shape not in ("single", "verification"):
        raise InvalidInput.one("algorithm", "applies to single-label classification and verification only",
                               value=algorithm, hint="Leave the algorithm out for this task type")


def consolidate(answers: AnswerSet, context: Context, *, objects: Collection[int] | None = None) -> Consolidated:
    """Consolidate every answered object, or only ``objects`` (the model still learns from every answer)."""
    check_algorithm(context.algorithm, answers.task.shape)
    if not answers.answers:
        return Consolidated()
    run = {"single": _single, "verification": _verification, "multi": _multi, "boxes": _boxes,
           "spans": _spans, "mask": _masks}[answers.task.shape]
    result = run(answers, answers.classes(), context)
    if answers.task.review == "adjustment":
        modified = {o for (o, _), flag in answers.modified.items() if flag}
        result.labels = {o: builtin_labels.with_adjustment_status(labeled, o in modified)
                         for o, labeled in result.labels.items()}
    if objects is not None:
        wanted = set(objects)
        result.labels = {o: v for o, v in result.labels.items() if o in wanted}
        result.failures = {o: v for o, v in result.failures.items() if o in wanted}
        keep = {v[0] for v in result.labels.values() if isinstance(v[0], str)}
        result.files = {uri: data for uri, data in result.files.items() if uri in keep}
    return result


def _classifier(context: Context) -> ClassAggregator:
    return ALGORITHMS[context.algorithm or DEFAULT_ALGORITHM]()


def _single(answers: AnswerSet, classes: Sequence[str], context: Context) -> Consolidated:
    table = CategoricalAnswers.from_triples(((o, w, v) for (o, w), v in answers.answers.items()), classes)
    model = _classifier(context).fit(table)
    # Ground Truth's confidence rules whatever the model: two decimals, 0 for one worker (spec 7.4).
    confidence = round_confidence(model.confidence_, None, table.answers_per_object, 0.0)
    labels = {int(object_id): builtin_labels.single_label(
        answers.task, int(model.labels_[i]), classes[int(model.labels_[i])], float(confidence[i]),
        job_name=context.job_name, created=context.created) for i, object_id in enumerate(table.object_ids)}
    agrees = (table.answers == model.labels_[table.objects]).astype(np.float64)
    return Consolidated(labels, workers=_report(table.worker_ids, table.workers, agrees, model.worker_quality_))


def _verification(answers: AnswerSet, classes: Sequence[str], context: Context) -> Consolidated:
    table = CategoricalAnswers.from_triples(((o, w, v) for (o, w), v in answers.answers.items()), classes)
    comments = ((o, w, text) for (o, w), text in answers.comments.items())
    aggregator = _classifier(context)
    model = LabelVerification(aggregator).fit(table, comments)
    confidence = round_confidence(model.confidence_, None, table.answers_per_object, 0.0)
    labels = {int(object_id): builtin_labels.label_verification(
        answers.task, int(model.labels_[i]), model.class_names_[i], float(confidence[i]),
        [c["comment"] for c in model.worker_feedback_[i]], job_name=context.job_name, created=context.created)
        for i, object_id in enumerate(table.object_ids)}
    agrees = (table.answers == model.labels_[table.objects]).astype(np.float64)
    return Consolidated(labels, workers=_report(table.worker_ids, table.workers, agrees, aggregator.worker_quality_))


def _multi(answers: AnswerSet, classes: Sequence[str], context: Context) -> Consolidated:
    table = MultiLabelAnswers.from_sets(((o, w, v) for (o, w), v in answers.answers.items()), classes)
    model = MultiLabelDawidSkene().fit(table)
    labels = {int(object_id): builtin_labels.multi_label(answers.task, confidence_map, classes,
                                                         job_name=context.job_name, created=context.created)
              for object_id, confidence_map in zip(table.object_ids, model.confidence_maps())}
    # Agreement: the share of the labels on which the worker's yes/no matches the consolidated set.
    agrees = (table.selected == model.selected_[table.objects]).mean(axis=1)
    return Consolidated(labels, workers=_report(table.worker_ids, table.workers, agrees, model.worker_quality_))


@dataclass(frozen=True)
class _Rows:
    """The shapes of all answers flattened to one row each, with integer objects, workers and classes."""

    worker_ids: tuple[str, ...]
    objects: np.ndarray
    workers: np.ndarray
    classes: np.ndarray
    items: list[Any]
    responded: tuple[np.ndarray, np.ndarray]
    """(object, worker) of every answer, empty ones included."""


def _rows(answers: AnswerSet, classes: Sequence[str]) -> _Rows:
    worker_ids = tuple(sorted({w for _, w in answers.answers}))
    worker_index = {w: i for i, w in enumerate(worker_ids)}
    class_index = {c: i for i, c in enumerate(classes)}
    objects, workers, labels, items = [], [], [], []
    for (o, w), shapes in answers.answers.items():
        for shape in shapes:
            objects.append(o)
            workers.append(worker_index[w])
            labels.append(class_index[shape[0]])
            items.append(shape[1:])
    pairs = np.array([(o, worker_index[w]) for o, w in answers.answers], dtype=np.int64).reshape(-1, 2)
    return _Rows(worker_ids, np.array(objects, dtype=np.int64), np.array(workers, dtype=np.int64),
                 np.array(labels, dtype=np.int64), items, (pairs[:, 0], pairs[:, 1]))


def _boxes(answers: AnswerSet, classes: Sequence[str], context: Context) -> Consolidated:
    rows = _rows(answers, classes)
    model = BoxConsolidator().fit(rows.objects, rows.workers, [item[0] for item in rows.items], rows.classes,
                                  responded=rows.responded)
    per_object: dict[int, list[Box]] = {int(o): [] for o, _ in answers.answers}
    for o, box, label, confidence in zip(model.objects_, model.boxes_, model.labels_, model.confidence_):
        left, top, width, height = (int(round(float(v))) for v in box)
        per_object[int(o)].append(Box(int(label), left, top, width, height, round(float(confidence), 2)))
    labels = {o: builtin_labels.bounding_boxes(answers.task, boxes, answers.image_sizes.get(o), classes,
                                               job_name=context.job_name, created=context.created)
              for o, boxes in per_object.items()}
    return Consolidated(labels, workers=_shape_report(rows, model.cluster_, model.labels_, model.worker_quality_))


def _spans(answers: AnswerSet, classes: Sequence[str], context: Context) -> Consolidated:
    rows = _rows(answers, classes)
    starts = np.array([item[0] for item in rows.items], dtype=np.int64)
    ends = np.array([item[1] for item in rows.items], dtype=np.int64)
    model = SpanConsolidator().fit(rows.objects, rows.workers, starts, ends, rows.classes, responded=rows.responded)
    per_object: dict[int, list[Entity]] = {int(o): [] for o, _ in answers.answers}
    for o, start, end, label, confidence in zip(model.objects_, model.starts_, model.ends_, model.labels_,
                                                model.confidence_):
        per_object[int(o)].append(Entity(classes[int(label)], int(start), int(end), round(float(confidence), 2)))
    label_objects = context.label_objects or [{"label": c} for c in classes]
    labels = {o: builtin_labels.named_entities(answers.task, entities, label_objects, job_name=context.job_name,
                                               created=context.created)
              for o, entities in per_object.items()}
    return Consolidated(labels, workers=_shape_report(rows, model.cluster_, model.labels_))


def _shape_report(rows: _Rows, cluster: np.ndarray, labels: np.ndarray,
                  quality: np.ndarray | None = None) -> list[WorkerRow]:
    """Agreement: the share of the worker's shapes that went into a kept shape of the same label.

    ``quality`` is the model's estimate per worker; without one, the agreement stands in (0 for none).
    """
    kept = cluster >= 0
    same = np.zeros(len(cluster), dtype=bool)
    same[kept] = labels[cluster[kept]] == rows.classes[kept]
    n_shapes = np.bincount(rows.workers, minlength=len(rows.worker_ids))
    agreed = np.bincount(rows.workers, weights=same.astype(np.float64), minlength=len(rows.worker_ids))
    agreement = np.divide(agreed, n_shapes, out=np.zeros(len(n_shapes)), where=n_shapes > 0)
    quality = agreement if quality is None else quality
    answered = np.bincount(rows.responded[1], minlength=len(rows.worker_ids))
    return [WorkerRow(w, int(answered[i]), float(agreement[i]) if n_shapes[i] else None, float(quality[i]))
            for i, w in enumerate(rows.worker_ids)]


def _masks(answers: AnswerSet, classes: Sequence[str], context: Context) -> Consolidated:
    """Per image: decode each worker's PNG to class indexes (1-based; 0 background), vote, encode the result."""
    if context.mask_uri is None:
        raise ValueError("segmentation needs Context.mask_uri")
    colours = _label_colours(answers, classes)
    palette = {i + 1: colours[name] for i, name in enumerate(classes)}
    by_object: dict[int, list[tuple[str, MaskAnswer]]] = {}
    for (o, w), mask in sorted(answers.answers.items()):
        by_object.setdefault(o, []).append((w, mask))
    result = Consolidated()
    agreed: dict[str, list[float]] = {}
    for object_id, masks in by_object.items():
        try:
            stack = np.stack(_decoded(object_id, masks, classes, answers.image_sizes.get(object_id)))
        except _Unusable as exc:
            result.failures[object_id] = str(exc)
            continue
        voted, confidence = vote_mask(stack)
        uri = context.mask_uri(object_id)
        result.files[uri] = _png(rgb_from_labels(voted, palette))
        result.labels[object_id] = builtin_labels.semantic_segmentation(
            answers.task, uri, [(name, colours[name]) for name in classes], confidence,
            job_name=context.job_name, created=context.created)
        for (worker_id, _), labels in zip(masks, stack):
            agreed.setdefault(worker_id, []).append(float(np.mean(labels == voted)))
    result.workers = [WorkerRow(w, len(shares), float(np.mean(shares)), float(np.mean(shares)))
                      for w, shares in sorted(agreed.items())]
    return result


class _Unusable(Exception):
    """An image whose masks cannot be consolidated; the message is the object's failure reason."""


def _label_colours(answers: AnswerSet, classes: Sequence[str]) -> dict[str, str]:
    """Each label's colour: the one workers' answers gave it (first seen), else the default palette's."""
    given: dict[str, str] = {}
    for mask in answers.answers.values():
        for label, colour in mask.colours.items():
            given.setdefault(label, colour)
    return {name: given.get(name, PALETTE[i % len(PALETTE)]) for i, name in enumerate(classes)}


def _decoded(object_id: int, masks: list[tuple[str, MaskAnswer]], classes: Sequence[str],
             size: tuple[int, int] | None) -> list[np.ndarray]:
    index = {name: i + 1 for i, name in enumerate(classes)}
    decoded = []
    for worker_id, mask in masks:
        try:
            with Image.open(io.BytesIO(mask.png)) as image:
                pixels = np.asarray(image.convert("RGBA"))
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            raise _Unusable(f"worker {worker_id}'s mask is not a readable PNG ({exc})") from None
        height, width = pixels.shape[:2]
        if size is not None and (width, height) != size:
            raise _Unusable(f"worker {worker_id}'s mask is {width}x{height}, the image is {size[0]}x{size[1]}")
        if decoded and decoded[0].shape != (height, width):
            raise _Unusable(f"worker {worker_id}'s mask is {width}x{height}, another worker's is "
                            f"{decoded[0].shape[1]}x{decoded[0].shape[0]}")
        worker_palette = {index[label]: colour for label, colour in mask.colours.items()}
        decoded.append(labels_from_rgb(pixels, worker_palette).astype(np.uint8 if len(classes) < 255 else np.uint16))
    return decoded


def _png(rgb: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb, mode="RGB").save(out, format="PNG", compress_level=1)  # flat colours: fast and still small
    return out.getvalue()


def _report(worker_ids: Sequence[Any], workers: Any, agrees: Any, quality: Any) -> list[WorkerRow]:
    """One row per worker: answers, mean of ``agrees`` over them, the model's ``worker_quality_``."""
    count = np.bincount(workers, minlength=len(worker_ids))
    agreed = np.bincount(workers, weights=agrees, minlength=len(worker_ids))
    return [WorkerRow(str(w), int(count[i]), float(agreed[i] / count[i]), float(quality[i]))
            for i, w in enumerate(worker_ids)]
