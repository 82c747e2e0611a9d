"""The output and intermediate manifests, written from the database by splicing stored JSON texts, are
byte for byte what decoding and re-encoding every line gives (on SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from sqlalchemy import select, update

from crowdform.engine import output
from crowdform.engine.jobs import JobRow
from crowdform.engine.output import write_intermediate, write_output_manifest
from crowdform.engine.runtime import Runtime
from crowdform.engine.states import ObjectState
from crowdform.store.models import DataObject
from tests.engine.test_ingest import TRICKY_LINES, create_job
from tests.helpers import open_runtime, team_with_workers

LABELS: list[tuple[Any, dict[str, Any]]] = [
    ({}, {"type": "groundtruth/custom", "job-name": "ingest-job", "human-annotated": "yes",
          "creation-date": "2026-11-26T01:02:03.456000", "worker-response-ref": "s3://b/o/r/0/x.json"}),
    ({"annotatedResult": {"boundingBoxes": [{"height": 38, "label": "eye", "left": 64, "top": 96, "width": 80},
                                            {"height": 53, "label": "nose", "left": 192, "top": 1, "width": 58}],
                          "inputImageProperties": {"height": 480, "width": 640}}},
     {"objects": [{"confidence": 0.5}, {"confidence": 1}], "class-map": {"0": "eye, {nose}"}}),
    ("x, {\"a\": 1}]", {"k": "v, {\"w\": [1, {}]}", "é": "東京 😀"}),
    (None, {}),
]


def local(uri: str) -> Path:
    return Path(urlparse(uri).path)


def seed_labels(runtime: Runtime, job: JobRow, every: int = 2) -> dict[int, str]:
    """Label every ``every``-th queued object as consolidation stores labels; returns position -> label text."""
    labels: dict[int, str] = {}
    with runtime.database.write() as connection:
        rows = connection.execute(select(DataObject.id, DataObject.position, DataObject.state).where(
            DataObject.job_id == job.id).order_by(DataObject.position)).all()
        for index, (object_id, position, state) in enumerate(rows):
            if state != ObjectState.QUEUED or index % every:
                continue
            value, metadata = LABELS[position % len(LABELS)]
            text = json.dumps([value, metadata], ensure_ascii=False)
            labels[position] = text
            connection.execute(update(DataObject).where(DataObject.id == object_id).values(
                label=text, state=ObjectState.LABELED, iteration=1, labeled_at=1.0))
    return labels


def reference_output(lines: list[str], labels: dict[int, str], lan: str) -> bytes:
    """What the writer did before splicing: json.loads the label, re-encode the merged line."""
    out = []
    for position, line in enumerate(lines):
        if position not in labels:
            out.append(line)
            continue
        value, metadata = json.loads(labels[position])
        data = json.loads(line)
        data[lan] = value
        data[lan + "-metadata"] = metadata
        out.append(json.dumps(data, ensure_ascii=False, allow_nan=False))
    return ("\n".join(out) + "\n").encode("utf-8")


def reference_intermediate(lines: list[str], labels: dict[int, str], lan: str) -> bytes:
    records = []
    for position, text in sorted(labels.items()):
        data = json.loads(lines[position])
        value, metadata = json.loads(text)
        records.append(json.dumps({"datasetObjectId": str(position),
                                   "inputAttribute": data.get("source-ref", data.get("source")),
                                   lan: value, f"{lan}-metadata": metadata}, ensure_ascii=False))
    return ("\n".join(records) + "\n").encode("utf-8") if records else b""


def many_lines(count: int) -> list[str]:
    data_lines = [line for line in TRICKY_LINES if line.strip()]
    return [data_lines[i % len(data_lines)] if i % 3 else json.dumps({"source-ref": f"s3://b/{i}.jpg"})
            for i in range(count)]


@pytest.mark.parametrize("fetch_rows,chunk_lines", [(10_000, 2_000), (7, 3), (1, 1)])
def test_output_manifest_is_the_re_encoded_lines_byte_for_byte(
        tmp_path: Path, database_url: str, fetch_rows: int, chunk_lines: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output, "FETCH_ROWS", fetch_rows)
    monkeypatch.setattr(output, "CHUNK_LINES", chunk_lines)
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 1)
    lines = many_lines(40)
    job = create_job(runtime, tmp_path, lines)
    labels = seed_labels(runtime, job)
    assert 10 < len(labels) < 40  # labeled, unlabeled and skipped (chained) lines
    uri = write_output_manifest(runtime, job)
    assert local(uri).read_bytes() == reference_output(lines, labels, job.label_attribute_name)
    runtime.close()


def test_a_job_without_labels_copies_its_lines_unchanged(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 1)
    lines = many_lines(12)
    job = create_job(runtime, tmp_path, lines)
    assert local(write_output_manifest(runtime, job)).read_bytes() == ("\n".join(lines) + "\n").encode("utf-8")
    runtime.close()


def test_intermediate_manifest_is_the_re_encoded_records_byte_for_byte(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 1)
    lines = many_lines(30)
    job = create_job(runtime, tmp_path, lines)
    labels = seed_labels(runtime, job)
    lan = job.label_attribute_name
    assert local(write_intermediate(runtime, job, 1)).read_bytes() == reference_intermediate(lines, labels, lan)
    assert local(write_intermediate(runtime, job, 2)).read_bytes() == b""  # no label in that iteration
    # A label attribute name equal to one of the record's own keys replaces that key's value in place.
    for name in ("datasetObjectId", "inputAttribute"):
        renamed = dataclasses.replace(job, label_attribute_name=name)
        assert local(write_intermediate(runtime, renamed, 1)).read_bytes() == reference_intermediate(
            lines, labels, name)
    runtime.close()
