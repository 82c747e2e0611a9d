"""A job that names crowdform's private files is refused when it is created, with the manifest line
and field: the secrets file, the database, anything in the data folder but its buckets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crowdform.demo import prepare_example
from crowdform.engine.jobs import Jobs
from crowdform.errors import Forbidden, InvalidInput
from crowdform.groundtruth.job_request import parse_create_labeling_job
from crowdform.store.models import DataObject, Job
from tests.engine.test_ingest import create_job
from tests.helpers import open_runtime, team_with_workers


def test_a_manifest_naming_the_secrets_or_the_database_is_refused_with_its_lines(tmp_path: Path,
                                                                               database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 1)
    data = runtime.settings.data_dir.resolve()
    secrets = data / "secrets.json"
    # The SQLite database file (beside the data folder in these tests), or a file of the data folder.
    database = runtime.settings.private_paths[1] if database_url.startswith("sqlite") else data / "crowdform.toml"
    image = runtime.settings.buckets_dir.resolve() / "photos" / "owl.png"
    (data / "notes").mkdir()
    (data / "notes" / "link.png").symlink_to(secrets)
    lines = [
        json.dumps({"source-ref": str(image)}),  # the data folder's buckets are public
        json.dumps({"source-ref": str(secrets)}),
        json.dumps({"source": "text", "extra": {"frames": ["s3://b/k.png", f"file://{database}"]}}),
        json.dumps({"source": "The ratio is 1/2 and secrets.json is a file name"}),
        json.dumps({"source-ref": f"{tmp_path}/elsewhere/../data/notes/link.png"}),
    ]
    with pytest.raises(InvalidInput) as raised:
        create_job(runtime, tmp_path, lines)
    problems = [(p.line, p.field, p.value) for p in raised.value.problems]
    assert problems == [(2, "source-ref", str(secrets)), (3, "extra.frames[1]", f"file://{database}"),
                        (5, "source-ref", f"{tmp_path}/elsewhere/../data/notes/link.png")]
    message = str(raised.value)
    assert f"line 2, field 'source-ref': names file://{secrets}, inside crowdform's private data folder" in message
    assert f"or in {runtime.settings.buckets_dir.resolve()}" in message
    with runtime.database.read() as connection:
        assert connection.execute(select(func.count()).select_from(Job)).scalar_one() == 0
        assert connection.execute(select(func.count()).select_from(DataObject)).scalar_one() == 0
    job = create_job(runtime, tmp_path, [lines[0], lines[3]])  # the same job without them is fine
    assert job.object_count == 2
    runtime.close()


def test_a_template_or_manifest_in_the_data_folder_is_refused_too(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 1)
    folder = prepare_example(runtime.settings.data_dir / "example")  # outside buckets/: private
    request = json.loads((folder / "request.json").read_text())
    with pytest.raises(Forbidden, match="private data folder"):
        Jobs(runtime).create(parse_create_labeling_job(request, source="request"), base_dir=folder)
    request["OutputConfig"]["S3OutputPath"] = str(runtime.settings.data_dir / "output")
    public = prepare_example(runtime.settings.buckets_dir / "example")
    with pytest.raises(Forbidden, match="private data folder"):  # nor may output be written there
        Jobs(runtime).create(parse_create_labeling_job(request, source="request"), base_dir=public)
    runtime.close()
