"""The engine's background work in a process of its own, beside ``crowdform serve``'s server processes;
and the short-lived process that prepares the data folder before either starts.

Background rounds (consolidation, worker-response files, output manifests, hooks' bookkeeping) are
Python work. Run as a thread of a server process, they took about a third of that process's GIL
under a busy crowd, and every worker request waited for them (bench/RESULTS.md). In a process of
their own they run on the other core instead. The process holds the data folder's background lock
(:mod:`crowdform.engine.leadership`) like any leader, so a second ``serve`` or a CLI command never
runs rounds at the same time.

It is a plain interpreter running this module (``python -m crowdform.engine.background_process``),
not a ``multiprocessing`` child: multiprocessing's "spawn" re-imports the parent's main module and
adds a resource-tracker process (13 MB), for nothing this process uses. The settings travel on the
child's stdin, a pipe only the parent holds, so no secret (database password, SMTP password, session
secret) shows on a command line or in the environment of the hooks the process starts. An idle
process imports only what an idle round needs: numpy, scipy and Pillow come with the first
consolidation of a built-in task type, boto3 with the first external S3 call.

Before the servers start, ``serve`` migrates the database and creates the secrets file in a
short-lived run of the same module (:func:`prepare_data_folder`), so Alembic (with Mako and Pygments,
about 8 MB) is never loaded by a process that stays.

The background process follows its parent: it stops on SIGTERM or SIGINT (Ctrl+C reaches the whole process
group) once its round in flight is done, and if the server dies without telling it (SIGKILL, a
crash) it notices within half a second that its parent changed and exits, releasing the lock for the
next server.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading

from crowdform.settings import Settings

PARENT_CHECK_SECONDS = 0.5
STOP_SECONDS = 30.0  # a round in flight finishes first (a post-annotation hook may be running)
MODULE = "crowdform.engine.background_process"


def prepare_data_folder(settings: Settings) -> bool:
    """Migrate the database and create the secrets file in a process of its own; whether that succeeded
    (a failure has printed its message to stderr)."""
    return _start("prepare", settings).wait() == 0


def start_background_process(settings: Settings) -> subprocess.Popen[bytes]:
    """Start the background process (a fresh interpreter: the server's threads are not copied)."""
    return _start("rounds", settings)


def _start(task: str, settings: Settings) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-m", MODULE], stdin=subprocess.PIPE)
    assert process.stdin is not None  # stdin=PIPE
    with process.stdin:
        process.stdin.write(pickle.dumps((task, settings, os.getpid())))
    return process


def stop_background_process(process: subprocess.Popen[bytes]) -> None:
    """Ask the process to finish its round and exit; kill it if it does not within STOP_SECONDS."""
    if process.poll() is None:
        process.terminate()  # SIGTERM: handled below as a request to stop
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _run(settings: Settings, parent: int, stop: threading.Event) -> None:
    from crowdform.engine.background import Background
    from crowdform.engine.runtime import Runtime

    runtime = Runtime.open(settings, migrate=False)  # the server migrated before starting this process
    background = Background(runtime)
    background.start()
    try:
        while not stop.wait(PARENT_CHECK_SECONDS):
            if os.getppid() != parent:  # the server is gone: follow it
                break
    finally:
        background.stop()
        runtime.close()


def _prepare(settings: Settings) -> int:
    from crowdform.engine.runtime import Runtime
    from crowdform.errors import CrowdformError

    try:
        Runtime.open(settings).close()
    except CrowdformError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def main() -> None:
    """The entry point: read the task, the settings and the parent's id from stdin (written by ``_start``
    into the parent's pipe), then prepare the data folder, or run rounds until told to stop."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):  # before anything slow, so an early Ctrl+C stops it quietly
        signal.signal(signum, lambda *_: stop.set())
    task, settings, parent = pickle.load(sys.stdin.buffer)
    if task == "prepare":
        sys.exit(_prepare(settings))
    _run(settings, parent, stop)


if __name__ == "__main__":
    main()
