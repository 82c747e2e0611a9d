"""One warm child process running a Python hook, like one Lambda execution environment.

The handler is imported once when the process starts and then serves events one at a time, so
import cost is paid once and module-level state (clients, caches, counters) persists between
calls. The process lives in its own session: a hook that hangs is killed with everything it
started, a crash only ends the child, and the invoker replaces a dead process on the next call.

Failures come back as :class:`~crowdform.errors.HookError` whose message is the *reason* ("raised
ValueError: ..."); :class:`~crowdform.hooks.invoker.HookInvoker` puts the hook's name in front.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from crowdform.errors import HookError
from crowdform.hooks.environment import log_stream_name
from crowdform.hooks.output import LogFunction, OutputReader
from crowdform.hooks.protocol import FrameReader, PipeClosed, write_frame

OUTPUT_SYNC_TIMEOUT_S = 2.0  # longest a reply waits for the lines printed before it to be logged
EXIT_GRACE_S = 1.0  # how long a child may take to exit after its request pipe closes


@dataclass(frozen=True)
class ChildSpec:
    """Everything needed to start a child: what to load, and the process it runs in."""

    task_root: Path
    function: str
    module: str | None
    file: Path | None
    environment: Mapping[str, str]
    function_arn: str
    init_timeout_s: float
    python: Path | None = None  # an isolated environment's interpreter; None: the server's own
    bootstrap: Path | None = None  # with ``python``: the folder holding the child runtime

    def command(self, config: str) -> list[str]:
        """The server's interpreter runs the child module; an isolated one imports it from the
        bootstrap folder, which the child then forgets (``config["bootstrap"]``)."""
        if self.python is None:
            return [sys.executable, "-P", "-m", "crowdform.hooks.child", config]
        return [str(self.python), "-P", "-c", _BOOT, config]


# -P keeps the working folder off sys.path; the bootstrap folder is put there for the import alone.
_BOOT = ("import json, sys; sys.path.insert(0, json.loads(sys.argv[1])['bootstrap']); "
         "from crowdform.hooks.child import run; run()")


class HookProcess:
    """A started child, ready for :meth:`call`. Used by one thread at a time."""

    def __init__(self, spec: ChildSpec, log: LogFunction, *, label: str) -> None:
        self.healthy = True
        requests_r, self._requests = os.pipe()
        self._replies_fd, replies_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        config = {
            "task_root": str(spec.task_root),
            "function": spec.function,
            "module": spec.module,
            "file": str(spec.file) if spec.file else None,
            "function_arn": spec.function_arn,
            "requests_fd": requests_r,
            "replies_fd": replies_w,
            "bootstrap": str(spec.bootstrap) if spec.python is not None and spec.bootstrap else None,
        }
        env = dict(spec.environment, AWS_LAMBDA_LOG_STREAM_NAME=log_stream_name())
        if spec.python is not None:  # as if activated: the environment's scripts come first
            env["PATH"] = os.pathsep.join(filter(None, [str(spec.python.parent), env.get("PATH")]))
        self.expires_at = float("inf")  # monotonic time its credentials end; set by the invoker
        try:
            self._popen = subprocess.Popen(
                spec.command(json.dumps(config)),
                stdin=subprocess.DEVNULL,
                stdout=out_w,
                stderr=err_w,
                pass_fds=(requests_r, replies_w),
                cwd=spec.task_root,
                env=env,
                start_new_session=True,
            )
        except OSError as error:
            for fd in (self._requests, self._replies_fd, out_r, err_r):
                os.close(fd)
            raise HookError(f"could not start a Python process: {error}") from error
        finally:
            for fd in (requests_r, replies_w, out_w, err_w):
                os.close(fd)
        self.pid = self._popen.pid
        os.set_blocking(self._requests, False)
        self._replies = FrameReader(self._replies_fd)
        self._outputs = (
            OutputReader(out_r, "stdout", log, thread_name=f"hook {label} stdout {self.pid}"),
            OutputReader(err_r, "stderr", log, thread_name=f"hook {label} stderr {self.pid}"),
        )
        self._await_ready(spec.init_timeout_s)

    def _await_ready(self, timeout_s: float) -> None:
        try:
            reply = json.loads(self._replies.read(time.monotonic() + timeout_s))
        except TimeoutError:
            self.kill()
            raise HookError(f"did not finish loading within {timeout_s:g} s") from None
        except PipeClosed:
            raise HookError(f"could not be loaded: {self._died()}") from None
        self._sync_output(reply)  # what the module printed while loading is logged first
        if reply.get("ready"):
            return
        self.stop()
        raise HookError(f"could not be loaded: {_describe_init_error(reply)}")

    def call(self, event_json: str, timeout_s: float) -> Any:
        """Run the handler on one event (already JSON) and return its decoded JSON result."""
        deadline = time.monotonic() + timeout_s
        request = '{"timeout_ms": %d, "event": %s}' % (int(timeout_s * 1000), event_json)
        try:
            write_frame(self._requests, request.encode("utf-8"), deadline)
            reply = json.loads(self._replies.read(deadline))
        except TimeoutError:
            self.kill()
            raise HookError(
                f"timed out after {timeout_s:g} s; its process was stopped and the next call "
                "starts a fresh one"
            ) from None
        except PipeClosed:
            raise HookError(self._died()) from None
        self._sync_output(reply)
        if reply["ok"]:
            return reply["result"]
        if reply["phase"] == "marshal":
            raise HookError(f"returned a value that is not JSON: {reply['message']}")
        raise HookError(f"raised {reply['type']}: {reply['message']}")

    def running(self) -> bool:
        return self._popen.poll() is None

    def _sync_output(self, reply: dict[str, Any]) -> None:
        """Return only once the lines printed before the reply are in the log."""
        stdout, stderr = self._outputs
        if "out" in reply:
            stdout.wait_for(reply["out"], OUTPUT_SYNC_TIMEOUT_S)
            stderr.wait_for(reply["err"], OUTPUT_SYNC_TIMEOUT_S)

    def _died(self) -> str:
        """The child closed its reply pipe mid-call: reap it and say how it ended."""
        self.healthy = False
        try:
            code = self._popen.wait(EXIT_GRACE_S)
        except subprocess.TimeoutExpired:  # it closed the pipe but lives on: end it
            self.kill()
            code = self._popen.returncode
        self._kill_group()
        self._close()
        if code is not None and code < 0:
            try:
                reason = f"was killed by signal {signal.Signals(-code).name}"
            except ValueError:
                reason = f"was killed by signal {-code}"
        else:
            reason = f"exited with code {code}"
        return f"stopped unexpectedly: its process {reason} (see the hook log for its last output)"

    def begin_stop(self) -> None:
        """Close the request pipe; the child exits when it sees end of file."""
        self.healthy = False
        if self._requests >= 0:
            os.close(self._requests)
            self._requests = -1

    def stop(self) -> None:
        """Ask the child to exit, and kill it if it has not within :data:`EXIT_GRACE_S`."""
        self.begin_stop()
        try:
            self._popen.wait(EXIT_GRACE_S)
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    def signal_kill(self) -> None:
        """Kill the child from another thread; the thread in :meth:`call` sees it and cleans up."""
        if self._popen.poll() is None:
            self._kill_group()

    def kill(self) -> None:
        """End the child and anything it started, at once."""
        self.healthy = False
        self._kill_group()
        self._popen.wait()
        self._close()

    def _kill_group(self) -> None:
        if self._popen.poll() is None or self._group_may_live():
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def _group_may_live(self) -> bool:
        """After the leader is reaped its group id may be reused; only signal it while the
        leader's output pipes are still held open by a descendant."""
        return any(not output.wait_closed(0) for output in self._outputs)

    def _close(self) -> None:
        for output in self._outputs:
            output.wait_closed(EXIT_GRACE_S)
        if self._requests >= 0:
            os.close(self._requests)
            self._requests = -1
        if self._replies_fd >= 0:
            self._replies.close()
            os.close(self._replies_fd)
            self._replies_fd = -1


def _describe_init_error(reply: dict[str, Any]) -> str:
    where = ""
    if reply.get("file"):
        where = f" in {reply['file']}" + (f", line {reply['line']}" if reply.get("line") else "")
    return f"{reply['type']}{where}: {reply['message']}"
