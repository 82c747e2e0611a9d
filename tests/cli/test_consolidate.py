"""``crowdform consolidate`` as a user runs it: the output manifest, the worker report, the refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crowdform.cli.consolidate import ALGORITHM_CHOICES
from crowdform.builtin.consolidate import ALGORITHMS
from tests.cli.test_main import run_crowdform
from tests.engine.test_reconsolidation import SINGLE, write_manifest, write_responses


def test_help_lists_the_algorithms_and_task_types(tmp_path: Path) -> None:
    run = run_crowdform(tmp_path, "consolidate", "--help", with_data_dir=False)
    assert run.code == 0, run
    text = " ".join(run.out.replace("│", " ").split())
    assert "dawid-skene, aws-dawid-skene, one-coin, glad, majority-vote (default dawid-skene)" in text
    assert "image-classification, text-classification, image-classification-multi-label, " \
           "text-classification-multi-label, bounding-box" in text
    assert ALGORITHM_CHOICES == tuple(ALGORITHMS)


def test_consolidate_writes_the_output_manifest_and_the_worker_report(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, [{"source-ref": f"s3://b/{i}.jpg"} for i in range(4)])
    layout = write_responses(tmp_path, SINGLE)
    (tmp_path / "labels.json").write_text(json.dumps({"document-version": "2018-11-28", "labels": [
        {"label": "cat"}, {"label": "dog"}, {"label": "bird"}]}), encoding="utf-8")
    run = run_crowdform(tmp_path, "consolidate", "--task-type", "image-classification", "--responses", layout.job_dir,
                        "--manifest", manifest, "--labels", "labels.json", "--algorithm", "majority-vote",
                        "--output", "out.manifest", "--worker-report", "workers.jsonl", with_data_dir=False)
    assert run.code == 0, run
    assert "Consolidated 3 of 4 objects from 3 response files (3 workers) into out.manifest." in run.out
    lines = [json.loads(t) for t in (tmp_path / "out.manifest").read_text(encoding="utf-8").splitlines()]
    assert [line.get("Pets") for line in lines] == [0, 2, 1, None]  # the label attribute defaults to the job folder
    assert lines[0]["Pets-metadata"]["class-name"] == "cat"
    assert lines[0]["Pets-metadata"]["job-name"] == "labeling-job/pets"
    assert lines[0]["Pets-metadata"]["confidence"] == 0.67
    report = [json.loads(t) for t in (tmp_path / "workers.jsonl").read_text(encoding="utf-8").splitlines()]
    assert report[2] == {"workerId": "w3", "answers": 2, "agreement": 0.5, "estimatedAccuracy": 0.5}
    assert not (tmp_path / "crowdform-data").exists()  # no database is needed


def test_a_malformed_response_is_one_error_naming_file_and_field(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, [{"source-ref": "s3://b/0.jpg"}])
    layout = write_responses(tmp_path, {0: [("w1", {"crowd-image-classifier": {"label": 3}})]})
    run = run_crowdform(tmp_path, "consolidate", "--task-type", "image-classification", "--responses",
                        layout.job_dir + "annotations", "--manifest", manifest, "--label-attribute", "pet",
                        with_data_dir=False)
    message = run.error()
    assert "iteration-1/0/2026-11-25_12:05:00.json" in message
    assert "field 'answers[0].answerContent.crowd-image-classifier.label': must be a label string (got 3)" in message


def test_an_unknown_algorithm_is_refused_with_the_choices(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, [{"source-ref": "s3://b/0.jpg"}])
    layout = write_responses(tmp_path, SINGLE)
    run = run_crowdform(tmp_path, "consolidate", "--task-type", "text-classification", "--responses", layout.job_dir,
                        "--manifest", manifest, "--algorithm", "mace", with_data_dir=False)
    assert "--algorithm: is not a known algorithm (got 'mace'). Use one of dawid-skene, aws-dawid-skene" in run.error()


def test_consolidate_reads_a_csv_table_of_answers(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, [{"source": "great"}, {"source": "awful"}])
    (tmp_path / "answers.csv").write_text("object,worker,answer\n0,a,positive\n0,b,positive\n1,a,negative\n1,b,negative\n",
                                          encoding="utf-8")
    run = run_crowdform(tmp_path, "consolidate", "--task-type", "text-classification", "--responses", "answers.csv",
                        "--manifest", manifest, "--label-attribute", "tone", "--output", "out.manifest",
                        with_data_dir=False)
    assert run.code == 0, run
    lines = [json.loads(t) for t in (tmp_path / "out.manifest").read_text(encoding="utf-8").splitlines()]
    assert [(line["tone"], line["tone-metadata"]["class-name"]) for line in lines] == [(1, "positive"), (0, "negative")]


def test_paths_the_operator_types_are_read_wherever_they_are(tmp_path: Path,
                                                              tmp_path_factory: pytest.TempPathFactory) -> None:
    """`--responses ~/Downloads/job`: outside the working directory, the data folder and the storage roots."""
    downloads = tmp_path_factory.mktemp("downloads")
    manifest = write_manifest(downloads, [{"source-ref": f"s3://b/{i}.jpg"} for i in range(4)])
    layout = write_responses(downloads, SINGLE)
    output = downloads / "results" / "output.manifest"
    run = run_crowdform(tmp_path, "consolidate", "--task-type", "image-classification", "--responses", layout.job_dir,
                        "--manifest", manifest, "--algorithm", "majority-vote", "--output", str(output),
                        with_data_dir=False)
    assert run.code == 0, run
    assert len(output.read_text(encoding="utf-8").splitlines()) == 4
