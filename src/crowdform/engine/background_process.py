"""The engine's background work in a process of its own, beside ``crowdform serve``'s server processes.

Background rounds (consolidation, worker-response files, output manifests, hooks' bookkeeping) are
Python work. Run as a thread of a server process, they took about a third of that process's GIL
under a busy crowd, and every worker request waited for them (bench/RESULTS.md). In a process of
their own they run on the other core instead. The process holds the data folder's background lock
(:mod:`crowdform.engine.leadership`) like any leader, so a second ``serve`` or a CLI command never
runs rounds at the same time.

The process follows its parent: it stops on SIGTERM or SIGINT (Ctrl+C reaches the whole process
group), and if the server dies without telling it (SIGKILL, a crash) it notices within a tick that
its parent changed and exits, releasing the lock for the next server.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from multiprocessing.process import BaseProcess

from crowdform.engine.background import Background
from crowdform.engine.runtime import Runtime
from crowdform.settings import Settings

PARENT_CHECK_SECONDS = 0.5
STOP_SECONDS = 30.0  # a round in flight finishes first (a post-annotation hook may be running)


def start_background_process(settings: Settings) -> BaseProcess:
    """Start the background process (a fresh interpreter: the server's threads are not copied)."""
    process = multiprocessing.get_context("spawn").Process(
        target=_run, args=(settings, os.getpid()), name="crowdform-background", daemon=False)
    process.start()
    return process


def stop_background_process(process: BaseProcess) -> None:
    """Ask the process to finish its round and exit; kill it if it does not within STOP_SECONDS."""
    if process.is_alive():
        process.terminate()  # SIGTERM: handled below as a request to stop
        process.join(STOP_SECONDS)
    if process.is_alive():
        process.kill()
        process.join()


def _run(settings: Settings, parent: int) -> None:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
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
