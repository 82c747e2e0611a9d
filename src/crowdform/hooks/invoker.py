"""Run one job's hook: a pool of warm processes (or an HTTP client), timeouts, retries, one error type.

A :class:`HookInvoker` is what the engine holds per hook per job. Python hooks run in up to
``concurrency`` long-lived child processes (:mod:`crowdform.hooks.process`), each serving one event
at a time; a process that timed out or crashed is dropped and the next call starts a fresh one.
Every failure, whatever its cause, is a :class:`~crowdform.errors.HookError` that names the hook,
says what went wrong and, after retries, how many attempts were made.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import replace
from types import TracebackType
from typing import Any, Callable, Mapping

from crowdform.errors import HookError
from crowdform.hooks.environment import SessionCredentials, function_arn, hook_environment
from crowdform.hooks.http import HttpHook
from crowdform.hooks.process import ChildSpec, HookProcess
from crowdform.hooks.reference import HookReference
from crowdform.hooks.virtualenvs import HookPython

LAMBDA_INIT_TIMEOUT_S = 10.0  # Lambda allows this long for imports, apart from the call timeout
CREDENTIALS_MARGIN_S = 300.0  # a warm process is replaced when its credentials have less left than this

_logger = logging.getLogger("crowdform.hooks")


class HookInvoker:
    """Runs one hook for one job. Thread-safe: invoke() may be called from several threads at once.

    ``name`` is the function name the handler sees (``context.function_name`` and
    ``AWS_LAMBDA_FUNCTION_NAME``); ``environment`` adds variables on top of the few inherited from
    the server (:mod:`crowdform.hooks.environment`); ``credentials`` is called for each new process
    and its temporary keys are set as Lambda sets its role's (a process is replaced before they
    end); ``python`` runs the hook in an isolated environment instead of the server's interpreter;
    ``log(stream, line)`` receives every line the handler prints on ``"stdout"`` or ``"stderr"``,
    and the traceback of every exception it raises. ``log`` is called from reader threads, and all
    lines printed during a call have been passed to it by the time :meth:`invoke` returns.
    Call :meth:`close` (or use the invoker as a context manager) to stop the processes.
    """

    def __init__(
        self,
        reference: HookReference,
        *,
        name: str,
        environment: Mapping[str, str] | None = None,
        timeout_s: float = 60.0,
        concurrency: int = 1,
        log: Callable[[str, str], None] | None = None,
        invoked_function_arn: str | None = None,
        credentials: Callable[[], SessionCredentials] | None = None,
        python: HookPython | None = None,
    ) -> None:
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, got {timeout_s}")
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        self.reference = reference
        self.name = name
        self.timeout_s = timeout_s
        self.concurrency = concurrency
        self._log = log or _log_to_logger(name)
        self._slots = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self._idle: list[HookProcess] = []
        self._busy: set[HookProcess] = set()
        self._closed = False
        self._http: HttpHook | None = None
        self._spec: ChildSpec | None = None
        self._credentials = credentials
        self._margin_s = max(CREDENTIALS_MARGIN_S, 2 * timeout_s)
        if reference.kind == "http":
            assert reference.url is not None
            self._http = HttpHook(reference.url, name=name, timeout_s=timeout_s, connections=concurrency)
        else:
            assert reference.task_root is not None
            env = hook_environment(
                name=name, task_root=reference.task_root, handler=_handler_string(reference),
                extra=environment, server_python=python is None,
            )
            self._spec = ChildSpec(
                task_root=reference.task_root,
                function=reference.function,
                module=reference.module,
                file=reference.file,
                environment=env,
                function_arn=invoked_function_arn or function_arn(name, env),
                init_timeout_s=max(LAMBDA_INIT_TIMEOUT_S, timeout_s),
                python=python.python if python else None,
                bootstrap=python.bootstrap if python else None,
            )
            self._extra = dict(environment or {})

    def check_loads(self) -> None:
        """Start one process and stop it: raise :class:`HookError` if the handler cannot be loaded
        (a missing package, a syntax error, no such function). HTTP hooks are not called."""
        if self._spec is not None:
            self._start().stop()

    def invoke(self, event: dict[str, Any], *, attempts: int = 1, backoff_s: float = 0.5) -> Any:
        """Call the hook with ``event`` and return its JSON result; raise :class:`HookError`.

        With ``attempts > 1`` a failed call is retried after ``backoff_s``, ``2 * backoff_s``, ...
        """
        if attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {attempts}")
        event_json = json.dumps(event)
        for attempt in range(1, attempts + 1):
            try:
                return self._invoke_once(event_json)
            except HookError as error:
                failure = error
            if attempt < attempts and not self._closed:
                time.sleep(backoff_s * 2 ** (attempt - 1))
        where = f"Hook {self.name!r} ({self.reference.text})"
        if attempts > 1:
            raise HookError(f"{where} failed {attempts} attempts; the last one {failure}") from failure
        raise HookError(f"{where} {failure}") from failure

    def _invoke_once(self, event_json: str) -> Any:
        with self._slots:
            if self._http is not None:
                return self._http.call(event_json)
            process = self._checkout()
            try:
                return process.call(event_json, self.timeout_s)
            except HookError:
                if self._closed:
                    raise HookError("was stopped: its invoker was closed during the call") from None
                raise
            finally:
                self._checkin(process)

    def _checkout(self) -> HookProcess:
        """A warm process if one is idle (the most recently used), else a new one."""
        while (process := self._take_idle()) is not None:
            if process.running() and process.expires_at - time.monotonic() > self._margin_s:
                return process
            # it died while idle (the OOM killer, or a thread of its own), or its credentials are
            # about to end: replace it
            process.kill()
            with self._lock:
                self._busy.discard(process)
        process = self._start()
        with self._lock:
            if not self._closed:
                self._busy.add(process)
                return process
        process.stop()
        raise HookError("cannot run: its invoker has been closed")

    def _start(self) -> HookProcess:
        """A new process, with fresh credentials when the hook has them."""
        assert self._spec is not None
        spec = self._spec
        expires_at = float("inf")
        if self._credentials is not None:
            started = time.monotonic()
            try:
                credentials = self._credentials()
            except Exception as error:  # the engine's database, say: this call fails and is retried
                raise HookError(f"could not be given credentials: {error}") from error
            env = hook_environment(name=self.name, task_root=spec.task_root,
                                   handler=spec.environment["_HANDLER"], extra=self._extra,
                                   credentials=credentials, server_python=spec.python is None)
            spec = replace(spec, environment=env)
            expires_at = started + credentials.lifetime_s
        process = HookProcess(spec, self._log, label=self.name)
        process.expires_at = expires_at
        return process

    def _take_idle(self) -> HookProcess | None:
        with self._lock:
            if self._closed:
                raise HookError("cannot run: its invoker has been closed")
            if not self._idle:
                return None
            process = self._idle.pop()
            self._busy.add(process)
            return process

    def _checkin(self, process: HookProcess) -> None:
        with self._lock:
            self._busy.discard(process)
            if process.healthy and not self._closed:
                self._idle.append(process)
                return
        if process.healthy:
            process.stop()

    @property
    def process_ids(self) -> list[int]:
        """PIDs of the live child processes (for status pages and tests)."""
        with self._lock:
            return [p.pid for p in [*self._idle, *self._busy]]

    def close(self) -> None:
        """Stop every child process; calls in flight fail with :class:`HookError`."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            busy = list(self._busy)
        for process in busy:
            process.signal_kill()  # the calling thread sees the pipe close and cleans up
        for process in idle:
            process.begin_stop()
        for process in idle:
            process.stop()
        if self._http is not None:
            self._http.close()

    def __enter__(self) -> HookInvoker:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _handler_string(reference: HookReference) -> str:
    """Lambda's ``_HANDLER`` value: ``module.function``."""
    module = reference.module or (reference.file.stem if reference.file else "")
    return f"{module}.{reference.function}"


def _log_to_logger(name: str) -> Callable[[str, str], None]:
    def log(stream: str, line: str) -> None:
        _logger.info("%s %s: %s", name, stream, line)

    return log
