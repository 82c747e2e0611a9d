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
``{"boundingBoxes": [...], ...}``, ``{"entities": [...]}``), a bare label for single-label
classification and verification, or a list of labels for multi-label; in CSV a cell starting with
``{`` or ``[`` is read as JSON. As with files, a repeated (object, worker) keeps the last row.

Semantic segmentation writes each consolidated mask beside the output manifest, under
``consolidated-annotation/output/<datasetObjectId>_<creation-date>.png`` as a job would (spec 7.5.5),
and the label is that file's URI.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from crowdform.builtin.answers import AnswerSet, BadAnswer
from crowdform.builtin.consolidate import Context, WorkerRow, check_algorithm, consolidate
from crowdform.consolidation.answers import MAX_LISTED
from crowdform.errors import InvalidInput, Problem
from crowdform.groundtruth.files import creation_date
from crowdform.groundtruth.task_types import BY_NAME, TaskType
from crowdform.manifest.output_lines import output_line
from crowdform.manifest.reader import read_manifest
from crowdform.storage import Storage

_TABLE_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
_TABLE_HINT = 'Write rows of object,worker,answer (CSV with that header) or {"object": 0, "worker": "w1", "answer": ...} lines'

# Relative to the folder given: the job folder, its annotations/ folder or worker-response/ itself.
_RESPONSE_FILE = re.compile(r"^(?:(?:annotations/)?worker-response/)?iteration-(\d+)/(\d+)/[^/]+\.json$")

Progress = Callable[[int, int], None]
"""Called with (files read, files in all) as the response files are read."""


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
    label_objects: tuple[Mapping[str, Any], ...] = ()
    """The label file's ``labels`` entries (named entities repeat them, display names included)."""
    algorithm: str | None = None
    worker_report: str | None = None


@dataclass(frozen=True)
class Summary:
    files: int
    objects: int
    workers: int
    lines: int


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
    try:
        check_algorithm(request.algorithm, task.shape)
    except InvalidInput as exc:
        raise InvalidInput("--algorithm", exc.problems) from None
    lines = list(read_manifest(storage.iter_lines(request.manifest), source=request.manifest))
    read = AnswerSet(task, request.labels)
    table = _table_kind(request.responses)
    if table is not None:
        files = [(1, 0, storage.normalize(request.responses))]
        _read_table(storage.read_text(request.responses), table, files[0][2], read, len(lines))
        if progress is not None:
            progress(1, 1)
    else:
        files = _response_files(storage, request.responses)
        _read_responses(storage, files, read, len(lines), progress)
    if not read.answers:
        raise InvalidInput.one(request.responses, "holds no worker answers",
                               hint="Give a job's output folder, its annotations/ folder or its worker-response/ folder")
    masks = request.output.rsplit("/", 1)[0] + "/" if "/" in request.output else ""
    context = Context(job_name=request.job_name, created=created, algorithm=request.algorithm,
                      label_objects=request.label_objects,
                      mask_uri=lambda o: f"{masks}consolidated-annotation/output/{o}_{creation_date(created)}.png")
    result = consolidate(read, context)
    if result.failures:
        raise InvalidInput(request.responses, [Problem(reason, field=f"object {o}")
                                               for o, reason in sorted(result.failures.items())][:MAX_LISTED])
    for uri, data in result.files.items():
        storage.write_bytes(uri, data, content_type="image/png")
    labeled = result.labels
    out = [output_line(line.text, request.label_attribute, *labeled[line.position])
           if line.position in labeled else line.text for line in lines]
    storage.write_bytes(request.output, "".join(text + "\n" for text in out).encode("utf-8"),
                        content_type="application/jsonlines")
    if request.worker_report is not None:
        storage.write_bytes(request.worker_report,
                            "".join(row.to_json() + "\n" for row in result.workers).encode("utf-8"),
                            content_type="application/jsonlines")
    return Summary(files=len(files), objects=len(labeled), workers=len(result.workers), lines=len(lines))


def _task_type(name: str) -> TaskType:
    if name not in BY_NAME:
        raise InvalidInput.one("--task-type", "is not a supported task type", value=name,
                               hint=f"Use one of {', '.join(BY_NAME)}")
    return BY_NAME[name]


def _response_files(storage: Storage, responses: str) -> list[tuple[int, int, str]]:
    """(iteration, object id, URI) of every worker-response file under ``responses``, oldest first."""
    base = storage.normalize(responses).rstrip("/") + "/"
    found = []
    for uri in storage.list(responses):
        match = _RESPONSE_FILE.match(uri[len(base):])
        if match:
            found.append((int(match[1]), int(match[2]), uri))
    return sorted(found)


def _read_responses(storage: Storage, files: list[tuple[int, int, str]], read: AnswerSet, n_lines: int,
                    progress: Progress | None) -> None:
    for done, (_, object_id, uri) in enumerate(files, start=1):
        if object_id >= n_lines:
            raise InvalidInput.one(uri, f"object id {object_id} is not a line of the manifest, which has {n_lines}",
                                   hint="Give the input manifest of the job these responses belong to")
        _read_file(uri, storage.read_bytes(uri), object_id, read)
        if progress is not None:
            progress(done, len(files))


def _read_file(uri: str, data: bytes, object_id: int, read: AnswerSet) -> None:
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
            read.add(object_id, answer["workerId"], answer.get("answerContent"), f"{where}.answerContent")
        except BadAnswer as bad:
            problems.append(bad.problem)
    if problems:
        raise InvalidInput(uri, problems)


def _table_kind(uri: str) -> str | None:
    """``csv`` or ``jsonl`` when ``uri`` names an answer table (by its suffix), else None (a folder)."""
    name = uri.rstrip("/").rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return _TABLE_SUFFIXES.get(name[dot:].lower()) if dot > 0 else None


def _read_table(text: str, kind: str, uri: str, read: AnswerSet, n_lines: int) -> None:
    """The rows of a CSV or JSON Lines answer table (see the module docstring)."""
    problems: list[Problem] = []
    for line, row in _table_rows(text, kind, uri):
        try:
            object_id = _table_object(row.get("object"), n_lines)
            worker = row.get("worker")
            if not isinstance(worker, str) or not worker:
                raise BadAnswer(Problem("must be a worker id", field="worker", value=worker))
            read.add(object_id, worker, {"answer": _table_answer(row.get("answer"), read.task)}, "")
        except BadAnswer as bad:
            bad.problem.line = line
            problems.append(bad.problem)
    if problems:
        raise InvalidInput(uri, problems[:MAX_LISTED], total=len(problems) if len(problems) > MAX_LISTED else None)


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
        raise BadAnswer(Problem(f"must be a line position of the manifest, 0 to {n_lines - 1}", field="object",
                                value=value))
    return value


def _table_answer(value: Any, task: TaskType) -> Any:
    """A table's answer as the element would have written it: JSON text decoded, the short forms expanded."""
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise BadAnswer(Problem(f"is not valid JSON: {exc}", field="answer", value=value)) from None
    if isinstance(value, str) and task.shape in ("single", "verification"):
        return {"label": value}
    if isinstance(value, list) and task.shape == "multi":
        return {"labels": value}
    return value
