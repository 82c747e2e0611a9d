"""Offline re-consolidation: the worker-response files of a Ground Truth-layout output -> an output manifest.

Reads ``worker-response/iteration-<N>/<datasetObjectId>/<stamp>.json`` files (spec 5.4) through
storage, so a crowdform job folder, a real Ground Truth job downloaded from S3, or the S3 folder
itself all work. Object ids are the input manifest's line positions (spec 1.2). A worker who
answered an object in several files counts once, with the answer of the latest file (by iteration,
then file name, which is the write time): that is the answer Ground Truth consolidated last.

Answers are taken from the built-in template's ``answerContent`` key (spec 5.3), or from the only
key there is, since custom templates of the same element name it freely.

``responses`` may instead be a table of answers, one (object, worker, answer) per row: a CSV file
with the header ``object,worker,answer`` or a JSON Lines file of ``{"object", "worker", "answer"}``
objects. The answer is the element's output (``{"label": ...}``, ``{"labels": [...]}``,
``{"boundingBoxes": [...], ...}``), a bare label for single-label classification, or a list of labels
for multi-label; in CSV a cell starting with ``{`` or ``[`` is read as JSON. As with files, a
repeated (object, worker) keeps the last row.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from crowdform.consolidation import (
    AwsDawidSkene,
    BoxConsolidator,
    CategoricalAnswers,
    DawidSkene,
    Glad,
    MajorityVote,
    MultiLabelAnswers,
    MultiLabelDawidSkene,
    OneCoinDawidSkene,
)
from crowdform.consolidation.aggregator import ClassAggregator
from crowdform.consolidation.answers import MAX_LISTED
from crowdform.consolidation.aws_dawid_skene import round_confidence
from crowdform.errors import InvalidInput, Problem
from crowdform.groundtruth import builtin_labels
from crowdform.groundtruth.builtin_labels import BUILTIN_TYPES, Box, BuiltinType
from crowdform.manifest.output_lines import output_line
from crowdform.manifest.reader import read_manifest
from crowdform.storage import Storage

ALGORITHMS: dict[str, Callable[[], ClassAggregator]] = {
    "dawid-skene": DawidSkene,
    "aws-dawid-skene": AwsDawidSkene,
    "one-coin": OneCoinDawidSkene,
    "glad": Glad,
    "majority-vote": MajorityVote,
}
DEFAULT_ALGORITHM = "dawid-skene"  # the most accurate on bench/ (docs/decisions.md, "Consolidation")

_TABLE_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
_TABLE_HINT = 'Write rows of object,worker,answer (CSV with that header) or {"object": 0, "worker": "w1", "answer": ...} lines'

# Relative to the folder given: the job folder, its annotations/ folder or worker-response/ itself.
_RESPONSE_FILE = re.compile(r"^(?:(?:annotations/)?worker-response/)?iteration-(\d+)/(\d+)/[^/]+\.json$")

Progress = Callable[[int, int], None]
"""Called with (files read, files in all) as the response files are read."""

Labeled = dict[int, tuple[Any, dict[str, Any]]]


@dataclass(frozen=True)
class Request:
    """What to re-consolidate and where to write it."""

    task_type: str
    responses: str
    manifest: str
    output: str
    job_name: str
    label_attribute: str
    labels: tuple[str, ...] | None = None
    algorithm: str | None = None
    worker_report: str | None = None


@dataclass(frozen=True)
class Summary:
    files: int
    objects: int
    workers: int
    lines: int


@dataclass(frozen=True)
class WorkerRow:
    worker_id: str
    answers: int
    agreement: float | None
    estimated_accuracy: float

    def to_json(self) -> str:
        return json.dumps({"workerId": self.worker_id, "answers": self.answers,
                           "agreement": None if self.agreement is None else round(self.agreement, 4),
                           "estimatedAccuracy": round(self.estimated_accuracy, 4)}, ensure_ascii=False)


@dataclass
class _Responses:
    """The answers read, one per (object, worker), and each image's size from ``inputImageProperties``."""

    answers: dict[tuple[int, str], Any]
    image_sizes: dict[int, tuple[int, int]]


def job_name_from(responses: str) -> str:
    """The job name a Ground Truth-layout folder implies: the job folder's name (spec 7.1); for a table, its file name."""
    parts = [p for p in responses.rstrip("/").split("/") if p]
    if parts and _table_kind(parts[-1]) is not None:
        return parts[-1][:parts[-1].rfind(".")]
    if len(parts) >= 3 and parts[-1] == "worker-response" and parts[-2] == "annotations":
        return parts[-3]
    if len(parts) >= 2 and parts[-1] == "annotations":
        return parts[-2]
    return parts[-1] if parts else "labeling-job"


def reconsolidate(storage: Storage, request: Request, *, created: datetime,
                  progress: Progress | None = None) -> Summary:
    """Consolidate the responses, write the output manifest (and the worker report); see the module docstring."""
    task = _task_type(request.task_type)
    if request.algorithm is not None and request.algorithm not in ALGORITHMS:
        raise InvalidInput.one("--algorithm", "is not a known algorithm", value=request.algorithm,
                               hint=f"Use one of {', '.join(ALGORITHMS)}")
    if request.algorithm not in (None, DEFAULT_ALGORITHM) and task.shape != "single":
        raise InvalidInput.one("--algorithm", f"applies to single-label classification, not {request.task_type}",
                               value=request.algorithm, hint="Leave --algorithm out for this task type")
    lines = list(read_manifest(storage.iter_lines(request.manifest), source=request.manifest))
    table = _table_kind(request.responses)
    if table is not None:
        files = [(1, 0, storage.normalize(request.responses))]
        read = _read_table(storage.read_text(request.responses), table, files[0][2], task, request.labels, len(lines))
        if progress is not None:
            progress(1, 1)
    else:
        files = _response_files(storage, request.responses)
        read = _read_responses(storage, files, task, request.labels, len(lines), progress)
    if not read.answers:
        raise InvalidInput.one(request.responses, "holds no worker answers",
                               hint="Give a job's output folder, its annotations/ folder or its worker-response/ folder")
    classes = request.labels or _classes_answered(read.answers.values(), task)
    consolidate = {"single": _single, "multi": _multi, "boxes": _boxes}[task.shape]
    labeled, report = consolidate(task, read, classes, request, created)

    out = [output_line(line.text, request.label_attribute, *labeled[line.position])
           if line.position in labeled else line.text for line in lines]
    storage.write_bytes(request.output, "".join(text + "\n" for text in out).encode("utf-8"),
                        content_type="application/jsonlines")
    if request.worker_report is not None:
        storage.write_bytes(request.worker_report, "".join(row.to_json() + "\n" for row in report).encode("utf-8"),
                            content_type="application/jsonlines")
    return Summary(files=len(files), objects=len(labeled), workers=len(report), lines=len(lines))


def _task_type(name: str) -> BuiltinType:
    if name not in BUILTIN_TYPES:
        raise InvalidInput.one("--task-type", "is not a supported task type", value=name,
                               hint=f"Use one of {', '.join(BUILTIN_TYPES)}")
    return BUILTIN_TYPES[name]


def _response_files(storage: Storage, responses: str) -> list[tuple[int, int, str]]:
    """(iteration, object id, URI) of every worker-response file under ``responses``, oldest first."""
    base = storage.normalize(responses).rstrip("/") + "/"
    found = []
    for uri in storage.list(responses):
        match = _RESPONSE_FILE.match(uri[len(base):])
        if match:
            found.append((int(match[1]), int(match[2]), uri))
    return sorted(found)


def _read_responses(storage: Storage, files: list[tuple[int, int, str]], task: BuiltinType,
                    labels: Sequence[str] | None, n_lines: int, progress: Progress | None) -> _Responses:
    read = _Responses({}, {})
    for done, (_, object_id, uri) in enumerate(files, start=1):
        if object_id >= n_lines:
            raise InvalidInput.one(uri, f"object id {object_id} is not a line of the manifest, which has {n_lines}",
                                   hint="Give the input manifest of the job these responses belong to")
        _read_file(uri, storage.read_bytes(uri), object_id, task, labels, read)
        if progress is not None:
            progress(done, len(files))
    return read


def _read_file(uri: str, data: bytes, object_id: int, task: BuiltinType, labels: Sequence[str] | None,
               read: _Responses) -> None:
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput.one(uri, f"is not valid JSON: {exc}", hint="A worker-response file holds {\"answers\": [...]}") from None
    answers = document.get("answers") if isinstance(document, dict) else None
    if not isinstance(answers, list):
        raise InvalidInput.one(uri, "must be an array", field="answers", value=answers,
                               hint="A worker-response file holds {\"answers\": [...]}")
    problems: list[Problem] = []
    for i, answer in enumerate(answers):
        where = f"answers[{i}]"
        if not isinstance(answer, dict) or not isinstance(answer.get("workerId"), str):
            problems.append(Problem("must be an object with a workerId string", field=f"{where}.workerId",
                                    value=answer.get("workerId") if isinstance(answer, dict) else answer))
            continue
        try:
            value = _answer_value(answer.get("answerContent"), task, labels, f"{where}.answerContent")
        except _Bad as bad:
            problems.append(bad.problem)
            continue
        read.answers[(object_id, answer["workerId"])] = value
        if task.shape == "boxes":
            size = _image_size(answer["answerContent"])
            if size is not None:
                read.image_sizes.setdefault(object_id, size)
    if problems:
        raise InvalidInput(uri, problems)


def _table_kind(uri: str) -> str | None:
    """``csv`` or ``jsonl`` when ``uri`` names an answer table (by its suffix), else None (a folder)."""
    name = uri.rstrip("/").rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return _TABLE_SUFFIXES.get(name[dot:].lower()) if dot > 0 else None


def _read_table(text: str, kind: str, uri: str, task: BuiltinType, labels: Sequence[str] | None,
                n_lines: int) -> _Responses:
    """The rows of a CSV or JSON Lines answer table (see the module docstring)."""
    read = _Responses({}, {})
    problems: list[Problem] = []
    for line, row in _table_rows(text, kind, uri):
        try:
            object_id = _table_object(row.get("object"), n_lines)
            worker = row.get("worker")
            if not isinstance(worker, str) or not worker:
                raise _Bad(Problem("must be a worker id", field="worker", value=worker))
            content = {"answer": _table_answer(row.get("answer"), task)}
            read.answers[(object_id, worker)] = _answer_value(content, task, labels, "")
        except _Bad as bad:
            bad.problem.line = line
            problems.append(bad.problem)
            continue
        if task.shape == "boxes":
            size = _image_size(content)
            if size is not None:
                read.image_sizes.setdefault(object_id, size)
    if problems:
        raise InvalidInput(uri, problems[:MAX_LISTED], total=len(problems) if len(problems) > MAX_LISTED else None)
    return read


def _table_rows(text: str, kind: str, uri: str) -> list[tuple[int, dict[str, Any]]]:
    text = text.removeprefix("\ufeff")
    if kind == "csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if reader.fieldnames is None or not {"object", "worker", "answer"} <= set(reader.fieldnames):
            raise InvalidInput.one(uri, "needs the header object,worker,answer", value=reader.fieldnames, hint=_TABLE_HINT)
        return [(reader.line_num, dict(row)) for row in reader]
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise InvalidInput.one(uri, f"is not valid JSON: {exc}", line=number, hint=_TABLE_HINT) from None
        if not isinstance(row, dict):
            raise InvalidInput.one(uri, "must be a JSON object", line=number, value=row, hint=_TABLE_HINT)
        rows.append((number, row))
    return rows


def _table_object(value: Any, n_lines: int) -> int:
    """A table's object id: a manifest line position, as a number or (in CSV) its text."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < n_lines:
        raise _Bad(Problem(f"must be a line position of the manifest, 0 to {n_lines - 1}", field="object", value=value))
    return value


def _table_answer(value: Any, task: BuiltinType) -> Any:
    """A table's answer as the element would have written it: JSON text decoded, the short forms expanded."""
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise _Bad(Problem(f"is not valid JSON: {exc}", field="answer", value=value)) from None
    if isinstance(value, str) and task.shape == "single":
        return {"label": value}
    if isinstance(value, list) and task.shape == "multi":
        return {"labels": value}
    return value


class _Bad(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def _answer_value(content: Any, task: BuiltinType, labels: Sequence[str] | None, where: str) -> Any:
    """The answer as consolidation takes it: a label, a list of labels, or a list of (label, box) pairs."""
    if not isinstance(content, dict):
        raise _Bad(Problem("must be an object", field=where, value=content))
    if task.answer_key in content:
        key = task.answer_key
    elif len(content) == 1:
        key = next(iter(content))
    else:
        raise _Bad(Problem(f"has no {task.answer_key!r} key and more than one other", field=where,
                           value=sorted(content), hint="Answers must come from one element"))
    value, at = content[key], f"{where}.{key}" if where else key
    if task.shape == "single":
        label = value.get("label") if isinstance(value, dict) else None
        return _known(label, labels, f"{at}.label")
    if task.shape == "multi":
        chosen = value.get("labels") if isinstance(value, dict) else None
        if not isinstance(chosen, list):
            raise _Bad(Problem("must be an array of labels", field=f"{at}.labels", value=chosen))
        return [_known(label, labels, f"{at}.labels[{j}]") for j, label in enumerate(chosen)]
    boxes = value.get("boundingBoxes") if isinstance(value, dict) else None
    if not isinstance(boxes, list):
        raise _Bad(Problem("must be an array of boxes", field=f"{at}.boundingBoxes", value=boxes))
    return [_box(box, labels, f"{at}.boundingBoxes[{j}]") for j, box in enumerate(boxes)]


def _known(label: Any, labels: Sequence[str] | None, field: str) -> str:
    if not isinstance(label, str):
        raise _Bad(Problem("must be a label string", field=field, value=label))
    if labels is not None and label not in labels:
        raise _Bad(Problem("is not in the label list", field=field, value=label,
                           hint=f"Expected one of {list(labels)}, or give the job's --labels file"))
    return label


def _box(box: Any, labels: Sequence[str] | None, field: str) -> tuple[str, tuple[float, float, float, float]]:
    if not isinstance(box, dict):
        raise _Bad(Problem("must be an object", field=field, value=box))
    numbers = []
    for key in ("left", "top", "width", "height"):
        number = box.get(key)
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not np.isfinite(number):
            raise _Bad(Problem("must be a number", field=f"{field}.{key}", value=number))
        numbers.append(float(number))
    if numbers[2] < 0 or numbers[3] < 0:
        raise _Bad(Problem("width and height must not be negative", field=field, value=box))
    return _known(box.get("label"), labels, f"{field}.label"), (numbers[0], numbers[1], numbers[2], numbers[3])


def _image_size(content: dict[str, Any]) -> tuple[int, int] | None:
    for value in content.values():
        props = value.get("inputImageProperties") if isinstance(value, dict) else None
        if isinstance(props, dict) and all(isinstance(props.get(k), int) for k in ("width", "height")):
            return props["width"], props["height"]
    return None


def _classes_answered(values: Any, task: BuiltinType) -> tuple[str, ...]:
    """Without a label file, the classes are the labels workers gave, sorted."""
    if task.shape == "single":
        return tuple(sorted(set(values)))
    if task.shape == "multi":
        return tuple(sorted({label for chosen in values for label in chosen}))
    return tuple(sorted({label for boxes in values for label, _ in boxes}))


def _single(task: BuiltinType, read: _Responses, classes: Sequence[str], request: Request,
            created: datetime) -> tuple[Labeled, list[WorkerRow]]:
    answers = CategoricalAnswers.from_triples(((o, w, v) for (o, w), v in read.answers.items()), classes)
    model = ALGORITHMS[request.algorithm or DEFAULT_ALGORITHM]().fit(answers)
    # Ground Truth's confidence rules whatever the model: two decimals, 0 for one worker (spec 7.4).
    confidence = round_confidence(model.confidence_, None, answers.answers_per_object, 0.0)
    labeled = {int(object_id): builtin_labels.single_label(
        task, int(model.labels_[i]), classes[int(model.labels_[i])], float(confidence[i]),
        job_name=request.job_name, created=created) for i, object_id in enumerate(answers.object_ids)}
    agrees = (answers.answers == model.labels_[answers.objects]).astype(np.float64)
    return labeled, _report(answers.worker_ids, answers.workers, agrees, model.worker_quality_)


def _multi(task: BuiltinType, read: _Responses, classes: Sequence[str], request: Request,
           created: datetime) -> tuple[Labeled, list[WorkerRow]]:
    answers = MultiLabelAnswers.from_sets(((o, w, v) for (o, w), v in read.answers.items()), classes)
    model = MultiLabelDawidSkene().fit(answers)
    labeled = {int(object_id): builtin_labels.multi_label(task, confidence_map, classes, job_name=request.job_name,
                                                          created=created)
               for object_id, confidence_map in zip(answers.object_ids, model.confidence_maps())}
    # Agreement: the share of the labels on which the worker's yes/no matches the consolidated set.
    agrees = (answers.selected == model.selected_[answers.objects]).mean(axis=1)
    return labeled, _report(answers.worker_ids, answers.workers, agrees, model.worker_quality_)


def _boxes(task: BuiltinType, read: _Responses, classes: Sequence[str], request: Request,
           created: datetime) -> tuple[Labeled, list[WorkerRow]]:
    worker_ids = tuple(sorted({w for _, w in read.answers}))
    worker_index = {w: i for i, w in enumerate(worker_ids)}
    class_index = {c: i for i, c in enumerate(classes)}
    rows = [(o, worker_index[w], box, class_index[label])
            for (o, w), boxes in read.answers.items() for label, box in boxes]
    pairs = np.array([(o, worker_index[w]) for o, w in read.answers], dtype=np.int64).reshape(-1, 2)
    model = BoxConsolidator().fit([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
                                  [r[3] for r in rows], responded=(pairs[:, 0], pairs[:, 1]))
    per_object: dict[int, list[Box]] = {int(o): [] for o, _ in read.answers}
    for o, box, label, confidence in zip(model.objects_, model.boxes_, model.labels_, model.confidence_):
        left, top, width, height = (int(round(float(v))) for v in box)
        per_object[int(o)].append(Box(int(label), left, top, width, height, round(float(confidence), 2)))
    labeled = {o: builtin_labels.bounding_boxes(task, boxes, read.image_sizes.get(o), classes,
                                                job_name=request.job_name, created=created)
               for o, boxes in per_object.items()}
    drawn = np.array([r[1] for r in rows], dtype=np.int64)
    kept = model.cluster_ >= 0
    same_label = np.zeros(len(rows), dtype=bool)
    same_label[kept] = model.labels_[model.cluster_[kept]] == np.array([r[3] for r in rows], dtype=np.int64)[kept]
    n_boxes = np.bincount(drawn, minlength=len(worker_ids))
    agreed = np.bincount(drawn, weights=same_label.astype(np.float64), minlength=len(worker_ids))
    answered = np.bincount(pairs[:, 1], minlength=len(worker_ids))
    # Agreement: the share of the worker's boxes that went into a kept box of the same label.
    return labeled, [WorkerRow(w, int(answered[i]), float(agreed[i] / n_boxes[i]) if n_boxes[i] else None,
                               float(model.worker_quality_[i])) for i, w in enumerate(worker_ids)]


def _report(worker_ids: Sequence[Any], workers: Any, agrees: Any, quality: Any) -> list[WorkerRow]:
    """One row per worker: answers, mean of ``agrees`` over them, the model's ``worker_quality_``."""
    count = np.bincount(workers, minlength=len(worker_ids))
    agreed = np.bincount(workers, weights=agrees, minlength=len(worker_ids))
    return [WorkerRow(str(w), int(count[i]), float(agreed[i] / count[i]), float(quality[i]))
            for i, w in enumerate(worker_ids)]
