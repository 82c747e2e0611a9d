"""``crowdform render`` and ``crowdform preview``: a worker task template as a worker gets it.

``render`` prints the page for one task input. ``preview`` serves the pages of a task input, or of
a manifest's lines (through a pre-annotation hook, when given), on a local URL and prints every
submitted answer on stdout: Ground Truth's RenderUiTemplate, with the hook and the answer too.

File URLs from ``grant_read_access`` are signed with the data folder's secret, so a ``crowdform
serve`` on the same data folder serves them as well. The templating, storage and web modules are
imported when a command runs, so that ``crowdform --help`` stays fast.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Callable
from contextlib import ExitStack, closing
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from crowdform.cli.common import DataDirOption, settings_from
from crowdform.errors import InvalidInput

# The bucket of the data folder that `preview --gallery` draws its sample image into (where files may be served).
GALLERY_BUCKET = "crowdform-gallery"

if TYPE_CHECKING:
    from fastapi import FastAPI

    from crowdform.engine.clock import Clock
    from crowdform.engine.file_access import FileAccess
    from crowdform.engine.previews import PreHook
    from crowdform.settings import Settings
    from crowdform.storage import Storage
    from crowdform.templating import TaskTemplate

_INPUT_HELP = ("JSON file holding the task input: the pre-annotation hook's taskInput, or the manifest line when "
               "there is no hook.")
StrictOption = Annotated[bool, typer.Option("--strict", help="Refuse values the template uses that the task input "
                                            "lacks, instead of printing them as empty text.")]


def render(
    template: Annotated[Path, typer.Argument(help="Worker task template file (Liquid, HTML and crowd elements).",
                                             show_default=False)],
    task_input: Annotated[Path, typer.Option("--input", help=_INPUT_HELP, show_default=False)],
    strict: StrictOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Print the HTML page a worker gets for one task input (errors, with line and column, go to stderr)."""
    from crowdform.engine.clock import SystemClock
    from crowdform.templating import compile_template

    source = _read_text(template, "template")
    task = _read_json(task_input)
    settings = settings_from(data_dir)
    file_access = _file_access(settings, _storage(settings), SystemClock())
    page = compile_template(source, str(template)).render(task, grant_read_access=file_access.grant, strict=strict)
    sys.stdout.write(page)


def preview(
    template: Annotated[Optional[str], typer.Argument(
        help="Worker task template (Liquid, HTML and crowd elements): a path, file:// or s3:// URI.",
        show_default=False)] = None,
    task_input: Annotated[Optional[Path], typer.Option("--input", help=_INPUT_HELP, show_default=False)] = None,
    manifest: Annotated[Optional[str], typer.Option(
        "--manifest", help="Input manifest (JSON Lines: a path, file:// or s3:// URI); each line is one task.",
        show_default=False)] = None,
    pre_hook: Annotated[Optional[str], typer.Option(
        "--pre-hook", help="Pre-annotation hook the manifest lines go through, named as a job names it: "
        "handler.py[:func], folder:dotted.handler, module:function, http(s) URL, registered name or Lambda ARN.",
        show_default=False)] = None,
    gallery: Annotated[bool, typer.Option(
        "--gallery", help="Instead of a template, serve a sample task of every crowd element, with an index of "
        "them; the samples' image is drawn into the data folder's buckets/crowdform-gallery.")] = False,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on; 0 picks a free one.")] = 8081,
    strict: StrictOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Serve a template's task pages on a local URL; print each submitted answer on stdout as one JSON line.

    The URL is printed on stderr ("Serving at URL"), and so is what the hook prints. The template is
    read again for every task shown: edit it and reload the page. Template errors and hook failures
    show on the page. With --gallery, every crowd element is shown with a sample input. Stop with Ctrl+C.
    """
    from crowdform.engine.clock import SystemClock

    if gallery:
        given = [name for name, value in (("TEMPLATE", template), ("--input", task_input), ("--manifest", manifest),
                                          ("--pre-hook", pre_hook)) if value is not None]
        if given:
            raise InvalidInput.one("--gallery", f"shows the crowd elements' own samples, so it takes no {given[0]}",
                                   hint="Run `crowdform preview --gallery` alone, or preview your template without it")
    elif template is None:
        raise InvalidInput.one("crowdform preview", "give a TEMPLATE, or --gallery",
                               hint="TEMPLATE --input TASK.json previews your template; --gallery shows every element")
    else:
        if (task_input is None) == (manifest is None):
            raise InvalidInput.one("crowdform preview", "give either --input or --manifest",
                                   hint="--input TASK.json previews one task input; "
                                   "--manifest M previews each line of M")
        if pre_hook is not None and task_input is not None:
            raise InvalidInput.one("--pre-hook", "runs on manifest lines, so it needs --manifest", value=pre_hook,
                                   hint="An --input file is already the task input (what the hook would return)")
    settings = settings_from(data_dir, operator_paths=(template, manifest))
    storage = _storage(settings)
    clock = SystemClock()
    if gallery:
        from crowdform.web.preview_app import create_gallery_app

        _serve(create_gallery_app(settings.buckets_dir / GALLERY_BUCKET, file_access=_file_access(settings, storage, clock),
                                  storage=storage, clock=clock, on_answer=_print_answer), host, port)
        return
    assert template is not None
    _preview_template(template, task_input, manifest, pre_hook, settings=settings, storage=storage, clock=clock,
                      strict=strict, host=host, port=port)


def _preview_template(template: str, task_input: Path | None, manifest: str | None, pre_hook: str | None, *,
                      settings: Settings, storage: Storage, clock: Clock, strict: bool, host: str, port: int) -> None:
    from crowdform.engine.previews import Preview
    from crowdform.web.preview_app import PreviewSetup, create_preview_app

    load_template = _template_loader(storage, template)
    load_template()  # a template that does not compile stops the command here
    with ExitStack() as stack:
        if task_input is not None:
            items = Preview.of_task_input(str(task_input), _read_json(task_input))
        else:
            assert manifest is not None
            hook = _start_pre_hook(stack, settings, pre_hook) if pre_hook else None
            items = Preview.of_manifest(storage.iter_lines(manifest), source=manifest, pre_hook=hook)
        app = create_preview_app(PreviewSetup(
            title=template, preview=items, template=load_template, file_access=_file_access(settings, storage, clock),
            storage=storage, clock=clock, on_answer=_print_answer, strict=strict))
        _serve(app, host, port)


def _storage(settings: Settings) -> Storage:
    from crowdform.engine.runtime import open_storage

    return open_storage(settings)


def _file_access(settings: Settings, storage: Storage, clock: Clock) -> FileAccess:
    from crowdform.engine.file_access import FileAccess
    from crowdform.secrets import SigningSecret

    return FileAccess.from_settings(settings, secret=SigningSecret(settings), storage=storage, clock=clock)


def _template_loader(storage: Storage, uri: str) -> Callable[[int], TaskTemplate]:
    from crowdform.templating import compile_template

    def load(index: int = 0) -> TaskTemplate:  # every item has this template
        return compile_template(storage.read_text(uri), uri)  # cached by source text

    return load


def _start_pre_hook(stack: ExitStack, settings: Settings, given: str) -> PreHook | None:
    """The hook as a job naming ``given`` would run it (registered names are in the database)."""
    from crowdform.engine.hook_registry import HookRegistry
    from crowdform.engine.previews import running_pre_hook
    from crowdform.engine.runtime import Runtime

    runtime = stack.enter_context(closing(Runtime.open(settings)))
    with runtime.database.read() as connection:
        hook = HookRegistry(runtime).resolve(connection, given, base_dir=Path.cwd(), field_name="--pre-hook")
    return stack.enter_context(running_pre_hook(hook, runtime, log=_print_hook_output))


def _serve(app: FastAPI, host: str, port: int) -> None:
    """Listen, say where on stderr, and serve until Ctrl+C."""
    import uvicorn

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        listener = socket.create_server((host, port), family=family)
    except OSError as error:  # create_server's own message repeats the address
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise InvalidInput.one(f"--host {host} --port {port}", f"cannot listen there: {reason}",
                               hint="Choose another --port (0 picks a free one), or an address of this machine") from None
    with listener:
        shown = f"[{host}]" if family == socket.AF_INET6 else host
        print(f"Serving at http://{shown}:{listener.getsockname()[1]}/", file=sys.stderr, flush=True)
        try:
            uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[listener])
        except KeyboardInterrupt:
            pass  # Uvicorn has shut down gracefully on Ctrl+C, and raised it again for its caller


def _print_answer(line: str) -> None:
    sys.stdout.write(line + "\n")  # one write: answers from concurrent requests never interleave
    sys.stdout.flush()


def _print_hook_output(stream: str, line: str) -> None:
    sys.stderr.write(f"pre-hook {stream}: {line}\n")
    sys.stderr.flush()


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInput.one(str(path), f"cannot read the {what} file: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise InvalidInput.one(str(path), f"is not UTF-8 text (byte offset {error.start})",
                               hint="Save the file as UTF-8") from None


def _read_json(path: Path) -> Any:
    text = _read_text(path, "task input")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput.one(str(path), f"not valid JSON: {error.msg} (column {error.colno})", line=error.lineno,
                               hint="The file must hold the task input as one JSON value") from None
