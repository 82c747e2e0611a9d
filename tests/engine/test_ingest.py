"""Ingest: every good manifest line becomes one data object with its text unchanged, on SQLite
(``executemany``) and PostgreSQL (``COPY``); a bad line anywhere leaves nothing of the job behind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from crowdform.demo import prepare_example
from crowdform.engine import ingest
from crowdform.engine.jobs import JobRow, Jobs
from crowdform.engine.runtime import Runtime
from crowdform.errors import InvalidInput
from crowdform.groundtruth.job_request import parse_create_labeling_job
from crowdform.store.models import DataObject, Job
from tests.helpers import open_runtime, team_with_workers

LAN = "animal-faces"

# Texts that COPY's text format must escape (tab, carriage return, backslash, its \N null marker),
# non-ASCII, whitespace around the object, a chained job's labeled line and a long line.
TRICKY_LINES = [
    '{"source-ref": "s3://b/img/000001.jpg"}',
    '{"source":\t"tab\\tescaped",\t"x": 1}',
    '{"source": "back\\\\slash \\\\N \\n \\u0001 \\"q\\" \\\\."}',  # (NUL is refused: no database text holds it)
    '{"source":\r"carriage return inside"}',
    '{"source": "é 東京 😀 \u2028"}',
    '  {"source": "whitespace around"}  ',
    "",  # blank lines are skipped and get no position
    "   \t",
    '{"source": "chained", "animal-faces": {"k": 1}, "animal-faces-metadata": {"type": "x"}}',
    '{"source": "only the label", "animal-faces": 1}',
    '{"source": "' + "long " * 3_900 + '"}',
    '{"source-ref": "s3://b/img/000002.jpg", "nested": {"a": [1, {"b": null}], "c": "\\\\\\t"}}',
]


def create_job(runtime: Runtime, tmp_path: Path, lines: list[str], *, name: str = "ingest-job",
               progress: Any = None) -> JobRow:
    folder = prepare_example(tmp_path / "example")
    (folder / "manifest.jsonl").write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    request = json.loads((folder / "request.json").read_text())
    request["LabelingJobName"] = name
    spec = parse_create_labeling_job(request, source="test request")
    return Jobs(runtime).create(spec, base_dir=folder, progress=progress)


def stored_objects(runtime: Runtime, job_id: int | None = None) -> list[tuple[Any, ...]]:
    with runtime.database.read() as connection:
        query = select(DataObject.position, DataObject.line, DataObject.state, DataObject.slots_taken,
                       DataObject.answers, DataObject.declines, DataObject.attempts, DataObject.iteration,
                       DataObject.label, DataObject.task_input).order_by(DataObject.job_id, DataObject.position)
        if job_id is not None:
            query = query.where(DataObject.job_id == job_id)
        return [tuple(row) for row in connection.execute(query).all()]


def test_lines_are_stored_exactly_as_given(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 1)
    job = create_job(runtime, tmp_path, TRICKY_LINES)
    data_lines = [line for line in TRICKY_LINES if line.strip()]
    assert job.object_count == len(data_lines) == 10
    expected = [(position, line, "skipped" if position == 6 else "queued", 0, 0, 0, 0, None, None, None)
                for position, line in enumerate(data_lines)]
    assert stored_objects(runtime, job.id) == expected
    runtime.close()


@pytest.mark.parametrize("batch", [1, 3, 10, 5_000])
def test_progress_is_reported_per_batch_and_adds_up(tmp_path: Path, database_url: str, batch: int,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "INSERT_BATCH", batch)
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 1)
    lines = [json.dumps({"source-ref": f"s3://b/{i}.jpg"}) for i in range(7)]
    reported: list[int] = []
    job = create_job(runtime, tmp_path, lines, progress=reported.append)
    assert sum(reported) == job.object_count == 7
    assert reported == [batch] * (7 // batch) + ([7 % batch] if 7 % batch else [])
    assert [row[0] for row in stored_objects(runtime, job.id)] == list(range(7))
    runtime.close()


def test_a_bad_line_after_many_rows_leaves_nothing_behind(tmp_path: Path, database_url: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The bad line is only found after every good row was sent (COPY on PostgreSQL): all are rolled back."""
    monkeypatch.setattr(ingest, "INSERT_BATCH", 10)
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 1)
    first = create_job(runtime, tmp_path, TRICKY_LINES, name="first-job")
    before = stored_objects(runtime)
    lines = [json.dumps({"source-ref": f"s3://b/{i}.jpg"}) for i in range(55)] + ['{"no-source": 1}']
    reported: list[int] = []
    with pytest.raises(InvalidInput, match="line 56"):
        create_job(runtime, tmp_path, lines, name="second-job", progress=reported.append)
    assert sum(reported) <= 55  # reported as rows went out; none of them stayed
    with runtime.database.read() as connection:
        assert connection.execute(select(Job.name)).scalars().all() == [first.name]
        assert connection.execute(select(func.count()).select_from(DataObject)).scalar_one() == len(before)
    assert stored_objects(runtime) == before
    # The database is usable afterwards: the same manifest without its bad line goes in.
    again = create_job(runtime, tmp_path, lines[:-1], name="second-job")
    assert again.object_count == 55
    runtime.close()


def test_an_empty_manifest_is_refused(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 1)
    with pytest.raises(InvalidInput, match="no data lines"):
        create_job(runtime, tmp_path, ["", "  "])
    assert Jobs(runtime).list_jobs() == []
    runtime.close()


def test_postgresql_has_statistics_of_the_new_rows(tmp_path: Path, database_url: str) -> None:
    """The task-candidate query is planned on a fresh job's real size (ANALYZE after ingest)."""
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 1)
    lines = [json.dumps({"source-ref": f"s3://b/{i}.jpg"}) for i in range(300)]
    create_job(runtime, tmp_path, lines)
    with runtime.database.read() as connection:
        assert ingest.uses_copy(connection) is (not runtime.database.is_sqlite)
        if not runtime.database.is_sqlite:
            tuples = connection.exec_driver_sql(
                "SELECT reltuples FROM pg_class WHERE relname = 'data_objects'").scalar_one()
            assert tuples == 300  # -1 (never analysed) without the ANALYZE
    runtime.close()
