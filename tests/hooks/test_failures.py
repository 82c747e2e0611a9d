"""Every way a hook can fail ends in a readable HookError, and the invoker keeps working after it."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from crowdform.errors import HookError
from crowdform.hooks import HookInvoker, parse_hook_reference

from .doubles import LogLines


def invoker(base_dir: Path, reference: str, **options: Any) -> HookInvoker:
    return HookInvoker(parse_hook_reference(reference, base_dir=base_dir), name="gt-post", **options)


def test_handler_exception_is_reported_and_the_process_stays_warm(handlers: Path, log: LogLines) -> None:
    with invoker(handlers, "behaviours.py:explode", log=log) as hook:
        with pytest.raises(HookError) as caught:
            hook.invoke({"source-ref": "s3://b/1.png"})
        message = str(caught.value)
        assert message == (
            "Hook 'gt-post' (behaviours.py:explode) raised ValueError: cannot label s3://b/1.png"
        )
        stderr = log.text("stderr")
        assert stderr.startswith("[ERROR] ValueError: cannot label s3://b/1.png\nTraceback")
        assert f'File "{handlers / "behaviours.py"}", line' in stderr
        assert "crowdform/hooks/child.py" not in stderr  # the traceback starts at the handler
        assert "about to fail" in log.text("stdout")
        pid = hook.process_ids
        with pytest.raises(HookError, match="cannot label s3://b/2.png"):
            hook.invoke({"source-ref": "s3://b/2.png"})
        assert hook.process_ids == pid


def test_hook_that_hangs_is_killed_with_what_it_started(handlers: Path, tmp_path: Path) -> None:
    pid_file = tmp_path / "sleeper.pid"
    with invoker(handlers, "behaviours.py:hang", timeout_s=1.0) as hook:
        with pytest.raises(HookError, match=r"'gt-post' \(behaviours.py:hang\) timed out after 1 s"):
            hook.invoke({"pid_file": str(pid_file)})
        assert hook.process_ids == []
        assert _ends_soon(int(pid_file.read_text()))  # the `sleep 60` it started was killed too
    with invoker(handlers, "behaviours.py:count", timeout_s=1.0) as hook:
        assert hook.invoke({})["calls"] == 1


def test_invoker_works_again_after_a_timeout(handlers: Path) -> None:
    with invoker(handlers, "behaviours.py:nap", timeout_s=0.5) as hook:
        with pytest.raises(HookError, match="timed out after 0.5 s"):
            hook.invoke({"seconds": 30})
        killed = hook.process_ids
        result = hook.invoke({"seconds": 0})
        assert result["pid"] not in killed
        assert hook.process_ids == [result["pid"]]


def test_crash_reports_the_exit_code_and_the_next_call_gets_a_fresh_process(handlers: Path) -> None:
    reference = parse_hook_reference("behaviours.py:exit_three", base_dir=handlers)
    with HookInvoker(reference, name="gt-post") as hook:
        with pytest.raises(HookError, match="its process exited with code 3"):
            hook.invoke({})
        assert hook.process_ids == []
        with pytest.raises(HookError, match="exited with code 3"):
            hook.invoke({})


def test_killed_process_reports_the_signal_then_recovers(handlers: Path) -> None:
    with invoker(handlers, "behaviours.py:kill_self") as crashing, invoker(handlers, "behaviours.py:count") as healthy:
        with pytest.raises(HookError, match="killed by signal SIGKILL"):
            crashing.invoke({})
        assert healthy.invoke({})["calls"] == 1  # the server and other hooks are untouched


def test_crash_then_success_uses_a_new_process(tmp_path: Path) -> None:
    (tmp_path / "hook.py").write_text(
        "import os\n"
        "def lambda_handler(event, context):\n"
        "    if event.get('crash'):\n"
        "        os._exit(3)\n"
        "    return os.getpid()\n"
    )
    with invoker(tmp_path, "hook.py") as hook:
        first = hook.invoke({})
        with pytest.raises(HookError, match="code 3"):
            hook.invoke({"crash": True})
        second = hook.invoke({})
    assert first != second


def test_unserialisable_return_value(handlers: Path) -> None:
    with invoker(handlers, "behaviours.py:unserialisable") as hook:
        with pytest.raises(HookError, match="returned a value that is not JSON: Unable to marshal "
                                            "response: Object of type set is not JSON serializable"):
            hook.invoke({})


def test_syntax_error_names_file_and_line(tmp_path: Path, log: LogLines) -> None:
    hook_file = tmp_path / "pre.py"
    hook_file.write_text("def lambda_handler(event, context):\n    return {\n\ndef other(:\n    pass\n")
    with invoker(tmp_path, "pre.py", log=log) as hook:
        with pytest.raises(HookError) as caught:
            hook.invoke({})
        assert str(caught.value).startswith(f"Hook 'gt-post' (pre.py) could not be loaded: SyntaxError in {hook_file}, line ")
        assert "SyntaxError" in log.text("stderr")
        hook_file.write_text("def lambda_handler(event, context):\n    return 'fixed'\n")
        assert hook.invoke({}) == "fixed"  # a failed load is retried from scratch


def test_import_time_error_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "pre.py").write_text("import os\nCONFIG = os.environ['NOT_SET_ANYWHERE_XYZ']\n")
    with invoker(tmp_path, "pre.py") as hook:
        with pytest.raises(HookError, match=rf"could not be loaded: KeyError in {tmp_path / 'pre.py'}, line 2: 'NOT_SET_ANYWHERE_XYZ'"):
            hook.invoke({})


def test_missing_module_and_missing_function(handlers: Path) -> None:
    with invoker(handlers, "gt:lambdas.post.lambda_handler") as hook:
        with pytest.raises(HookError, match="could not be loaded: ModuleNotFoundError: No module named 'lambdas.post'"):
            hook.invoke({})
    with invoker(handlers, "behaviours.py:nope") as hook:
        with pytest.raises(HookError, match="Handler 'nope' missing on module 'behaviours'"):
            hook.invoke({})


def test_retries_until_success(handlers: Path, tmp_path: Path, log: LogLines) -> None:
    state = tmp_path / "calls.json"
    with invoker(handlers, "behaviours.py:flaky", log=log) as hook:
        result = hook.invoke({"state_file": str(state), "fail_times": 2}, attempts=3, backoff_s=0.01)
    assert result == {"succeeded_on_call": 3}
    assert log.text("stderr").count("RuntimeError: transient failure") == 4  # 2 failures, 2 lines each


def test_final_error_says_how_many_attempts(handlers: Path, tmp_path: Path) -> None:
    state = tmp_path / "calls.json"
    with invoker(handlers, "behaviours.py:flaky") as hook:
        with pytest.raises(HookError) as caught:
            hook.invoke({"state_file": str(state), "fail_times": 5}, attempts=2, backoff_s=0.01)
    assert str(caught.value) == (
        "Hook 'gt-post' (behaviours.py:flaky) failed 2 attempts; the last one raised RuntimeError: transient failure 2"
    )
    assert json.loads(state.read_text()) == 2


def _ends_soon(pid: int, within_s: float = 5.0) -> bool:
    """SIGKILL is delivered asynchronously: give the process a moment to be gone (or a zombie)."""
    give_up = time.monotonic() + within_s
    while time.monotonic() < give_up:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.01)
    return False


def test_process_that_died_while_idle_is_replaced_before_the_next_call(handlers: Path) -> None:
    with invoker(handlers, "behaviours.py:count") as hook:
        first = hook.invoke({})
        psutil.Process(first["pid"]).kill()  # e.g. the OOM killer, between two calls
        psutil.Process(first["pid"]).wait(5)
        second = hook.invoke({})
    assert second == {"calls": 1, "pid": second["pid"]}
    assert second["pid"] != first["pid"]
