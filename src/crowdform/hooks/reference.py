"""Hook references: the one string a user writes to say which code runs as a hook.

Users bring AWS Lambda handlers and run them unchanged, so a reference names either a Python
function (found the way Lambda finds it, with a folder playing Lambda's task root) or an HTTP
endpoint. The forms are:

* ``path/to/file.py`` (calls ``lambda_handler``) or ``path/to/file.py:function``;
* ``folder:dotted.module.function`` -- a Lambda handler string with ``folder`` as the task root,
  e.g. ``hooks/gt:lambdas.pre.lambda_handler`` imports ``lambdas/pre.py`` from ``hooks/gt``;
* ``module.path:function`` -- an importable module, with the base folder on ``sys.path`` too;
* ``http://...`` or ``https://...`` -- the event is POSTed as JSON, the JSON reply is the result.

Relative paths resolve against the folder the reference was written in (``base_dir``). Parsing
checks the shape and that files and folders exist, so a typo fails when the job is created rather
than on the first data object. AWS Lambda ARNs and built-in names (``PRE-...``, ``ACS-...``) are
mapped by the engine before it gets here.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from crowdform.errors import InvalidInput

DEFAULT_FUNCTION = "lambda_handler"
SOURCE = "hook reference"
FORMS = (
    "Write 'path/to/file.py', 'path/to/file.py:function', 'folder:module.function' "
    "(a Lambda handler string with the folder holding your code), 'module.path:function', "
    "or an http(s):// URL"
)


@dataclass(frozen=True)
class HookReference:
    """Where a hook's code lives, resolved to absolute paths.

    ``kind`` is ``"python"`` or ``"http"``. A Python hook runs with ``task_root`` as its working
    folder and first ``sys.path`` entry; it is loaded from ``file`` (file form) or imported as
    ``module`` (folder and module forms), and ``function`` is called. An HTTP hook has ``url``.
    ``text`` is the reference as written, for messages.
    """

    text: str
    kind: Literal["python", "http"]
    task_root: Path | None = None
    module: str | None = None
    file: Path | None = None
    function: str = DEFAULT_FUNCTION
    url: str | None = None

    def __str__(self) -> str:
        return self.text


def parse_hook_reference(text: str, *, base_dir: Path) -> HookReference:
    """Parse and check ``text``; raise :class:`InvalidInput` naming the reference and the fix."""
    reference = text.strip()
    if not reference:
        raise _invalid(text, "the hook reference is empty")
    lowered = reference.lower()
    if lowered.startswith(("http://", "https://")):
        return _http(reference)
    if "://" in reference:
        raise _invalid(reference, "only http:// and https:// URLs can be called as hooks")
    if lowered.startswith("arn:"):
        raise _invalid(
            reference,
            "an AWS Lambda ARN cannot be run locally as it is",
            hint="Point the job at the handler's code instead: 'folder:module.function' or 'file.py'",
        )
    location, colon, function = reference.rpartition(":")
    if not colon:
        return _file_without_function(reference, base_dir)
    if not location:
        raise _invalid(reference, "nothing before the ':'")
    if not function:
        raise _invalid(reference, "nothing after the ':'", hint="Name the function to call, e.g. ':lambda_handler'")
    if location.endswith(".py"):
        return _file(reference, _resolve(location, base_dir), function)
    folder = _resolve(location, base_dir)
    if folder.is_dir():
        return _folder(reference, folder, function)
    if folder.exists():
        raise _invalid(reference, f"{location!r} is neither a folder nor a .py file")
    if _is_dotted_name(location):
        return _module(reference, location, function, base_dir)
    raise _invalid(
        reference,
        f"the folder {folder} does not exist",
        hint=_path_hint(reference),
    )


def _http(reference: str) -> HookReference:
    parts = urlsplit(reference)
    if not parts.hostname:
        raise _invalid(reference, "the URL has no host", hint="Write it like 'http://127.0.0.1:9000/pre'")
    return HookReference(text=reference, kind="http", url=reference)


def _file_without_function(reference: str, base_dir: Path) -> HookReference:
    if reference.endswith(".py"):
        return _file(reference, _resolve(reference, base_dir), DEFAULT_FUNCTION)
    path = _resolve(reference, base_dir)
    if path.is_dir():
        raise _invalid(
            reference,
            "a folder alone does not say which function to call",
            hint=f"Add the Lambda handler string, e.g. '{reference}:lambda_function.lambda_handler'",
        )
    if path.is_file():
        raise _invalid(reference, "not a .py file", hint=FORMS)
    if _is_dotted_name(reference) and "." in reference:
        raise _invalid(
            reference,
            "a Lambda handler string needs the folder that holds the code",
            hint=f"Write '<folder>:{reference}', e.g. '.:{reference}'",
        )
    raise _invalid(reference, "not a .py file, a folder with a handler, or a URL", hint=FORMS)


def _file(reference: str, path: Path, function: str) -> HookReference:
    if not function.isidentifier():
        raise _invalid(
            reference,
            f"{function!r} is not a function name",
            hint="After a .py file give just the function, e.g. 'pre.py:lambda_handler'",
        )
    if not path.is_file():
        raise _invalid(
            reference,
            f"the file {path} does not exist",
            hint=_path_hint(reference),
        )
    return HookReference(
        text=reference, kind="python", task_root=path.parent, file=path, function=function
    )


def _folder(reference: str, folder: Path, handler: str) -> HookReference:
    module, _, function = handler.rpartition(".")
    if not module or not _is_dotted_name(handler):
        raise _invalid(
            reference,
            f"{handler!r} is not a Lambda handler string (module.function)",
            hint=f"Write e.g. '{reference.rpartition(':')[0]}:lambda_function.lambda_handler'",
        )
    return HookReference(
        text=reference, kind="python", task_root=folder, module=module, function=function
    )


def _module(reference: str, module: str, function: str, base_dir: Path) -> HookReference:
    if not function.isidentifier():
        raise _invalid(reference, f"{function!r} is not a function name", hint=FORMS)
    top = module.partition(".")[0]
    local = (base_dir / top).is_dir() or (base_dir / f"{top}.py").is_file()
    if not local and importlib.util.find_spec(top) is None:
        raise _invalid(
            reference,
            f"no module {top!r} in {base_dir.resolve()} or among installed packages",
            hint="Check the spelling, or give the file: 'path/to/file.py:function'",
        )
    return HookReference(
        text=reference, kind="python", task_root=base_dir.resolve(), module=module, function=function
    )


def _path_hint(reference: str) -> str:
    return f"Check the path in {reference!r}; a relative path starts from the job's base folder"


def _resolve(location: str, base_dir: Path) -> Path:
    return (base_dir / Path(location).expanduser()).resolve()


def _is_dotted_name(text: str) -> bool:
    return all(part.isidentifier() for part in text.split("."))


def _invalid(reference: str, message: str, *, hint: str = FORMS) -> InvalidInput:
    return InvalidInput.one(SOURCE, message, value=reference, hint=hint)
