"""Creating a job: validation happens before anything is written, and bad input names the place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crowdform.engine.jobs import Jobs
from crowdform.errors import Conflict, InvalidInput, NotFound
from tests.helpers import example_job, open_runtime, team_with_workers


def test_bad_manifest_lines_are_listed_and_nothing_is_created(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 1)
    folder = tmp_path / "example"
    example_job(runtime, tmp_path)  # prepares the folder; creates a first job
    good = (folder / "manifest.jsonl").read_text().splitlines()
    bad_lines = [good[0], "not json", '{"no-source": 1}', good[1], "[1, 2]"] + ["{oops"] * 30
    (folder / "manifest.jsonl").write_text("\n".join(bad_lines) + "\n")
    request = json.loads((folder / "request.json").read_text())
    request["LabelingJobName"] = "second-job"
    from crowdform.groundtruth.job_request import parse_create_labeling_job

    spec = parse_create_labeling_job(request, source="request")
    with pytest.raises(InvalidInput) as caught:
        Jobs(runtime).create(spec, base_dir=folder)
    message = str(caught.value)
    assert "line 2" in message and "line 3" in message and "line 5" in message
    assert len(caught.value.problems) == 20 and caught.value.total == 33
    assert [j["LabelingJobName"] for j in Jobs(runtime).list_jobs()] == ["animal-faces"]
    runtime.close()


def test_duplicate_names_unknown_team_and_hook_are_refused(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 1)
    example_job(runtime, tmp_path)
    with pytest.raises(Conflict, match="already exists"):
        example_job(runtime, tmp_path, LabelingJobName="ANIMAL-faces")  # names are unique ignoring case
    with pytest.raises(NotFound, match="crowdform team create nobody"):
        example_job(runtime, tmp_path, LabelingJobName="job-2", WorkteamArn="nobody")
    with pytest.raises(NotFound, match="crowdform hook add"):
        example_job(runtime, tmp_path, LabelingJobName="job-3",
                    PreHumanTaskLambdaArn="arn:aws:lambda:us-east-1:000000000000:function:unknown-fn")
    with pytest.raises(InvalidInput):
        example_job(runtime, tmp_path, LabelingJobName="job-4", PreHumanTaskLambdaArn="missing_file.py")
    assert [j["LabelingJobName"] for j in Jobs(runtime).list_jobs()] == ["animal-faces"]
    runtime.close()


def test_describe_has_the_describe_labeling_job_shape(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 1)
    job = example_job(runtime, tmp_path)
    described = Jobs(runtime).describe(job.name)
    for key in ("LabelingJobStatus", "LabelCounters", "CreationTime", "LastModifiedTime", "JobReferenceCode",
                "LabelingJobName", "LabelingJobArn", "LabelAttributeName", "InputConfig", "OutputConfig",
                "RoleArn", "HumanTaskConfig", "LabelCategoryConfigS3Uri"):
        assert key in described
    assert described["LabelingJobArn"] == "arn:aws:sagemaker:us-east-1:000000000000:labeling-job/animal-faces"
    assert described["JobReferenceCode"].startswith("000000000000") and len(described["JobReferenceCode"]) == 28
    assert described["LabelCounters"]["Unlabeled"] == 4
    assert "LabelingJobOutput" not in described  # no output written yet
    runtime.close()
