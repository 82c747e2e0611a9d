"""Running a blocking engine call from an ``async`` endpoint, on the loop or in a worker thread.

The worker API's hot endpoints (next task, submit, decline, release) are short engine calls. On
SQLite with no writer active they run right on the event loop: a transaction there takes well under
a millisecond, and skipping the hand-off to a worker thread (and the GIL ping-pong between threads
that follows it) made the scripted-worker benchmark 1.6x faster (bench/RESULTS.md). When a writer is
active (a long consolidation or an ingest from the CLI), or on PostgreSQL, whose every statement
waits on the network, the call goes to the thread pool so the loop keeps serving other requests.
"""

from __future__ import annotations

from typing import Callable, ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

from crowdform.web.services import Services

P = ParamSpec("P")
T = TypeVar("T")


async def call_engine(services: Services, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    if services.runtime.database.local_and_idle:
        return fn(*args, **kwargs)
    return await run_in_threadpool(fn, *args, **kwargs)
