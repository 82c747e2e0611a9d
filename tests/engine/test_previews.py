"""Previews: the items of a task input or a manifest, through a real pre-annotation hook, and answer lines."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crowdform.engine.hook_registry import HookRegistry
from crowdform.engine.previews import ItemState, PreHook, Preview, PreviewItem, running_pre_hook
from crowdform.engine.runtime import Runtime
from crowdform.errors import HookError, InvalidInput
from tests.helpers import open_runtime

EXAMPLE_HOOK = Path(__file__).resolve().parents[2] / "examples" / "animal-custom-task" / "pre_annotation.py"
PREVIEW_ARN = "arn:aws:sagemaker:us-east-1:000000000000:labeling-job/preview"

# A hook that behaves differently per line, as users' hooks do: echo, skip, fail or reply badly.
MOODY_HOOK = '''
def lambda_handler(event, context):
    line = event["dataObject"]
    mood = line.get("mood")
    print(f"got {line['source']}")
    if mood == "raise":
        raise ValueError("no such animal")
    if mood == "skip":
        return {"taskInput": {"why": "known"}, "isHumanAnnotationRequired": "false"}
    if mood == "bad":
        return ["not", "an", "object"]
    return {"taskInput": {"event": event, "job": event["labelingJobArn"].split("/")[-1],
                          "function": context.function_name}}
'''


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    runtime = open_runtime(tmp_path, f"sqlite:///{tmp_path / 'crowdform.db'}")
    yield runtime
    runtime.close()


def start_hook(runtime: Runtime, given: str, base_dir: Path, log: list[tuple[str, str]]) -> Any:
    with runtime.database.read() as connection:
        hook = HookRegistry(runtime).resolve(connection, given, base_dir=base_dir, field_name="--pre-hook")
    return running_pre_hook(hook, runtime, log=lambda stream, line: log.append((stream, line)))


def manifest_lines(*objects: dict[str, Any]) -> list[str]:
    return [json.dumps(o) + "\n" for o in objects]


def test_a_task_input_is_one_item_shown_as_given() -> None:
    preview = Preview.of_task_input("task.json", {"taskObject": "owl.jpg"})
    assert len(preview) == 1
    assert preview.item(0) == PreviewItem("task.json", ItemState.READY, {"taskObject": "owl.jpg"})


def test_without_a_hook_each_manifest_line_is_its_task_input() -> None:
    lines = ['{"source": "a"}\n', "\n", '{"source-ref": "s3://b/c.jpg", "k": 1}\n']
    preview = Preview.of_manifest(lines, source="manifest.jsonl")
    assert len(preview) == 2
    assert preview.item(0) == PreviewItem("manifest.jsonl line 1 (datasetObjectId 0)", ItemState.READY, {"source": "a"})
    # The blank line has no datasetObjectId (Q1), but line numbers are the file's.
    assert preview.item(1) == PreviewItem("manifest.jsonl line 3 (datasetObjectId 1)", ItemState.READY,
                                          {"source-ref": "s3://b/c.jpg", "k": 1})


def test_a_bad_manifest_line_refuses_the_preview_as_it_would_refuse_a_job() -> None:
    with pytest.raises(InvalidInput) as caught:
        Preview.of_manifest(['{"source": "a"}\n', '{"no-source": 1}\n'], source="manifest.jsonl")
    assert str(caught.value).startswith("manifest.jsonl: line 2: has neither source-ref nor source")


def test_the_example_hook_gets_the_event_a_job_sends(runtime: Runtime, tmp_path: Path) -> None:
    log: list[tuple[str, str]] = []
    with start_hook(runtime, str(EXAMPLE_HOOK), tmp_path, log) as hook:
        preview = Preview.of_manifest(manifest_lines({"source-ref": "s3://bucket/cat.png"}), source="m.jsonl",
                                      pre_hook=hook)
        item = preview.item(0)
    assert item == PreviewItem("m.jsonl line 1 (datasetObjectId 0)", ItemState.READY,
                               {"sourceRef": "s3://bucket/cat.png"})
    assert log == [("stdout", "pre-annotation for s3://bucket/cat.png")]


def test_hook_failures_and_skips_show_per_item_and_the_rest_still_work(runtime: Runtime, tmp_path: Path) -> None:
    (tmp_path / "moody.py").write_text(MOODY_HOOK)
    lines = manifest_lines({"source": "owl"}, {"source": "fox", "mood": "raise"}, {"source": "cat", "mood": "skip"},
                           {"source": "dog", "mood": "bad"})
    log: list[tuple[str, str]] = []
    with start_hook(runtime, "moody.py", tmp_path, log) as hook:
        preview = Preview.of_manifest(lines, source="m.jsonl", pre_hook=hook)
        items = [preview.item(i) for i in range(len(preview))]
    good, raised, skipped, bad = items
    assert good.state is ItemState.READY and good.message == ""
    assert good.task_input == {
        "event": {"version": "2018-10-16", "labelingJobArn": PREVIEW_ARN, "dataObject": {"source": "owl"}},
        "job": "preview", "function": "moody"}
    assert raised.state is ItemState.FAILED and raised.task_input is None
    assert raised.message.startswith(f"pre-annotation hook failed: Hook 'moody' ({tmp_path / 'moody.py'}:lambda_handler) "
                                     "raised ValueError: no such animal")
    assert skipped == PreviewItem("m.jsonl line 3 (datasetObjectId 2)", ItemState.SKIPPED, {"why": "known"},
                                  "The pre-annotation hook replied isHumanAnnotationRequired: false, so a job would "
                                  "give this data object to no worker.")
    assert bad.state is ItemState.FAILED
    assert bad.message == (
        "pre-annotation hook failed: pre-annotation hook reply for m.jsonl line 4 (datasetObjectId 3): the reply must "
        'be a JSON object; the hook replied ["not", "an", "object"]. Return an object such as {"taskInput": '
        '{"taskObject": "..."}, "isHumanAnnotationRequired": true}')
    assert [line for stream, line in log if stream == "stdout"] == ["got owl", "got fox", "got cat", "got dog"]


def test_the_hook_runs_once_per_item_and_only_for_items_looked_at() -> None:
    events: list[dict[str, Any]] = []

    def hook(event: dict[str, Any]) -> dict[str, Any]:
        events.append(event)
        return {"taskInput": {"n": event["dataObject"]["source"]}}

    preview = Preview.of_manifest(manifest_lines(*({"source": str(n)} for n in range(5))), source="m",
                                  pre_hook=PreHook(hook, PREVIEW_ARN))
    assert events == []
    assert preview.item(3).task_input == {"n": "3"}
    assert preview.item(3).task_input == {"n": "3"}
    assert [e["dataObject"]["source"] for e in events] == ["3"]


def test_a_hook_call_that_fails_is_not_retried_and_is_named() -> None:
    calls = []

    def hook(event: dict[str, Any]) -> Any:
        calls.append(event)
        raise HookError("Hook 'remote' (http://127.0.0.1:9/) could not connect")

    preview = Preview.of_manifest(manifest_lines({"source": "x"}), source="m", pre_hook=PreHook(hook, PREVIEW_ARN))
    assert preview.item(0).message == "pre-annotation hook failed: Hook 'remote' (http://127.0.0.1:9/) could not connect"
    assert len(calls) == 1


def test_a_registered_hook_name_runs_the_registered_handler(runtime: Runtime, tmp_path: Path) -> None:
    shutil.copy(EXAMPLE_HOOK, tmp_path / "registered.py")
    HookRegistry(runtime).add("animal-pre", str(tmp_path / "registered.py"))
    arn = "arn:aws:lambda:us-east-1:000000000000:function:animal-pre"
    with start_hook(runtime, arn, tmp_path, []) as hook:
        item = Preview.of_manifest(manifest_lines({"source-ref": "a.png"}), source="m", pre_hook=hook).item(0)
    assert item.task_input == {"sourceRef": "a.png"}


def test_pass_through_means_no_hook_and_other_built_ins_are_refused(runtime: Runtime, tmp_path: Path) -> None:
    with start_hook(runtime, "PRE-PassThrough", tmp_path, []) as hook:
        assert hook is None
    with pytest.raises(InvalidInput) as caught, start_hook(runtime, "PRE-BoundingBox", tmp_path, []):
        pass
    assert str(caught.value) == (
        "PRE-BoundingBox: is Ground Truth's built-in PRE-BoundingBox, which crowdform runs only as PRE-PassThrough "
        "(the manifest line is the task input). Leave the pre-annotation hook out, or give your own hook")
