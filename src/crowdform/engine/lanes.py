"""Lanes: a bounded set of threads where each job's background work runs, one step of a job at a time.

Run one after another, a job whose hook sleeps until its timeout (60 s x 3 attempts) kept every other
job waiting for its release, consolidation and output. In lanes, a slow job holds one lane; the others
go on. A job is never in two lanes at once, so its steps keep their order and need no more claims
than before; a job that did something goes to the back of the queue, so busy jobs take turns.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait


class Lanes:
    """Up to ``size`` jobs' work at once; a job (by id) already running or waiting is not started again."""

    def __init__(self, size: int, *, name: str) -> None:
        self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix=name)
        self._running: dict[int, Future[bool]] = {}
        self._lock = threading.Lock()
        self._finished = threading.Event()  # set whenever some work ends, to wake the scheduler

    def start(self, key: int, work: Callable[[], bool]) -> bool:
        """Queue ``work`` for ``key`` unless the key's previous work has not ended; True if queued."""
        with self._lock:
            if key in self._running:
                return False
            future = self._pool.submit(work)
            self._running[key] = future
        future.add_done_callback(lambda _: self._finished.set())
        return True

    def wait_for_any(self, timeout: float) -> None:
        """Sleep until some work ends (or has ended since the last call), at most ``timeout`` seconds."""
        self._finished.wait(timeout)
        self._finished.clear()

    def collect(self) -> dict[int, bool]:
        """The results of the work that ended since the last call, by key. Work reports its own errors;
        one that raised or was cancelled counts as having done nothing."""
        with self._lock:
            done = {key: future for key, future in self._running.items() if future.done()}
            for key in done:
                del self._running[key]
        return {key: not future.cancelled() and future.exception() is None and future.result()
                for key, future in done.items()}

    def wait_all(self, timeout: float | None = None) -> dict[int, bool]:
        """Wait for every queued work to end (at most ``timeout``), then :meth:`collect`."""
        with self._lock:
            futures = list(self._running.values())
        wait(futures, timeout=timeout)
        return self.collect()

    def close(self, timeout: float) -> None:
        """Drop queued work, give running work ``timeout`` seconds to end, and let the threads go."""
        with self._lock:
            for future in self._running.values():
                future.cancel()
            futures = list(self._running.values())
        wait(futures, timeout=timeout)
        self._pool.shutdown(wait=False, cancel_futures=True)
