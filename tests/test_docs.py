"""The docs generated from code are current, and the hand-written ones keep their promised shape.

``docs/settings.md`` is :func:`crowdform.settings.settings_reference`; ``docs/cli.md`` is the ``--help`` of
every ``crowdform`` command, rendered in-process with a fixed, plain terminal. When either is stale,
regenerate both with::

    .venv/bin/python -m tests.test_docs
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from crowdform.cli.main import app
from crowdform.settings import settings_reference

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
PACKAGE = REPO / "src" / "crowdform"
REGENERATE = ".venv/bin/python -m tests.test_docs"

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# A plain 100-column terminal, whatever the one running the tests or the generator looks like.
HELP_ENV: dict[str, str | None] = {
    "NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb", "LINES": None, "FORCE_COLOR": None, "PY_COLORS": None,
    "CLICOLOR_FORCE": None, "TTY_COMPATIBLE": None, "TTY_INTERACTIVE": None, "TERMINAL_WIDTH": None,
}


def settings_doc() -> str:
    return settings_reference()


def command_paths(command: object = None, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path of the app, groups before their commands, in the order ``--help`` lists them."""
    command = command if command is not None else get_command(app)
    paths = [prefix]
    for name, sub in getattr(command, "commands", {}).items():
        if not getattr(sub, "hidden", False):
            paths += command_paths(sub, (*prefix, name))
    return paths


@contextmanager
def _plain_typer_help() -> Iterator[None]:
    """Typer reads TERMINAL_WIDTH, FORCE_COLOR and GITHUB_ACTIONS once, at import: pin what they decided."""
    from typer import rich_utils

    saved = rich_utils.MAX_WIDTH, rich_utils.FORCE_TERMINAL
    rich_utils.MAX_WIDTH, rich_utils.FORCE_TERMINAL = None, False
    try:
        yield
    finally:
        rich_utils.MAX_WIDTH, rich_utils.FORCE_TERMINAL = saved


def help_text(path: tuple[str, ...]) -> str:
    with _plain_typer_help():
        result = CliRunner().invoke(app, [*path, "--help"], prog_name="crowdform", env=HELP_ENV)
    if result.exit_code != 0:
        raise RuntimeError(f"`crowdform {' '.join(path)} --help` failed ({result.exit_code}):\n{result.output}")
    lines = [line.rstrip() for line in ANSI.sub("", result.output).splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def cli_doc() -> str:
    root = get_command(app)
    out = [
        "# Command line",
        "",
        "Generated from the Typer app in `crowdform.cli.main` by `tests/test_docs.py`; do not edit by hand.",
        f"Regenerate with `{REGENERATE}`.",
        "",
        "Every command that opens the data folder takes `--data-dir` and `--database-url`; settings also come",
        "from `<data dir>/crowdform.toml` and `CROWDFORM_*` variables (see [settings.md](settings.md)). A",
        "command that is refused prints one `error:` line (or a list of problems) to stderr and exits with 1.",
        "",
        "| command | what it does |",
        "| --- | --- |",
    ]
    for path in command_paths()[1:]:
        command = root
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        summary = command.get_short_help_str(limit=200)
        out.append(f"| [`crowdform {' '.join(path)}`](#crowdform-{'-'.join(path)}) | {summary} |")
    for path in command_paths():
        out += ["", f"## crowdform{''.join(' ' + p for p in path)}", "", "```text", help_text(path), "```"]
    return "\n".join(out) + "\n"


GENERATED: dict[str, Callable[[], str]] = {"settings.md": settings_doc, "cli.md": cli_doc}


def write_docs() -> list[str]:
    """Regenerate every generated page; returns the names of those that changed."""
    changed = []
    for name, generate in GENERATED.items():
        path = DOCS / name
        text = generate()
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(name)
    return changed


@pytest.mark.parametrize("name", list(GENERATED))
def test_generated_reference_is_current(name: str) -> None:
    path = DOCS / name
    expected = GENERATED[name]()
    if not path.is_file():
        pytest.fail(f"docs/{name} is missing. Generate it with: {REGENERATE}", pytrace=False)
    actual = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(list(difflib.unified_diff(actual.splitlines(True), expected.splitlines(True),
                                                 f"docs/{name}", "generated"))[:40])
        pytest.fail(f"docs/{name} is out of date. Regenerate it with: {REGENERATE}\n{diff}", pytrace=False)


def test_cli_doc_holds_the_help_of_every_command() -> None:
    doc = cli_doc()
    paths = command_paths()
    assert ("job", "create") in paths and ("admin", "token") in paths and ("serve",) in paths
    for path in paths:
        usage = f"Usage: crowdform {' '.join(path)}".replace("  ", " ").rstrip()
        assert usage + " [OPTIONS]" in doc, path
    assert "--from-request" in doc and "--workers-per-object" in doc and "--setup-only" in doc
    assert "\x1b[" not in doc and not any(line != line.rstrip() for line in doc.splitlines())


def test_cli_doc_does_not_depend_on_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = help_text(("job", "create"))
    monkeypatch.setenv("COLUMNS", "50")
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert help_text(("job", "create")) == expected
    assert max(len(line) for line in expected.splitlines()) == 100


def test_architecture_doc_names_every_package_folder() -> None:
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert "engine" in folders and "cli" in folders
    missing = [name for name in folders if f"`{name}/`" not in text]
    assert not missing, f"docs/architecture.md does not describe these folders of src/crowdform: {missing}"


def test_changelog_has_an_unreleased_section_with_breaking_changes() -> None:
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^(#+) (.+)$", text, flags=re.MULTILINE)
    assert headings[0] == ("#", "Changelog")
    assert headings[1] == ("##", "Unreleased")
    unreleased = text.split("## Unreleased", 1)[1].split("\n## ", 1)[0]
    assert "### Breaking changes" in unreleased


if __name__ == "__main__":
    written = write_docs()
    print("rewrote " + ", ".join(f"docs/{n}" for n in written) if written else "docs are current", file=sys.stderr)
