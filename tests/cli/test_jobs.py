"""``crowdform job ...`` as real processes: create (from a request or flags), list, describe, stop, wait, logs.

State a command does not itself make (teams, answers, background rounds) is arranged in-process on the
same data folder, with the engine's own services, as ``crowdform serve`` would make it.
"""

from __future__ import annotations

import json
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from sqlalchemy import func, select

from crowdform.demo import prepare_example
from crowdform.engine.background import Background
from crowdform.engine.hook_registry import ResolvedHook
from crowdform.engine.jobs import Jobs
from crowdform.engine.runtime import Runtime
from crowdform.engine.tasks import Tasks
from crowdform.engine.workforce import Workforce
from crowdform.store.models import Job
from tests.cli.test_main import cli_env, data_dir, open_cli_runtime, run_crowdform
from tests.helpers import example_job, label_everything, open_runtime, team_with_workers

ARN = "arn:aws:sagemaker:us-east-1:000000000000:labeling-job/animal-faces"
ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00"


def engine_runtime(tmp_path: Path) -> Runtime:
    """The CLI's database (SQLite in ``tmp_path/data``), with the test settings of tests.helpers."""
    return open_runtime(tmp_path, f"sqlite:///{(data_dir(tmp_path) / 'crowdform.db').resolve()}")


def job_count(tmp_path: Path) -> int:
    runtime = open_cli_runtime(tmp_path)
    try:
        with runtime.database.read() as connection:
            return int(connection.execute(select(func.count()).select_from(Job)).scalar_one())
    finally:
        runtime.close()


def example_with_team(tmp_path: Path) -> Path:
    """The example folder in ``tmp_path/example``, and its team ``animal-team`` in the CLI's database."""
    folder = prepare_example(tmp_path / "example")
    runtime = open_cli_runtime(tmp_path)
    try:
        Workforce(runtime).create_team("animal-team")
    finally:
        runtime.close()
    return folder


# ------------------------------------------------------------------------------------------------ create, read

def test_create_from_request_then_list_describe_and_logs(tmp_path: Path) -> None:
    folder = example_with_team(tmp_path)
    request = json.loads((folder / "request.json").read_text())

    created = run_crowdform(tmp_path, "job", "create", "--from-request", "example/request.json")
    assert created.code == 0, created
    assert f"Created labeling job animal-faces ({ARN}) with 4 data objects.\n" in created.out
    assert f"Output: {(folder / 'output').resolve().as_uri()}/animal-faces/\n" in created.out  # relative to the file

    again = run_crowdform(tmp_path, "job", "create", "--from-request", "example/request.json")
    assert "A labeling job named 'animal-faces' already exists" in again.error()

    table = run_crowdform(tmp_path, "job", "list")
    assert table.code == 0, table
    assert re.search(r"^│ animal-faces\s+│ Initializing\s+│ 0\s+│ 0\s+│ 4\s+│ \d{4}-\d\d-\d\dT", table.out,
                     flags=re.MULTILINE), table

    listed = run_crowdform(tmp_path, "job", "list", "--json")
    assert listed.code == 0, listed
    summaries = json.loads(listed.out)["LabelingJobSummaryList"]
    assert len(summaries) == 1
    summary = summaries[0]
    assert summary["LabelingJobName"] == "animal-faces" and summary["LabelingJobArn"] == ARN
    assert summary["LabelingJobStatus"] == "Initializing"
    assert summary["LabelCounters"] == {"TotalLabeled": 0, "HumanLabeled": 0, "MachineLabeled": 0,
                                        "FailedNonRetryableError": 0, "Unlabeled": 4}
    assert summary["WorkteamArn"] == request["HumanTaskConfig"]["WorkteamArn"]
    assert summary["InputConfig"] == request["InputConfig"]
    assert re.fullmatch(ISO, summary["CreationTime"]) and re.fullmatch(ISO, summary["LastModifiedTime"])
    assert "LabelingJobOutput" not in summary  # no output manifest written yet (Q25)

    described = run_crowdform(tmp_path, "job", "describe", "animal-faces")
    assert described.code == 0 and described.out == "animal-faces  Initializing\n  labeled 0, failed 0, unlabeled 4\n"

    as_json = run_crowdform(tmp_path, "job", "describe", "ANIMAL-FACES", "--json")  # names ignore case
    assert as_json.code == 0, as_json
    d = json.loads(as_json.out)
    assert set(d) == {"LabelingJobStatus", "LabelCounters", "CreationTime", "LastModifiedTime", "JobReferenceCode",
                      "LabelingJobName", "LabelingJobArn", "LabelAttributeName", "InputConfig", "OutputConfig",
                      "RoleArn", "HumanTaskConfig", "LabelCategoryConfigS3Uri"}
    assert (d["LabelingJobName"], d["LabelingJobArn"], d["LabelAttributeName"]) == ("animal-faces", ARN, "animal-faces")
    assert d["LabelCounters"] == summary["LabelCounters"] and d["CreationTime"] == summary["CreationTime"]
    assert re.fullmatch(r"000000000000[A-Za-z0-9]{16}", d["JobReferenceCode"])
    assert d["OutputConfig"] == {"KmsKeyId": "", **request["OutputConfig"]}
    assert d["RoleArn"] == request["RoleArn"] and d["LabelCategoryConfigS3Uri"] == request["LabelCategoryConfigS3Uri"]
    assert d["HumanTaskConfig"]["UiConfig"] == request["HumanTaskConfig"]["UiConfig"]
    assert d["HumanTaskConfig"]["NumberOfHumanWorkersPerDataObject"] == 2

    logs = run_crowdform(tmp_path, "job", "logs", "animal-faces")
    assert logs.code == 0, logs
    manifest_uri = (folder / "manifest.jsonl").resolve().as_uri()
    assert re.fullmatch(rf"\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d engine\s+info\s+created with 4 data objects from "
                        rf"{re.escape(manifest_uri)}\n", logs.out), logs

    missing = run_crowdform(tmp_path, "job", "describe", "nope")
    assert missing.error() == "error: Labeling job 'nope' does not exist. List jobs with: crowdform job list\n"


def test_create_with_flags_reads_paths_from_the_working_directory(tmp_path: Path) -> None:
    folder = example_with_team(tmp_path)
    created = run_crowdform(
        tmp_path, "job", "create", "flag-job", "--manifest", "example/manifest.jsonl",
        "--template", "example/template.liquid.html", "--team", "animal-team", "--output", "out/",
        "--pre-hook", "example/pre_annotation.py", "--post-hook", "example/post_annotation.py:lambda_handler",
        "--workers-per-object", "3", "--label-attribute-name", "boxes", "--labels", "example/labels.json",
        "--title", "Box the faces", "--description", "Eyes and noses", "--task-time-limit", "120",
    )
    assert created.code == 0, created
    assert "Created labeling job flag-job " in created.out and "with 4 data objects." in created.out
    assert f"Output: {tmp_path.resolve().as_uri()}/out/flag-job/\n" in created.out

    runtime = open_cli_runtime(tmp_path)
    try:
        job = Jobs(runtime).get("flag-job")
        described = Jobs(runtime).describe("flag-job")
    finally:
        runtime.close()
    assert (job.object_count, job.workers_per_object, job.task_time_limit) == (4, 3, 120)
    assert (job.label_attribute_name, job.label_categories) == ("boxes", ("eye", "nose"))
    assert (job.title, job.description) == ("Box the faces", "Eyes and noses")
    assert job.template == (folder / "template.liquid.html").read_text()
    pre, post = ResolvedHook.from_json(job.pre_hook), ResolvedHook.from_json(job.post_hook)
    assert pre is not None and pre.reference == f"{(folder / 'pre_annotation.py').resolve()}:lambda_handler"
    assert post is not None and post.reference == f"{(folder / 'post_annotation.py').resolve()}:lambda_handler"
    assert described["LabelAttributeName"] == "boxes" and described["LabelingJobStatus"] == "Initializing"


def test_create_reads_the_files_the_operator_names_wherever_they_are(tmp_path: Path,
                                                                      tmp_path_factory: pytest.TempPathFactory) -> None:
    """A manifest, template and label file in ~/Downloads: outside the working directory and the roots."""
    example_with_team(tmp_path)
    downloads = tmp_path_factory.mktemp("downloads")
    (downloads / "input.manifest").write_text('{"source": "a"}\n{"source": "b"}\n', encoding="utf-8")
    (downloads / "template.html").write_text("<p>{{ task.input.source }}</p>", encoding="utf-8")
    (downloads / "labels.json").write_text('{"document-version": "2018-11-28", "labels": [{"label": "x"}]}',
                                           encoding="utf-8")
    created = run_crowdform(tmp_path, "job", "create", "downloaded", "--manifest", str(downloads / "input.manifest"),
                            "--template", str(downloads / "template.html"), "--labels", str(downloads / "labels.json"),
                            "--team", "animal-team")
    assert created.code == 0, created
    assert "with 2 data objects." in created.out
    # What a manifest names is still guarded: a line naming a file outside the roots is refused at render time,
    # and the private data folder is refused even when typed.
    secrets = run_crowdform(tmp_path, "job", "create", "private", "--manifest", str(data_dir(tmp_path) / "secrets.json"),
                            "--template", str(downloads / "template.html"), "--team", "animal-team")
    assert "private" in secrets.error()


def test_create_a_built_in_task_type_with_no_template_or_hooks(tmp_path: Path) -> None:
    example_with_team(tmp_path)
    created = run_crowdform(tmp_path, "job", "create", "faces", "--task-type", "bounding-box", "--labels", "eye,nose",
                            "--manifest", "example/manifest.jsonl", "--team", "animal-team")
    assert created.code == 0, created
    assert "Created labeling job faces (Bounding box) " in created.out
    runtime = open_cli_runtime(tmp_path)
    try:
        job = Jobs(runtime).get("faces")
        described = Jobs(runtime).describe("faces")
    finally:
        runtime.close()
    assert job.task_type is not None and job.task_type.name == "bounding-box"
    assert (job.label_categories, job.workers_per_object, job.title) == (("eye", "nose"), 5, "Bounding box")
    assert 'name="boundingBox"' in job.template
    pre, post = ResolvedHook.from_json(job.pre_hook), ResolvedHook.from_json(job.post_hook)
    assert (pre and pre.builtin, post and post.builtin) == ("PRE-BoundingBox", "ACS-BoundingBox")
    label_file = Path(described["LabelCategoryConfigS3Uri"])
    assert label_file.parent == (data_dir(tmp_path) / "buckets" / "crowdform-label-categories").resolve()
    assert json.loads(label_file.read_text())["labels"] == [{"label": "eye"}, {"label": "nose"}]
    assert job.layout.job_dir == f"{(data_dir(tmp_path) / 'buckets' / 'crowdform-output').resolve().as_uri()}/faces/"


def test_a_refused_built_in_job_leaves_no_label_file(tmp_path: Path) -> None:
    example_with_team(tmp_path)
    refused = run_crowdform(tmp_path, "job", "create", "fix", "--task-type", "bounding-box-adjustment",
                            "--labels", "eye,nose", "--manifest", "example/manifest.jsonl", "--team", "nobody",
                            "--audit-label-attribute", "faces")
    assert "nobody" in refused.error()
    assert list((data_dir(tmp_path) / "buckets" / "crowdform-label-categories").glob("*")) == []
    assert job_count(tmp_path) == 0


def _bad_manifest(tmp_path: Path) -> list[str]:
    lines = ['{"source-ref": "s3://b/0.png"}', "not json", '{"x": 1}', "", '{"source": "text"}', "[1]"]
    (tmp_path / "example" / "bad.manifest").write_text("\n".join(lines) + "\n")
    return ["bad-manifest", "--manifest", "example/bad.manifest", "--template", "example/template.liquid.html",
            "--team", "animal-team", "--output", "out/"]


def _outside_roots(tmp_path: Path) -> list[str]:
    """A request file naming a manifest outside the roots: what requests name stays guarded (a typed
    --manifest is read wherever it is)."""
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "m.manifest").write_text('{"source": "x"}\n')
    return _request_with(tmp_path, lambda r: r["InputConfig"]["DataSource"]["S3DataSource"].update(
        ManifestS3Uri=str(outside / "m.manifest")))


def _broken_request(tmp_path: Path) -> list[str]:
    (tmp_path / "example" / "broken.json").write_text('{\n  "LabelingJobName":\n}\n')
    return ["--from-request", "example/broken.json"]


def _request_with(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> list[str]:
    request = json.loads((tmp_path / "example" / "request.json").read_text())
    change(request)
    (tmp_path / "example" / "changed.json").write_text(json.dumps(request, indent=2))
    return ["--from-request", "example/changed.json"]


def _flags(name: str, **overrides: str) -> Callable[[Path], list[str]]:
    flags = {"--manifest": "example/manifest.jsonl", "--template": "example/template.liquid.html",
             "--team": "animal-team", "--output": "out/"} | overrides
    return lambda _: [name, *[part for flag, value in flags.items() for part in (flag, value)]]


REFUSALS = {
    # id: (arguments after `job create`, parts the message must hold, parts it must not)
    "bad-manifest-lines": (_bad_manifest, [
        "bad.manifest: 3 problems", "line 2: is not valid JSON", "line 3: has neither source-ref nor source",
        "line 6: is an array, not an object", 'for example {"source-ref": "s3://bucket/images/0001.jpg"}'],
        ["line 1:", "line 4:", "line 5:"]),
    "unknown-team": (_flags("no-team", **{"--team": "nope"}),
                     ["Team 'nope' does not exist. Create it with: crowdform team create nope"], []),
    "missing-template-file": (_flags("no-template", **{"--template": "example/missing.html"}),
                              ["example/missing.html does not exist"], []),
    "missing-flags": (lambda _: ["lonely", "--manifest", "example/manifest.jsonl"],
                      ["job create: missing --team, --template",
                       "Give NAME --manifest --team and --task-type or --template, or --from-request FILE"],
                      ["missing NAME"]),
    "unknown-task-type": (lambda _: ["t", "--task-type", "box", "--manifest", "m", "--team", "t"],
                          ["--task-type: is not a built-in task type crowdform runs", "'box'",
                           "Use one of image-classification, text-classification"], []),
    "name-and-request": (lambda _: ["extra", "--from-request", "example/request.json"],
                         ["field 'NAME': give either a NAME with flags or --from-request, not both", "'extra'"], []),
    "request-file-missing": (lambda _: ["--from-request", "example/nope.json"],
                             ["example/nope.json: the request file does not exist"], []),
    "request-not-json": (_broken_request, ["example/broken.json: line 3: not valid JSON",
                                           "The file must hold the JSON body of a CreateLabelingJob request"], []),
    "request-unknown-key": (lambda p: _request_with(p, lambda r: r["HumanTaskConfig"].update(TaskTimeLimitInSecond=30)),
                            ["example/changed.json", "'HumanTaskConfig.TaskTimeLimitInSecond'", "is not a known field",
                             "Did you mean TaskTimeLimitInSeconds?"], []),
    "outside-storage-roots": (_outside_roots, ["m.manifest: is outside the storage roots", "CROWDFORM_STORAGE_ROOTS"],
                              []),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_create_refuses_bad_input_naming_it_and_creates_nothing(tmp_path: Path, case: str) -> None:
    example_with_team(tmp_path)
    arguments, expected, unexpected = REFUSALS[case]
    message = run_crowdform(tmp_path, "job", "create", *arguments(tmp_path)).error()
    for part in expected:
        assert part in message, message
    for part in unexpected:
        assert part not in message, message
    assert job_count(tmp_path) == 0


# ------------------------------------------------------------------------------------------------ stop, wait, logs

def test_stop_withdraws_tasks_and_wait_returns_when_stopped(tmp_path: Path) -> None:
    runtime = engine_runtime(tmp_path)
    workers = team_with_workers(runtime, "animal-team", 2)
    job = example_job(runtime, tmp_path)
    background = Background(runtime)
    tasks = Tasks(runtime)
    try:
        background.run_until_idle()  # release the first iteration, run the pre-annotation hook
        answered = tasks.next_task(workers[0], job.name)
        assert answered is not None
        tasks.submit(workers[0], answered.lease_id, {"annotatedResult": {"boundingBoxes": []}})
        assert tasks.next_task(workers[1], job.name) is not None  # an open task, to be withdrawn

        stopped = run_crowdform(tmp_path, "job", "stop", "animal-faces")
        assert stopped.code == 0, stopped
        assert stopped.out == "Stopping animal-faces. A running `crowdform serve` finishes the stop.\n"
        assert Jobs(runtime).describe(job.name)["LabelingJobStatus"] == "Stopping"
        assert tasks.next_task(workers[1], job.name) is None  # withdrawn

        twice = run_crowdform(tmp_path, "job", "stop", "animal-faces")
        message = twice.error()
        assert "the job is already Stopping" in message and "Only a running job can be stopped" in message

        background.run_until_idle()  # what `crowdform serve` does: consolidate what was answered, then stop
    finally:
        background.stop()
    waited = run_crowdform(tmp_path, "job", "wait", "animal-faces", "--interval", "0.1")
    assert waited.code == 0, waited
    assert waited.out.endswith("animal-faces  Stopped\n  labeled 1, failed 0, unlabeled 3\n"
                               f"  output manifest: {job.layout.output_manifest}\n"), waited
    runtime.close()


def test_wait_for_a_finished_job_and_read_its_hook_output_in_the_log(tmp_path: Path) -> None:
    runtime = engine_runtime(tmp_path)
    workers = team_with_workers(runtime, "animal-team", 2)
    job = example_job(runtime, tmp_path)
    assert label_everything(runtime, job, workers) == 8
    runtime.close()

    waited = run_crowdform(tmp_path, "job", "wait", "animal-faces")
    assert waited.code == 0, waited
    assert waited.out.endswith("animal-faces  Completed\n  labeled 4, failed 0, unlabeled 0\n"
                               f"  output manifest: {job.layout.output_manifest}\n"), waited

    logs = run_crowdform(tmp_path, "job", "logs", "animal-faces")
    assert logs.code == 0, logs
    entries = [re.split(r"\s+", line, maxsplit=4)[2:] for line in logs.out.splitlines()]
    assert entries[0][:2] == ["engine", "info"] and entries[0][2].startswith("created with 4 data objects")
    assert ["engine", "info", "released 4 data objects"] in entries
    pre = [e for e in entries if e[0] == "pre-hook"]
    assert sorted(e[2] for e in pre) == sorted(f"pre-annotation for {u}" for u in _image_uris(tmp_path))
    assert any(e[0] == "post-hook" and re.fullmatch(r"consolidated \d objects", e[2]) for e in entries)
    # Hook output is buffered and written after each background round, so the last batch's lines may
    # follow the engine's own "job completed"; that is the last engine line all the same.
    assert [e for e in entries if e[0] == "engine"][-1] == ["engine", "info", "job completed"]


def _image_uris(tmp_path: Path) -> list[str]:
    return [json.loads(line)["source-ref"] for line in (tmp_path / "example" / "manifest.jsonl").read_text().splitlines()]


def test_wait_gives_up_after_the_timeout_with_the_current_status(tmp_path: Path) -> None:
    runtime = engine_runtime(tmp_path)
    team_with_workers(runtime, "animal-team", 1)
    example_job(runtime, tmp_path)
    runtime.close()
    started = time.monotonic()
    waited = run_crowdform(tmp_path, "job", "wait", "animal-faces", "--timeout", "1", "--interval", "0.2")
    assert time.monotonic() - started >= 1.0
    assert "animal-faces  Initializing\n  labeled 0, failed 0, unlabeled 4\n" in waited.out, waited
    assert "Traceback" not in waited.err


def test_wait_exits_1_when_it_gives_up(tmp_path: Path) -> None:
    runtime = engine_runtime(tmp_path)
    team_with_workers(runtime, "animal-team", 1)
    example_job(runtime, tmp_path)
    runtime.close()
    waited = run_crowdform(tmp_path, "job", "wait", "animal-faces", "--timeout", "0.5", "--interval", "0.1")
    assert waited.code == 1, waited


def test_logs_follow_prints_new_lines_as_they_arrive(tmp_path: Path) -> None:
    runtime = engine_runtime(tmp_path)
    team_with_workers(runtime, "animal-team", 1)
    job = example_job(runtime, tmp_path)
    argv = [sys.executable, "-m", "crowdform", "job", "logs", "animal-faces", "--follow", "--data-dir",
            str(data_dir(tmp_path))]
    process = subprocess.Popen(argv, cwd=tmp_path, env=cli_env(tmp_path), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in process.stdout or ():
            lines.put(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        assert "created with 4 data objects" in lines.get(timeout=30)
        runtime.log_now(job.id, "engine", "a line written while following", "warning")
        assert re.search(r" engine\s+warning\s+a line written while following$", lines.get(timeout=30).rstrip())
        assert process.poll() is None  # still following
    finally:
        process.terminate()
        process.wait(timeout=30)
        reader.join(timeout=30)
        if process.stdout:
            process.stdout.close()
        if process.stderr:
            process.stderr.close()
        runtime.close()
