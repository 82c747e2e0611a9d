"""``crowdform hook add --requirements`` and ``--zip --handler``: the hook's own environment, built at
``hook add`` (offline: pip reads a wheel folder the test builds), refused with the requirement named,
and checked again when a job names the hook."""

from __future__ import annotations

import shlex
import zipfile
from pathlib import Path

from crowdform.demo import prepare_example
from crowdform.engine.hook_registry import HookRegistry
from crowdform.engine.jobs import Jobs
from crowdform.engine.workforce import Workforce
from tests.cli.test_main import open_cli_runtime, run_crowdform
from tests.hooks.wheels import build_wheel

HANDLER = '''import importlib.util
import idna
import vendored


def lambda_handler(event, context):
    return {"idna": idna.__version__, "vendored": vendored.VALUE,
            "crowdform": importlib.util.find_spec("crowdform") is not None}
'''


def pip_options(folder: Path) -> dict[str, str]:
    return {"CROWDFORM_HOOK_PIP_OPTIONS": shlex.join(["--no-index", "--find-links", str(folder)])}


def test_a_deployment_package_with_requirements_runs_in_its_own_environment(tmp_path: Path) -> None:
    build_wheel(tmp_path / "wheels", "idna", "1.4.2", '__version__ = "1.4.2"\n')
    (tmp_path / "requirements.txt").write_text("idna==1.4.2\n")
    with zipfile.ZipFile(tmp_path / "function.zip", "w") as package:
        package.writestr("lambda_function.py", HANDLER)
        package.writestr("vendored.py", "VALUE = 'from the zip'\n")
    added = run_crowdform(tmp_path, "hook", "add", "gt-post", "--zip", "function.zip", "--handler",
                          "lambda_function.lambda_handler", "--requirements", "requirements.txt",
                          env=pip_options(tmp_path / "wheels"), timeout=300)
    assert added.code == 0, added
    assert "(own environment)" in added.out and "hook-code" in added.out
    listed = run_crowdform(tmp_path, "hook", "list")
    assert "own (1 requirements)" in listed.out, listed

    runtime = open_cli_runtime(tmp_path)
    try:
        registry = HookRegistry(runtime)
        [hook] = registry.list()
        with registry.invoker(hook, role_arn=None) as invoker:
            assert invoker.invoke({}) == {"idna": "1.4.2", "vendored": "from the zip", "crowdform": False}
    finally:
        runtime.close()


def test_hook_add_names_the_requirement_pip_cannot_install(tmp_path: Path) -> None:
    (tmp_path / "wheels").mkdir()
    (tmp_path / "handler.py").write_text("def lambda_handler(event, context):\n    return {}\n")
    (tmp_path / "requirements.txt").write_text("# pinned\nno-such-package-crowdform-test==2.0\n")
    message = run_crowdform(tmp_path, "hook", "add", "h", "handler.py", "--requirements", "requirements.txt",
                            env=pip_options(tmp_path / "wheels"), timeout=300).error()
    assert "'no-such-package-crowdform-test==2.0'" in message and "pip" in message, message
    assert "hook_pip_options" in message, message
    listed = run_crowdform(tmp_path, "hook", "list")
    assert "handler.py" not in listed.out


def test_a_handler_that_cannot_import_in_its_environment_is_refused_at_hook_add(tmp_path: Path) -> None:
    """crowdform's own packages are not in a hook's environment: a handler importing one does not start."""
    (tmp_path / "handler.py").write_text("import sqlalchemy\n\ndef lambda_handler(event, context):\n    return {}\n")
    (tmp_path / "requirements.txt").write_text("")
    message = run_crowdform(tmp_path, "hook", "add", "h", "handler.py", "--requirements", "requirements.txt",
                            timeout=300).error()
    assert "cannot start" in message and "sqlalchemy" in message and "handler.py, line 1" in message, message


def test_a_job_is_not_created_when_its_hooks_environment_cannot_be_built(tmp_path: Path) -> None:
    prepare_example(tmp_path / "example")
    build_wheel(tmp_path / "wheels", "idna", "1.4.2", '__version__ = "1.4.2"\n')
    (tmp_path / "requirements.txt").write_text("idna==1.4.2\n")
    added = run_crowdform(tmp_path, "hook", "add", "animal-pre", "example/pre_annotation.py",
                          "--requirements", "requirements.txt", env=pip_options(tmp_path / "wheels"), timeout=300)
    assert added.code == 0, added
    runtime = open_cli_runtime(tmp_path)
    try:
        Workforce(runtime).create_team("animal-team")
    finally:
        runtime.close()
    # The data folder loses the environment (a new host on the same database), and pip cannot reach the wheel.
    for ready in (tmp_path / "data" / "hook-environments").glob("*/ready"):
        ready.unlink()
    (tmp_path / "empty").mkdir()
    arn = "arn:aws:lambda:us-east-1:123456789012:function:animal-pre"
    message = run_crowdform(tmp_path, "job", "create", "by-arn", "--manifest", "example/manifest.jsonl",
                            "--template", "example/template.liquid.html", "--team", "animal-team",
                            "--output", "out/", "--pre-hook", arn, env=pip_options(tmp_path / "empty"),
                            timeout=300).error()
    assert "hook animal-pre" in message and "'idna==1.4.2'" in message, message
    runtime = open_cli_runtime(tmp_path)
    try:
        assert Jobs(runtime).list_jobs() == []
    finally:
        runtime.close()
