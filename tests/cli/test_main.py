"""The ``crowdform`` command as a user runs it: a real process, its output and its exit code.

This module also holds the runner the other CLI tests use (:func:`run_crowdform`). Each run starts
``python -m crowdform`` with a clean ``CROWDFORM_*`` environment, ``CROWDFORM_STORAGE_ROOTS`` set to
the test's folder, and plain (uncoloured, wide) output, so messages can be compared as text.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import crowdform
from crowdform.engine.runtime import Runtime
from crowdform.engine.workforce import Workforce
from crowdform.settings import Settings

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# Variables that would make rich colour or resize its output whatever NO_COLOR says.
_STYLING_VARIABLES = ("FORCE_COLOR", "PY_COLORS", "CLICOLOR_FORCE", "TTY_COMPATIBLE", "TTY_INTERACTIVE",
                      "TERMINAL_WIDTH", "GITHUB_ACTIONS", "COLUMNS", "LINES")


class Run:
    """A finished ``crowdform`` process: exit code and its (ANSI-free) stdout and stderr."""

    def __init__(self, argv: list[str], done: subprocess.CompletedProcess[str]) -> None:
        self.argv = argv
        self.code = done.returncode
        self.out = ANSI.sub("", done.stdout)
        self.err = ANSI.sub("", done.stderr)

    def __repr__(self) -> str:  # shown by pytest when an assertion about a run fails
        return f"Run(code={self.code}, argv={self.argv[3:]}, out={self.out!r}, err={self.err!r})"

    def error(self) -> str:
        """The one error message of a failed command, with the checks every refusal must pass."""
        assert self.code == 1, self
        assert "Traceback" not in self.err, self
        assert self.err.startswith("error: "), self
        return self.err


def cli_env(tmp_path: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROWDFORM_") and k not in _STYLING_VARIABLES}
    env.update(CROWDFORM_STORAGE_ROOTS=str(tmp_path), NO_COLOR="1", TERM="dumb", COLUMNS="200")
    env.update(extra or {})
    return env


def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def run_crowdform(tmp_path: Path, *args: str, env: dict[str, str] | None = None, with_data_dir: bool = True,
                  timeout: float = 60) -> Run:
    """``crowdform ARGS [--data-dir tmp_path/data]``, run in ``tmp_path``."""
    argv = [sys.executable, "-m", "crowdform", *args]
    if with_data_dir:
        argv += ["--data-dir", str(data_dir(tmp_path))]
    done = subprocess.run(argv, cwd=tmp_path, env=cli_env(tmp_path, env), capture_output=True, text=True,
                          timeout=timeout)
    return Run(argv, done)


def open_cli_runtime(tmp_path: Path, **settings: Any) -> Runtime:
    """The runtime the CLI opens for ``--data-dir tmp_path/data``: to arrange state and inspect results."""
    return Runtime.open(Settings(data_dir=data_dir(tmp_path), storage_roots=(tmp_path,), **settings))


# ------------------------------------------------------------------------------------------------ help

GROUPS = {
    "": ["serve", "demo", "render", "preview", "consolidate", "version", "job", "team", "worker", "hook", "admin",
         "credentials", "secrets"],
    "job": ["create", "list", "describe", "stop", "retry-consolidation", "wait", "logs"],
    "team": ["create", "list"],
    "worker": ["add", "invite", "list", "deactivate", "activate"],
    "hook": ["add", "list"],
    "admin": ["create", "token"],
    "credentials": ["create", "list", "revoke"],
    "secrets": ["rotate"],
}


@pytest.mark.parametrize("group", list(GROUPS), ids=[g or "crowdform" for g in GROUPS])
def test_help_of_every_group_lists_its_commands(tmp_path: Path, group: str) -> None:
    run = run_crowdform(tmp_path, *group.split(), "--help", with_data_dir=False)
    assert run.code == 0, run
    usage = rf"Usage: (python -m )?crowdform{' ' + group if group else ''} \[OPTIONS\] COMMAND \[ARGS\]\.\.\."
    assert re.search(usage, run.out), run
    listed = re.findall(r"^│ (\S+) ", run.out.split("Commands")[1], flags=re.MULTILINE)
    assert listed == GROUPS[group]
    assert run.err == ""
    assert not data_dir(tmp_path).exists()  # help touches nothing


def test_version_prints_the_installed_version(tmp_path: Path) -> None:
    run = run_crowdform(tmp_path, "version", with_data_dir=False)
    assert run.code == 0 and run.err == ""
    assert run.out == f"{crowdform.__version__}\n"
    assert importlib.metadata.version("crowdform") == crowdform.__version__


# ------------------------------------------------------------------------------------------------ settings

@pytest.mark.parametrize(("setup", "env", "expected"), [
    pytest.param(None, {"CROWDFORM_HOOK_TIMEOUT": "3"},
                 ["environment", "'hook_timeout'", "unknown setting", "Did you mean 'hook_timeout_seconds'?"],
                 id="unknown-variable"),
    pytest.param(None, {"CROWDFORM_PORT": "eighty"}, ["environment", "'port'", "cannot read the value", "'eighty'"],
                 id="bad-value"),
    pytest.param("hook_timout_seconds = 3\n", {}, ["crowdform.toml", "'hook_timout_seconds'",
                                                   "Did you mean 'hook_timeout_seconds'?"], id="config-file-typo"),
])
def test_bad_settings_stop_the_command_and_name_the_fix(tmp_path: Path, setup: str | None, env: dict[str, str],
                                                        expected: list[str]) -> None:
    if setup is not None:
        data_dir(tmp_path).mkdir()
        (data_dir(tmp_path) / "crowdform.toml").write_text(setup)
    run = run_crowdform(tmp_path, "team", "create", "t1", env=env)
    message = run.error()
    for part in expected:
        assert part in message, run
    assert run.out == ""
    assert not (data_dir(tmp_path) / "crowdform.db").exists()  # refused before anything was opened


def test_database_url_comes_from_the_flag_or_the_environment(tmp_path: Path, database_url: str) -> None:
    created = run_crowdform(tmp_path, "team", "create", "elsewhere", "--database-url", database_url)
    assert created.code == 0, created
    from_env = run_crowdform(tmp_path, "team", "list", env={"CROWDFORM_DATABASE_URL": database_url})
    assert from_env.code == 0 and re.search(r"│ elsewhere\s+│ 0\s+│", from_env.out), from_env
    default = open_cli_runtime(tmp_path)  # SQLite in the data folder: a different database
    try:
        assert Workforce(default).list_teams() == []
    finally:
        default.close()


# ------------------------------------------------------------------------------------------------ usage errors

@pytest.mark.parametrize(("args", "expected"), [
    (["frobnicate"], "frobnicate"),
    (["worker", "add", "alice"], "--team"),
], ids=["unknown-command", "missing-option"])
def test_usage_errors_print_a_message_and_exit_2(tmp_path: Path, args: list[str], expected: str) -> None:
    run = run_crowdform(tmp_path, *args)
    assert "Traceback" not in run.err, run
    assert run.code == 2, run
    assert expected in run.err


def test_error_messages_print_literally_brackets_included(tmp_path: Path) -> None:
    """A refusal's hint quotes a pattern with brackets; the console must not read it as markup."""
    refused = run_crowdform(tmp_path, "team", "create", "[bold]x[/bold]")
    message = refused.error()
    assert "'[bold]x[/bold]'" in message
    job = run_crowdform(tmp_path, "job", "describe", "[red]nope[/red]")
    assert "'[red]nope[/red]'" in job.error()
