"""The program inside a hook's child process: a small stand-in for AWS Lambda's Python runtime.

Started by :class:`crowdform.hooks.process.HookProcess` as ``python -P -m crowdform.hooks.child
CONFIG``. It imports the handler once (Lambda's "init"), then answers one event at a time over the
frame protocol in :mod:`crowdform.hooks.protocol` until the request pipe closes. Like a warm Lambda
container, module-level state survives between events.

What the handler sees is kept close to Lambda: the working folder and ``sys.path[0]`` are the task
root; ``print`` goes to stdout unbuffered; the root logger has a handler writing Lambda's
``[LEVEL]\\ttime\\trequest-id\\tmessage`` lines (so ``logger.setLevel(logging.INFO)`` works as it
does there); the return value is encoded with ``json`` the way Lambda encodes it (``Decimal``
included); an unhandled exception is logged as ``[ERROR] Type: message`` plus its traceback.
"""

from __future__ import annotations

import faulthandler
import importlib
import importlib.util
import io
import json
import logging
import os
import sys
import time
import traceback
from decimal import Decimal
from typing import TYPE_CHECKING

from crowdform.hooks.context import LambdaContext
from crowdform.hooks.protocol import PipeClosed, frame, read_frame_blocking, write_all

if TYPE_CHECKING:  # kept out of the child's start-up imports
    from types import ModuleType, TracebackType
    from typing import Any, Callable

    Handler = Callable[[Any, LambdaContext], Any]


class CountingWriter(io.RawIOBase):
    """fd 1 or 2 behind ``sys.stdout``/``sys.stderr``, counting bytes so replies can say how many
    were written (the parent waits for them to be logged) and remembering whether the last line
    was finished."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self.fd = fd
        self.count = 0
        self.at_line_start = True

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        if view:
            write_all(self.fd, view.tobytes())
            self.count += len(view)
            self.at_line_start = view[-1] == 0x0A
        return len(view)

    def end_line(self) -> None:
        """Finish a partial last line, so it is logged with this event rather than the next."""
        if not self.at_line_start:
            self.write(b"\n")


class _RequestIdFilter(logging.Filter):
    """Adds ``aws_request_id`` to log records, as Lambda's log handler does."""

    request_id = ""

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self.request_id
        return True


def _text_stream(writer: CountingWriter) -> io.TextIOWrapper:
    return io.TextIOWrapper(
        writer, encoding="utf-8", errors="backslashreplace", line_buffering=True, write_through=True  # type: ignore[arg-type]
    )


def _install_logging(request_ids: _RequestIdFilter) -> None:
    handler = logging.StreamHandler(sys.stdout)
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
        "%Y-%m-%dT%H:%M:%S",
    )
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(request_ids)
    logging.getLogger().addHandler(handler)


def _load_handler(config: dict[str, Any]) -> Handler:
    """Import the handler module once; errors propagate to :func:`_init_error`."""
    task_root = config["task_root"]
    sys.path.insert(0, task_root)
    function = config["function"]
    if config.get("file"):
        module = _load_file(config["file"])
    else:
        module = importlib.import_module(config["module"])
    handler = getattr(module, function, None)
    if handler is None:
        raise _HandlerNotFound(f"Handler {function!r} missing on module {module.__name__!r}")
    if not callable(handler):
        raise _HandlerNotFound(f"{module.__name__}.{function} is not a function")
    return handler  # type: ignore[no-any-return]


def _load_file(path: str) -> ModuleType:
    """Load a handler file by path, under its own name unless that would replace a module the
    runtime already uses (a hook called ``json.py`` must not break ``import json``)."""
    name = os.path.splitext(os.path.basename(path))[0]
    if name in sys.modules or not name.isidentifier():
        name = f"_crowdform_hook_{name if name.isidentifier() else 'module'}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


class _HandlerNotFound(Exception):
    pass


def _init_error(error: BaseException, task_root: str) -> dict[str, Any]:
    """Describe an import failure by type, message and the line in the user's code that failed
    (the last traceback frame under the task root: an ``import`` of a missing library points at
    the user's import line, not into the library or ``importlib``)."""
    file: str | None = None
    line: int | None = None
    if isinstance(error, SyntaxError):
        file, line = error.filename, error.lineno
        message = error.msg
    else:
        message = str(error)
        frames = traceback.extract_tb(error.__traceback__)
        inside = os.path.join(task_root, "")
        user_frames = [f for f in frames if f.filename.startswith(inside)]
        if user_frames:
            file, line = user_frames[-1].filename, user_frames[-1].lineno
    return {"type": type(error).__name__, "message": message, "file": file, "line": line}


def _new_request_id() -> str:
    """A random (version 4) UUID, as Lambda's request ids are, without importing :mod:`uuid`."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _lambda_json_default(value: Any) -> Any:
    """Lambda's encoder writes ``Decimal`` as a number (DynamoDB hands those out)."""
    if isinstance(value, Decimal):
        if value.is_nan():
            return float("nan")
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _without_runtime_frames(error: BaseException) -> TracebackType | None:
    """Tracebacks start at the handler, not in this module (as in Lambda's logs)."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return tb


def _log_error(error: BaseException, stderr: io.TextIOWrapper) -> None:
    lines = traceback.format_exception(type(error), error, _without_runtime_frames(error))
    stderr.write(f"[ERROR] {type(error).__name__}: {error}\n" + "".join(lines))


class Runtime:
    """Owns the pipes and the handler; :meth:`serve` answers events until the parent hangs up."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.requests_fd: int = config["requests_fd"]
        self.replies_fd: int = config["replies_fd"]
        self.config = config
        self.out = CountingWriter(1)
        self.err = CountingWriter(2)
        self.stdout = _text_stream(self.out)
        self.stderr = _text_stream(self.err)
        sys.stdout, sys.stderr = self.stdout, self.stderr
        faulthandler.enable(file=2)  # a segfault leaves a Python traceback in the log
        self.request_ids = _RequestIdFilter()
        _install_logging(self.request_ids)

    def send(self, message: dict[str, Any], result_json: str | None = None) -> None:
        body = json.dumps(message)
        if result_json is not None:
            body = body[:-1] + ', "result": ' + result_json + "}"
        write_all(self.replies_fd, frame(body.encode("utf-8")))

    def serve(self) -> int:
        try:
            handler = _load_handler(self.config)
        except Exception as error:
            _log_error(error, self.stderr)
            self._finish_output()
            self.send({"ok": False, "phase": "init", **_init_error(error, self.config["task_root"]),
                       **self._counts()})
            return 1
        self._finish_output()
        self.send({"ready": True, **self._counts()})
        while True:
            try:
                request = json.loads(read_frame_blocking(self.requests_fd))
            except PipeClosed:
                return 0
            self.handle(handler, request)

    def handle(self, handler: Handler, request: dict[str, Any]) -> None:
        request_id = _new_request_id()
        self.request_ids.request_id = request_id
        context = LambdaContext(request_id, request["timeout_ms"], self.config["function_arn"])
        try:
            result = handler(request["event"], context)
        except Exception as error:
            _log_error(error, self.stderr)
            self._finish_output()
            self.send({"ok": False, "phase": "invoke", "type": type(error).__name__,
                       "message": str(error), **self._counts()})
            return
        try:
            result_json = json.dumps(result, default=_lambda_json_default)
        except (TypeError, ValueError, RecursionError) as error:
            self._finish_output()
            self.send({"ok": False, "phase": "marshal", "type": type(error).__name__,
                       "message": f"Unable to marshal response: {error}", **self._counts()})
            return
        self._finish_output()
        self.send({"ok": True, **self._counts()}, result_json)

    def _finish_output(self) -> None:
        for stream in (self.stdout, self.stderr, sys.__stdout__, sys.__stderr__):
            try:
                if stream is not None:
                    stream.flush()
            except (OSError, ValueError):  # the handler closed it; nothing more to flush
                pass
        self.out.end_line()
        self.err.end_line()

    def _counts(self) -> dict[str, int]:
        return {"out": self.out.count, "err": self.err.count}


def _forget_runtime(folder: str) -> None:
    """In an isolated environment, take this runtime out of the handler's reach: its folder off
    ``sys.path`` and its modules out of ``sys.modules``, so ``import crowdform`` fails there as it
    would in Lambda (the functions already loaded keep working)."""
    sys.path[:] = [entry for entry in sys.path if entry != folder]
    for name in [n for n in sys.modules if n == "crowdform" or n.startswith("crowdform.")]:
        del sys.modules[name]
    importlib.invalidate_caches()


def main(argv: list[str] | None = None) -> int:
    config = json.loads((argv if argv is not None else sys.argv)[-1])
    if config.get("bootstrap"):
        _forget_runtime(config["bootstrap"])
    return Runtime(config).serve()


def run() -> None:
    """Serve, then exit at once, like a frozen Lambda environment: without waiting for the handler's
    own threads."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
