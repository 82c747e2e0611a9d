"""``crowdform job create`` refuses a template that does not compile; ``job describe`` shows why a job
failed; ``job retry-consolidation`` takes it up again. Real ``crowdform`` processes, on SQLite and
PostgreSQL; answers and background rounds are arranged in-process on the same database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from crowdform.demo import prepare_example
from crowdform.engine.jobs import Jobs
from crowdform.engine.workforce import Workforce
from crowdform.store.models import Job
from tests.cli.test_main import run_crowdform
from tests.engine.test_job_failure import broken_post_hook_job
from tests.helpers import label_everything, open_runtime


def test_job_create_refuses_a_template_with_a_syntax_error_with_its_line_and_column(tmp_path: Path,
                                                                                    database_url: str) -> None:
    prepare_example(tmp_path / "example")
    runtime = open_runtime(tmp_path, database_url)
    Workforce(runtime).create_team("animal-team")
    runtime.close()
    (tmp_path / "broken.html").write_text("<crowd-form>\n<p>{{ task.input.x | }}</p>\n</crowd-form>\n")
    message = run_crowdform(tmp_path, "job", "create", "broken", "--manifest", "example/manifest.jsonl",
                            "--template", "broken.html", "--team", "animal-team", "--output", "out/",
                            "--database-url", database_url).error()
    assert "broken.html: line 2: column 7: expected word, found end of expression" in message, message
    assert "{{ task.input.x | }}" in message
    runtime = open_runtime(tmp_path, database_url)
    with runtime.database.read() as connection:
        assert connection.execute(select(func.count()).select_from(Job)).scalar_one() == 0
    runtime.close()


def test_describe_shows_the_failure_and_retry_consolidation_completes_the_job(tmp_path: Path,
                                                                              database_url: str) -> None:
    runtime, workers, hook = broken_post_hook_job(tmp_path, database_url)
    label_everything(runtime, Jobs(runtime).get("animal-faces"), workers)
    failed = Jobs(runtime).describe("animal-faces")["LabelCounters"]["FailedNonRetryableError"]
    cli = ("--database-url", database_url)

    described = run_crowdform(tmp_path, "job", "describe", "animal-faces", *cli)
    assert described.code == 0, described
    assert "animal-faces  Failed" in described.out
    assert "failure: ClientError: the annotation consolidation function" in described.out
    assert "not a list" in described.out

    hook.write_text((tmp_path / "example" / "post_annotation.py").read_text())
    retried = run_crowdform(tmp_path, "job", "retry-consolidation", "animal-faces", *cli)
    assert retried.code == 0, retried
    assert retried.out == (f"animal-faces: {failed} data objects go back to consolidation; the job is InProgress. "
                           "A running `crowdform serve` consolidates them.\n")
    again = run_crowdform(tmp_path, "job", "retry-consolidation", "animal-faces", *cli).error()
    assert "the job is InProgress, so its consolidation still runs" in again and "crowdform job wait" in again
    missing = run_crowdform(tmp_path, "job", "retry-consolidation", "nope", *cli).error()
    assert "Labeling job 'nope' does not exist" in missing

    label_everything(runtime, Jobs(runtime).get("animal-faces"), workers)
    waited = run_crowdform(tmp_path, "job", "wait", "animal-faces", *cli)
    assert waited.code == 0, waited
    assert "animal-faces  Completed\n  labeled 4, failed 0, unlabeled 0\n" in waited.out
    runtime.close()
