"""Parsing hook references: every accepted form, and a useful InvalidInput for every bad one."""

from __future__ import annotations

from pathlib import Path

import pytest

from crowdform.errors import InvalidInput
from crowdform.hooks import parse_hook_reference


def test_file_alone_calls_lambda_handler(handlers: Path) -> None:
    ref = parse_hook_reference("introspect.py", base_dir=handlers)
    assert (ref.kind, ref.file, ref.task_root, ref.function, ref.module) == (
        "python", handlers / "introspect.py", handlers, "lambda_handler", None
    )
    assert str(ref) == "introspect.py"


def test_file_with_function(handlers: Path) -> None:
    ref = parse_hook_reference("behaviours.py:echo", base_dir=handlers)
    assert (ref.file, ref.function) == (handlers / "behaviours.py", "echo")


def test_absolute_path_ignores_base_dir(handlers: Path, tmp_path: Path) -> None:
    ref = parse_hook_reference(f"{handlers}/alpha/main.py", base_dir=tmp_path)
    assert ref.task_root == handlers / "alpha"


def test_folder_with_lambda_handler_string(handlers: Path) -> None:
    ref = parse_hook_reference("gt:lambdas.pre.lambda_handler", base_dir=handlers)
    assert (ref.kind, ref.task_root, ref.module, ref.function, ref.file) == (
        "python", handlers / "gt", "lambdas.pre", "lambda_handler", None
    )


def test_importable_module_with_function(handlers: Path) -> None:
    ref = parse_hook_reference("acme_hooks.consolidate:handle", base_dir=handlers / "pkgroot")
    assert (ref.task_root, ref.module, ref.function) == (
        handlers / "pkgroot", "acme_hooks.consolidate", "handle"
    )


def test_installed_module_is_accepted(tmp_path: Path) -> None:
    ref = parse_hook_reference("json.decoder:JSONDecoder", base_dir=tmp_path)
    assert (ref.module, ref.function) == ("json.decoder", "JSONDecoder")


@pytest.mark.parametrize("url", ["http://127.0.0.1:9000/pre", "HTTPS://hooks.example.org/post?x=1"])
def test_urls(url: str, tmp_path: Path) -> None:
    ref = parse_hook_reference(f"  {url} ", base_dir=tmp_path)
    assert (ref.kind, ref.url, ref.file, ref.task_root) == ("http", url, None, None)


@pytest.mark.parametrize(
    ("text", "message", "fix"),
    [
        ("", "empty", "Write 'path/to/file.py'"),
        ("missing.py", "does not exist", "Check the path"),
        ("missing.py:handler", "does not exist", "Check the path"),
        ("no/such/folder:pre.lambda_handler", "does not exist", "Check the path"),
        ("gt", "does not say which function", "gt:lambda_function.lambda_handler"),
        ("pre.lambda_handler", "needs the folder", "<folder>:pre.lambda_handler"),
        ("gt:lambda_handler", "not a Lambda handler string", "gt:lambda_function.lambda_handler"),
        ("behaviours.py:lambdas.echo", "not a function name", "pre.py:lambda_handler"),
        ("behaviours.py:", "nothing after the ':'", "':lambda_handler'"),
        (":handler", "nothing before the ':'", "Write 'path/to/file.py'"),
        ("README.md", "not a .py file", "Write 'path/to/file.py'"),
        ("README.md:handler", "neither a folder nor a .py file", "Write 'path/to/file.py'"),
        ("no_such_module_xyz.sub:handler", "no module 'no_such_module_xyz'", "Check the spelling"),
        ("s3://bucket/hook.py", "only http:// and https://", "Write 'path/to/file.py'"),
        ("arn:aws:lambda:us-east-1:123456789012:function:pre", "ARN", "'folder:module.function'"),
        ("http://", "no host", "http://127.0.0.1:9000/pre"),
    ],
)
def test_malformed_references_say_what_to_do(text: str, message: str, fix: str, handlers: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_hook_reference(text, base_dir=handlers)
    error = caught.value
    assert error.source == "hook reference"
    assert message in str(error)
    assert fix in str(error)
    assert error.problems[0].value == text.strip()


def test_missing_file_message_shows_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=str(tmp_path / "hooks" / "pre.py")):
        parse_hook_reference("hooks/pre.py", base_dir=tmp_path)
