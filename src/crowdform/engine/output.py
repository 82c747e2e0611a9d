"""Write the job's output manifest and the per-iteration intermediate manifests.

Both are derived from the database and rewritten whole and atomically, so they can always be rebuilt
and a reader never sees half a file. The output manifest streams rows in manifest order and is
written in chunks, so a million-line job needs little memory.

Labeled lines are built from the stored texts: the input line is re-encoded, and the label's value
and metadata JSON texts are spliced in as consolidation stored them rather than decoded and encoded
again (:func:`crowdform.manifest.output_lines.labeled_line_maker`); the bytes are the same. Rows are
read through the DBAPI cursor, as plain tuples.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from sqlalchemy import Connection

from crowdform.engine.jobs import JobRow
from crowdform.engine.runtime import Runtime
from crowdform.engine.states import ObjectState
from crowdform.manifest.codec import decode, encode
from crowdform.manifest.output_lines import labeled_line_maker, split_label_text

CHUNK_LINES = 2_000
FETCH_ROWS = 10_000

# Read through the DBAPI cursor: SQLAlchemy's per-row work would cost as much as building the line.
# "?" is the parameter mark here; _fetch makes it psycopg's "%s" on PostgreSQL.
_PAGE_SQL = ("SELECT position, line, label FROM data_objects WHERE job_id = ? AND position > ? "
             "ORDER BY position LIMIT ?")
_ITERATION_SQL = ("SELECT position, line, label FROM data_objects WHERE job_id = ? AND iteration = ? "
                  "AND state = ? ORDER BY position")


def write_output_manifest(runtime: Runtime, job: JobRow) -> str:
    """Rewrite ``manifests/output/output.manifest``: one line per input line, labels where they exist."""
    uri = job.layout.output_manifest
    runtime.storage.write_stream(uri, _output_chunks(runtime, job), content_type="application/jsonl")
    return uri


def _output_chunks(runtime: Runtime, job: JobRow) -> Iterator[bytes]:
    labeled_line = labeled_line_maker(job.label_attribute_name)
    last = -1
    while True:
        # Keyset pagination rather than one long cursor: no read transaction stays open for the whole file.
        with runtime.database.read() as connection:
            rows = _fetch(connection, _PAGE_SQL, (job.id, last, FETCH_ROWS))
        if not rows:
            return
        for start in range(0, len(rows), CHUNK_LINES):
            lines = [line if label is None else labeled_line(line, label)
                     for _, line, label in rows[start:start + CHUNK_LINES]]
            lines.append("")
            yield "\n".join(lines).encode("utf-8")
        last = rows[-1][0]


def _fetch(connection: Connection, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """Rows as plain tuples from the DBAPI cursor of this connection (no SQLAlchemy Row objects)."""
    if connection.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")  # psycopg
    dbapi_connection: Any = connection.connection.dbapi_connection  # in this connection's transaction
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    finally:
        cursor.close()
    return rows


def write_intermediate(runtime: Runtime, job: JobRow, iteration: int) -> str:
    """Rewrite ``annotations/intermediate/<N>/annotations.json`` with the labels of that iteration so far."""
    lan = job.label_attribute_name
    with runtime.database.read() as connection:
        rows = _fetch(connection, _ITERATION_SQL, (job.id, iteration, ObjectState.LABELED))
    # The record's keys are fixed, so the label's texts can be spliced in (as for the output manifest)
    # unless the label attribute name is one of those keys.
    lan_keys = None if lan in ("datasetObjectId", "inputAttribute") else (
        ", " + encode(lan) + ": ", ", " + encode(lan + "-metadata") + ": ")
    records = []
    for position, line, label in rows:
        data = decode(line)
        parts = None if lan_keys is None else split_label_text(label)  # LABELED rows always carry a label
        if parts is not None and lan_keys is not None:
            records.append('{"datasetObjectId": ' + encode(str(position)) + ', "inputAttribute": '
                           + encode(data.get("source-ref", data.get("source"))) + lan_keys[0] + parts[0]
                           + lan_keys[1] + parts[1] + "}")
            continue
        value, metadata = json.loads(label)
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
