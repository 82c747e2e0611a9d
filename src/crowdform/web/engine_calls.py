"""Running a blocking engine call from an ``async`` endpoint, on the loop or in a worker thread, and
group commit of submissions on SQLite.

The worker API's hot endpoints (next task, submit, decline, release) are short engine calls. On
SQLite with no writer active they run right on the event loop: a transaction there takes well under
a millisecond, and skipping the hand-off to a worker thread (and the GIL ping-pong between threads
that follows it) made the scripted-worker benchmark 1.6x faster (bench/RESULTS.md). When a writer is
active (a long consolidation or an ingest from the CLI), or on PostgreSQL, whose every statement
waits on the network, the call goes to the thread pool so the loop keeps serving other requests.

Submissions are different: each must be durable before its reply, and on SQLite a durable commit is
an fsync of the WAL, which takes 0.4 ms on a quiet disk and several milliseconds on a busy one.
One commit per submission caps submissions at one per fsync. So on SQLite, :func:`submit` queues
the submission for the process's committer, which runs everything queued in one transaction
(:meth:`Tasks.submit_batch`: each item in its own savepoint, so one refusal does not affect the
others) and answers each caller only after that one commit. Like :func:`call_engine`, the batch runs
on the loop when no writer is active and in a worker thread otherwise. Between batches the committer
yields a few loop turns, so the requests read meanwhile reach the queue and go into the next batch:
no timer, no added wait when the server is idle. PostgreSQL commits run concurrently in the thread
pool and the server shares WAL flushes between them, so there each submission is its own transaction.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable, ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

from crowdform.engine.tasks import Submission, SubmitResult, Task
from crowdform.engine.workforce import WorkerInfo
from crowdform.web.services import Services

P = ParamSpec("P")
T = TypeVar("T")

BATCH_LIMIT = 256  # submissions per group commit, at most
GATHER_YIELDS = 3  # event-loop turns between two batches: a request read in one is queued two turns later


async def call_engine(services: Services, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    if services.runtime.database.local_and_idle:
        return fn(*args, **kwargs)
    return await run_in_threadpool(fn, *args, **kwargs)


async def submit(services: Services, worker: WorkerInfo, lease_id: str, answer: Any,
                 then_next: bool) -> tuple[SubmitResult, Task | None]:
    """Store a submission durably (and take the worker's next task if ``then_next``); returns once committed."""
    tasks = services.tasks
    if not services.runtime.database.is_sqlite:
        if then_next:
            return await run_in_threadpool(tasks.submit_and_next, worker, lease_id, answer)
        return await run_in_threadpool(tasks.submit, worker, lease_id, answer), None
    if services.committer is None:
        services.committer = _Committer(services)
    committer: _Committer = services.committer
    return await committer.submit(Submission(worker, lease_id, answer, then_next))


class _Committer:
    """Gathers submissions while a commit is in flight and commits them together (group commit)."""

    def __init__(self, services: Services) -> None:
        self._tasks = services.tasks
        self._database = services.runtime.database
        self._pending: list[tuple[Submission, asyncio.Future[Any]]] = []
        self._running = False
        self._drainer: asyncio.Task[None] | None = None

    async def submit(self, item: Submission) -> tuple[SubmitResult, Task | None]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if not self._running:
            self._running = True
            self._drainer = asyncio.get_running_loop().create_task(self._drain())  # keep a reference
        return await future  # type: ignore[no-any-return]

    async def _drain(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending[:BATCH_LIMIT], self._pending[BATCH_LIMIT:]
                try:
                    items = [item for item, _ in batch]
                    if self._database.local_and_idle:  # as call_engine: on the loop, no thread hand-off
                        results = self._tasks.submit_batch(items)
                    else:
                        results = await run_in_threadpool(self._tasks.submit_batch, items)
                except BaseException as error:  # nothing of the batch was committed: every caller hears so
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    if not isinstance(error, Exception):
                        raise
                    continue
                for (_, future), result in zip(batch, results):
                    if future.done():  # the caller went away (client disconnected): nothing to tell
                        continue
                    if isinstance(result, BaseException):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
                for _ in range(GATHER_YIELDS):  # let requests that came in meanwhile reach the queue
                    await asyncio.sleep(0)
        finally:
            self._running = False
