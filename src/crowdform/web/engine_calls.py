"""Running a blocking engine call from an ``async`` endpoint, on the loop or in a worker thread, and
group commit of the worker loop's calls.

Short engine calls (decline, release, a task page) run right on the event loop on SQLite with no
writer active: a transaction there takes well under a millisecond, and skipping the hand-off to a
worker thread (and the GIL ping-pong between threads that follows it) made the scripted-worker
benchmark 1.6x faster (bench/RESULTS.md). When a writer is active (a consolidation or an ingest from
the CLI), or on PostgreSQL, whose every statement waits on the network, the call goes to the thread
pool so the loop keeps serving other requests.

Submissions and next-task calls go to the process's committer instead. A submission must be durable
before its reply; on SQLite that is an fsync of the WAL (0.4 ms on a quiet disk, several on a busy
one), on PostgreSQL a WAL flush, and on both every transaction costs a begin, a commit and a pool
checkout. The committer runs everything queued in one transaction (:meth:`Tasks.run_batch`, where an
item that fails for any reason fails alone and the others commit) and answers each caller only after
that commit. Like
:func:`call_engine`, a batch runs on the loop when SQLite has no writer active and in a worker
thread otherwise. Between batches the committer yields a few loop turns, so the requests read
meanwhile reach the queue and go into the next batch: no timer, no added wait when the server is
idle. One batch runs at a time per process: PostgreSQL gains nothing from more (measured: 4
concurrent batches, when batches still counted answers among their takes, deadlocked and were 3x
slower than one), and SQLite has one writer anyway.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable, ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

from crowdform.engine.task_items import NextTask, Submission, SubmitResult, Task
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
    return await _committer(services).run(Submission(worker, lease_id, answer, then_next))  # type: ignore[no-any-return]


async def next_task(services: Services, worker: WorkerInfo, job_name: str) -> Task | None:
    """The worker's next task on a job (see :meth:`Tasks.next_task`), taken in the next group commit."""
    return await _committer(services).run(NextTask(worker, job_name))  # type: ignore[no-any-return]


def _committer(services: Services) -> "_Committer":
    if services.committer is None:
        services.committer = _Committer(services)
    return services.committer  # type: ignore[no-any-return]


class _Committer:
    """Gathers submissions and next-task calls while a commit is in flight and commits them together
    (group commit), one batch at a time (see the module docstring)."""

    def __init__(self, services: Services) -> None:
        self._tasks = services.tasks
        self._database = services.runtime.database
        self._pending: list[tuple[Submission | NextTask, asyncio.Future[Any]]] = []
        self._drainer: asyncio.Task[None] | None = None  # referenced while it runs, so it is not collected

    async def run(self, item: Submission | NextTask) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((item, future))
        if self._drainer is None:
            self._drainer = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending[:BATCH_LIMIT], self._pending[BATCH_LIMIT:]
                await self._commit(batch)
                for _ in range(GATHER_YIELDS):  # let requests that came in meanwhile reach the queue
                    await asyncio.sleep(0)
        finally:
            self._drainer = None

    async def _commit(self, batch: list[tuple[Submission | NextTask, asyncio.Future[Any]]]) -> None:
        try:
            items = [item for item, _ in batch]
            if self._database.local_and_idle:  # as call_engine: on the loop, no thread hand-off
                results = self._tasks.run_batch(items)
            else:
                results = await run_in_threadpool(self._tasks.run_batch, items)
        except BaseException as error:  # nothing of the batch was committed: every caller hears so
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            if not isinstance(error, Exception):
                raise
            return
        for (_, future), result in zip(batch, results):
            if future.done():  # the caller went away (client disconnected): nothing to tell
                continue
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)
