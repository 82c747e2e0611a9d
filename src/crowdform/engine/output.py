"""Write the job's output manifest and the per-iteration intermediate manifests.

Both are derived from the database and rewritten whole and atomically, so they can always be rebuilt
and a reader never sees half a file. The output manifest streams rows in manifest order and is
written in chunks, so a million-line job needs little memory.
"""

from __future__ import annotations

import json
from typing import Iterator

from sqlalchemy import select

from crowdform.engine.jobs import JobRow
from crowdform.engine.runtime import Runtime
from crowdform.engine.states import ObjectState
from crowdform.manifest.output_lines import output_line
from crowdform.store.models import DataObject

CHUNK_LINES = 2_000
FETCH_ROWS = 10_000


def write_output_manifest(runtime: Runtime, job: JobRow) -> str:
    """Rewrite ``manifests/output/output.manifest``: one line per input line, labels where they exist."""
    uri = job.layout.output_manifest
    runtime.storage.write_stream(uri, _output_chunks(runtime, job), content_type="application/jsonl")
    return uri


def _output_chunks(runtime: Runtime, job: JobRow) -> Iterator[bytes]:
    lan = job.label_attribute_name
    last = -1
    while True:
        # Keyset pagination rather than one long cursor: no read transaction stays open for the whole file.
        with runtime.database.read() as connection:
            rows = connection.execute(
                select(DataObject.position, DataObject.line, DataObject.label)
                .where(DataObject.job_id == job.id, DataObject.position > last)
                .order_by(DataObject.position).limit(FETCH_ROWS)
            ).all()
        if not rows:
            return
        for start in range(0, len(rows), CHUNK_LINES):
            lines = []
            for _, line, label in rows[start:start + CHUNK_LINES]:
                if label is None:
                    lines.append(line)
                else:
                    value, metadata = json.loads(label)
                    lines.append(output_line(line, lan, value, metadata))
            yield ("\n".join(lines) + "\n").encode("utf-8")
        last = rows[-1].position


def write_intermediate(runtime: Runtime, job: JobRow, iteration: int) -> str:
    """Rewrite ``annotations/intermediate/<N>/annotations.json`` with the labels of that iteration so far."""
    lan = job.label_attribute_name
    with runtime.database.read() as connection:
        rows = connection.execute(
            select(DataObject.position, DataObject.line, DataObject.label)
            .where(DataObject.job_id == job.id, DataObject.iteration == iteration,
                   DataObject.state == ObjectState.LABELED)
            .order_by(DataObject.position)
        ).all()
    records = []
    for position, line, label in rows:
        data = json.loads(line)
        value, metadata = json.loads(str(label))  # LABELED rows always carry a label
        records.append(json.dumps({
            "datasetObjectId": str(position),
            "inputAttribute": data.get("source-ref", data.get("source")),
            lan: value,
            f"{lan}-metadata": metadata,
        }, ensure_ascii=False))
    uri = job.layout.intermediate(iteration)
    runtime.storage.write_bytes(uri, ("\n".join(records) + "\n").encode("utf-8") if records else b"",
                                content_type="application/jsonl")
    return uri
