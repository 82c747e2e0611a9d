"""Python hooks run unchanged, and see what they would see in AWS Lambda's Python runtime."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from crowdform.hooks import HookInvoker, parse_hook_reference
from crowdform.hooks.environment import SessionCredentials

from .doubles import LogLines

PRE_EVENT = {
    "version": "2018-10-16",
    "labelingJobArn": "arn:aws:sagemaker:eu-west-1:123456789012:labeling-job/receipt-totals",
    "dataObject": {"source-ref": "s3://acme-scans/receipts/000173.png", "store": "Kiosk 4"},
}


def invoker(handlers: Path, reference: str, **options: Any) -> HookInvoker:
    return HookInvoker(parse_hook_reference(reference, base_dir=handlers), name="gt-pre", **options)


def test_file_reference_calls_lambda_handler(handlers: Path) -> None:
    with invoker(handlers, "introspect.py", timeout_s=5) as hook:
        result = hook.invoke(PRE_EVENT)
    assert result["event"] == PRE_EVENT
    assert result["pid"] != os.getpid()


def test_file_reference_with_named_function(handlers: Path) -> None:
    with invoker(handlers, "behaviours.py:echo") as hook:
        assert hook.invoke({"a": [1, 2.5, None, "ü"]}) == {"a": [1, 2.5, None, "ü"]}


def test_folder_with_package_handler_string(handlers: Path) -> None:
    with invoker(handlers, "gt:lambdas.pre.lambda_handler") as hook:
        result = hook.invoke(PRE_EVENT)
    assert result == {
        "taskInput": {"taskObject": "s3://acme-scans/receipts/000173.png"},
        "isHumanAnnotationRequired": True,
    }


def test_handler_imports_its_sibling_module(handlers: Path) -> None:
    with invoker(handlers, "sibling/main.py") as hook:
        result = hook.invoke({"dataObject": {"source": "a receipt"}})
    assert result == {"prompt": "Label this: a receipt"}


def test_module_reference_imports_from_base_dir(handlers: Path) -> None:
    event = {
        "labelAttributeName": "receipt-totals",
        "items": [{"datasetObjectId": "173",
                   "annotations": [{"annotationData": {"content": '{"total": "18.40"}'}}]}],
    }
    with invoker(handlers / "pkgroot", "acme_hooks.consolidate:handle") as hook:
        result = hook.invoke(event)
    assert result == [{"datasetObjectId": "173",
                       "consolidatedAnnotation": {"content": {"receipt-totals": {"total": "18.40"}}}}]


def test_two_main_py_hooks_in_different_folders_do_not_clash(handlers: Path) -> None:
    with invoker(handlers, "alpha/main.py") as alpha, invoker(handlers, "beta:main.lambda_handler") as beta:
        for _ in range(2):
            assert alpha.invoke({}) == {"hook": "alpha", "file": str(handlers / "alpha" / "main.py")}
            assert beta.invoke({}) == {"hook": "beta", "file": str(handlers / "beta" / "main.py")}


def test_working_folder_and_import_path_are_the_task_root(handlers: Path) -> None:
    with invoker(handlers, "introspect.py") as hook:
        result = hook.invoke({})
    assert result["cwd"] == str(handlers)
    assert result["sys_path_0"] == str(handlers)
    assert result["env"]["LAMBDA_TASK_ROOT"] == str(handlers)


def test_environment_has_region_custom_and_only_allowed_server_variables(
    handlers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server's own variables stay out (its S3 endpoint too), apart from the allow-list (TZ...)."""
    monkeypatch.setenv("CROWDFORM_TEST_PARENT_VAR", "from-the-server")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9/the-servers-store")
    monkeypatch.setenv("TZ", "Europe/Paris")
    environment = {"AWS_REGION": "eu-west-1", "LABEL_BUCKET": "acme-labels"}
    with invoker(handlers, "introspect.py", environment=environment) as hook:
        env = hook.invoke({})["env"]
    assert env == {
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_LAMBDA_FUNCTION_NAME": "gt-pre",
        "LAMBDA_TASK_ROOT": str(handlers),
        "LABEL_BUCKET": "acme-labels",
        "CROWDFORM_TEST_PARENT_VAR": None,
        "AWS_ENDPOINT_URL_S3": None,
        "TZ": "Europe/Paris",
    }


def test_reserved_lambda_variables_cannot_be_overridden(handlers: Path) -> None:
    environment = {"AWS_LAMBDA_FUNCTION_NAME": "impostor", "LAMBDA_TASK_ROOT": "/elsewhere"}
    with invoker(handlers, "introspect.py", environment=environment) as hook:
        env = hook.invoke({})["env"]
    assert (env["AWS_LAMBDA_FUNCTION_NAME"], env["LAMBDA_TASK_ROOT"]) == ("gt-pre", str(handlers))


def test_context_looks_like_lambdas(handlers: Path) -> None:
    with invoker(handlers, "introspect.py", timeout_s=3, environment={"AWS_REGION": "eu-west-1"}) as hook:
        first = hook.invoke({})
        second = hook.invoke({})
    context = first["context"]
    assert context["function_name"] == "gt-pre"
    assert context["function_version"] == "$LATEST"
    assert context["invoked_function_arn"] == "arn:aws:lambda:eu-west-1:000000000000:function:gt-pre"
    assert context["memory_limit_in_mb"] == "128"  # a string, as in Lambda
    assert context["log_group_name"] == "/aws/lambda/gt-pre"
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", context["log_stream_name"])
    assert uuid.UUID(context["aws_request_id"]).version == 4
    assert second["context"]["aws_request_id"] != context["aws_request_id"]
    assert second["context"]["log_stream_name"] == context["log_stream_name"]  # same warm process
    before, after = first["remaining"]
    assert 0 < after < before <= 3000


def test_invoked_function_arn_can_be_given(handlers: Path) -> None:
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:GtRecipePre"
    with invoker(handlers, "introspect.py", invoked_function_arn=arn) as hook:
        assert hook.invoke({})["context"]["invoked_function_arn"] == arn


def test_module_state_persists_in_a_warm_process(handlers: Path) -> None:
    with invoker(handlers, "behaviours.py:count") as hook:
        results = [hook.invoke({}) for _ in range(3)]
    assert [r["calls"] for r in results] == [1, 2, 3]
    assert len({r["pid"] for r in results}) == 1


def test_handler_can_write_to_tmp(handlers: Path) -> None:
    path = f"/tmp/crowdform-hook-test-{uuid.uuid4().hex}.txt"
    try:
        with invoker(handlers, "introspect.py:write_tmp") as hook:
            assert hook.invoke({"path": path, "text": "scratch"}) == {"written": path}
        assert Path(path).read_text() == "scratch"
    finally:
        Path(path).unlink(missing_ok=True)


def test_printed_output_goes_to_the_log_not_the_reply(handlers: Path, log: LogLines) -> None:
    with invoker(handlers, "behaviours.py:chatty", log=log) as hook:
        result = hook.invoke({})
        # every line printed during the call is logged by the time invoke() returns
        stdout, stderr = log.text("stdout").splitlines(), log.text("stderr").splitlines()
    assert result == {"taskInput": {"ok": True}, "isHumanAnnotationRequired": "true"}
    assert stdout[:2] == ["plain print line", '{"looks": "like a reply"}']
    assert re.fullmatch(
        r"\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t[0-9a-f-]{36}\tlogged with logging", stdout[2]
    )
    assert stdout[3:] == ["no newline at the end"]  # a partial last line is ended with the call
    assert stderr == ["to stderr"]


def test_decimals_are_encoded_as_numbers_like_lambda_does(handlers: Path) -> None:
    with invoker(handlers, "behaviours.py:decimals") as hook:
        assert hook.invoke({}) == {"whole": 3, "part": 1.5}


def test_large_events_and_results_cross_the_pipe_intact(handlers: Path) -> None:
    event = {"items": [{"datasetObjectId": str(i), "text": "ü" * 300} for i in range(10_000)]}  # ~6 MB
    with invoker(handlers, "behaviours.py:echo") as hook:
        assert hook.invoke(event) == event
        assert hook.invoke({"small": True}) == {"small": True}


def test_output_printed_while_loading_is_logged_before_the_first_reply(tmp_path: Path, log: LogLines) -> None:
    (tmp_path / "pre.py").write_text(
        "print('loading the model')\n"
        "def lambda_handler(event, context):\n"
        "    print('handling')\n"
        "    return 'done'\n"
    )
    with invoker(tmp_path, "pre.py", log=log) as hook:
        assert hook.invoke({}) == "done"
        assert log.lines == [("stdout", "loading the model"), ("stdout", "handling")]


def test_handler_file_named_like_a_standard_module(tmp_path: Path) -> None:
    (tmp_path / "json.py").write_text(
        "import json\n"
        "def lambda_handler(event, context):\n"
        "    return json.dumps(event, sort_keys=True)\n"
    )
    with invoker(tmp_path, "json.py") as hook:
        assert hook.invoke({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'


def test_credentials_are_set_per_process_and_a_process_is_replaced_before_they_end(handlers: Path) -> None:
    """Long-lived credentials keep a process warm; ones that end within the margin are replaced by a
    fresh process with new ones, as a Lambda environment's role credentials are renewed."""
    issued: list[str] = []

    def credentials(lifetime_s: float) -> Any:
        def issue() -> SessionCredentials:
            issued.append(f"ASIA{len(issued):016d}")
            return SessionCredentials(issued[-1], "secret", f"token-{len(issued)}", lifetime_s)
        return issue

    with invoker(handlers, "credentials.py", credentials=credentials(43_200)) as hook:
        first, second = hook.invoke({}), hook.invoke({})
    assert first == second and (first["key"], first["token"]) == ("ASIA0000000000000000", "token-1")
    assert len(issued) == 1
    issued.clear()
    with invoker(handlers, "credentials.py", credentials=credentials(60)) as hook:
        first, second = hook.invoke({}), hook.invoke({})
    assert (first["key"], second["key"]) == ("ASIA0000000000000000", "ASIA0000000000000001")
    assert first["pid"] != second["pid"]
