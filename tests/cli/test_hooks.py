"""``crowdform hook add`` / ``hook list``, and a job naming a registered hook by its Lambda ARN."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from crowdform.demo import prepare_example
from crowdform.engine.hook_registry import HookRegistry, ResolvedHook
from crowdform.engine.jobs import Jobs
from crowdform.engine.workforce import Workforce
from tests.cli.test_main import open_cli_runtime, run_crowdform


def test_hook_add_list_replace_and_use_by_lambda_arn(tmp_path: Path) -> None:
    folder = prepare_example(tmp_path / "example")
    pre = (folder / "pre_annotation.py").resolve()
    post = (folder / "post_annotation.py").resolve()

    added = run_crowdform(tmp_path, "hook", "add", "animal-pre", "example/pre_annotation.py",
                          "--env", "STAGE=test", "--env", "GREETING=a=b")
    assert added.code == 0, added
    assert added.out == f"Hook animal-pre -> {pre}:lambda_handler\n"  # stored absolute, with the default handler

    listed = run_crowdform(tmp_path, "hook", "list")
    assert listed.code == 0, listed
    rows = re.findall(r"^│ (\S+)\s+│ (\S+)\s+│ (.*?)\s*│ (.*?)\s*│$", listed.out, flags=re.MULTILINE)
    assert rows == [("animal-pre", f"{pre}:lambda_handler", "GREETING=a=b STAGE=test", "server")]  # sorted by name

    replaced = run_crowdform(tmp_path, "hook", "add", "animal-pre", f"{post}:lambda_handler")
    assert replaced.code == 0 and replaced.out == f"Hook animal-pre -> {post}:lambda_handler\n", replaced

    runtime = open_cli_runtime(tmp_path)
    try:
        hooks = HookRegistry(runtime).list()
        assert [(h.name, h.reference, h.environment) for h in hooks] == [
            ("animal-pre", f"{post}:lambda_handler", {})]
        Workforce(runtime).create_team("animal-team")
    finally:
        runtime.close()

    arn = "arn:aws:lambda:us-east-1:123456789012:function:animal-pre"
    created = run_crowdform(tmp_path, "job", "create", "by-arn", "--manifest", "example/manifest.jsonl",
                            "--template", "example/template.liquid.html", "--team", "animal-team",
                            "--output", "out/", "--pre-hook", arn)
    assert created.code == 0, created
    runtime = open_cli_runtime(tmp_path)
    try:
        hook = ResolvedHook.from_json(Jobs(runtime).get("by-arn").pre_hook)
    finally:
        runtime.close()
    assert hook is not None
    assert (hook.given, hook.name, hook.reference) == (arn, "animal-pre", f"{post}:lambda_handler")


@pytest.mark.parametrize(("args", "expected"), [
    (["hook", "add", "h", "missing.py"], ["hook reference", "missing.py", "does not exist"]),
    (["hook", "add", "h", "example/pre_annotation.py", "--env", "NOVALUE"], ["--env", "NAME=value", "'NOVALUE'"]),
], ids=["missing-file", "bad-env"])
def test_hook_add_refuses_what_it_cannot_run(tmp_path: Path, args: list[str], expected: list[str]) -> None:
    prepare_example(tmp_path / "example")
    message = run_crowdform(tmp_path, *args).error()
    assert all(part in message for part in expected), message
    if (tmp_path / "data" / "crowdform.db").exists():
        runtime = open_cli_runtime(tmp_path)
        try:
            assert HookRegistry(runtime).list() == []
        finally:
            runtime.close()


def test_a_job_naming_an_unregistered_lambda_says_how_to_register_it(tmp_path: Path) -> None:
    prepare_example(tmp_path / "example")
    request = json.loads((tmp_path / "example" / "request.json").read_text())
    request["HumanTaskConfig"]["PreHumanTaskLambdaArn"] = "arn:aws:lambda:us-east-1:123456789012:function:gt-pre"
    (tmp_path / "example" / "request.json").write_text(json.dumps(request))
    runtime = open_cli_runtime(tmp_path)
    Workforce(runtime).create_team("animal-team")
    runtime.close()
    message = run_crowdform(tmp_path, "job", "create", "--from-request", "example/request.json").error()
    assert "HumanTaskConfig.PreHumanTaskLambdaArn" in message and "'gt-pre'" in message
    assert "crowdform hook add gt-pre path/to/handler.py" in message
