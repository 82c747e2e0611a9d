"""Group commit of the worker loop: submissions and next-task calls run in batches, one transaction
each, and an item that fails for any reason fails alone.

The web layer gathers the calls that arrive while a transaction runs and hands them to
:meth:`BatchRunner.run` together (``web.engine_calls``); one commit -- one fsync on SQLite, one WAL
flush on PostgreSQL -- makes all of them durable. Items run in list order, so a later item sees what
an earlier one did (a repeated submission is answered as already submitted; a repeated next-task call
gets the task the first one took).

Isolation, cheapest first:

1. The batch runs without savepoints (two statements per item fewer, each a network round trip on
   PostgreSQL).
2. If an item is refused (not yours, late, a different answer) or raises anything at all, that attempt
   is rolled back whole and the batch runs again with every item in a savepoint of its own: an item
   whose statements fail is rolled back to its savepoint, and the others commit as if it had not
   been there.
3. If the attempt still fails outside any item's own statements (counting answers, taking tasks,
   the commit), every item runs alone, in a transaction of its own, so only the culprit fails.

A refusal is the item's :class:`CrowdformError`. Anything else an item raises -- a value the database
driver cannot encode that got past every check, a constraint -- becomes an :class:`InvalidInput`
(400) naming the item's field, and is logged with its traceback. Only the database itself failing
(it does not answer, the disk is full) is no item's fault: every item then gets
:class:`ServiceUnavailable` (503). An attempt that PostgreSQL rolls back whole (a deadlock between
server processes, a same-worker race on a lease) simply runs again.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import DBAPIError

from crowdform import untrusted
from crowdform.engine.jobs import JobRow, job_row
from crowdform.engine.leases import check_open, own_lease
from crowdform.engine.runtime import Runtime
from crowdform.engine.states import JobStatus, LeaseState, ObjectState
from crowdform.engine.task_sql import HotSql, execute_all, raw_connection, sqlstate
from crowdform.engine.task_taking import TaskTaker
from crowdform.engine.task_items import NextTask, Submission, SubmitResult
from crowdform.errors import Conflict, CrowdformError, InvalidInput, NotFound, ServiceUnavailable
from crowdform.groundtruth.answers import canonical_answer
from crowdform.store.models import Job

_log = logging.getLogger(__name__)

BATCH_ATTEMPTS = 3
# PostgreSQL rolled the whole transaction back: deadlock detected, serialization failure, and a unique
# violation (two calls of one worker took the same object in two processes at once).
RETRYABLE_SQLSTATES = ("40P01", "40001", "23505")
MAX_ANSWER_BYTES = 16 * 1024 * 1024

Item = Submission | NextTask
Prepared = str | CrowdformError | None  # a submission's answer text, or why the item is refused before it runs


class _Refused(Exception):
    """An item of a batch run without savepoints failed: roll back and run it with them."""


class BatchRunner:
    """Runs batches of worker-loop calls (see the module docstring); one per :class:`Tasks`."""

    def __init__(self, runtime: Runtime, jobs: dict[int, JobRow]) -> None:
        self.runtime = runtime
        self._jobs = jobs
        self._postgres = not runtime.database.is_sqlite
        self._sql = HotSql(postgres=self._postgres)
        self._taker = TaskTaker(self._sql, postgres=self._postgres)
        dbapi = runtime.database.writer.dialect.loaded_dbapi
        # Errors of the hot path's driver SQL come unwrapped (the commit's come wrapped by SQLAlchemy).
        self._dbapi_error = dbapi.Error
        self._database_down = (dbapi.OperationalError, dbapi.InterfaceError)

    def run(self, items: list[Item]) -> list[Any]:
        """Each item's result -- a :class:`SubmitResult` and the next task or None (submissions), the
        task or None (next-task calls) -- or the error it failed with, after the commit."""
        prepared = [_prepare(item) for item in items]
        try:
            return self._with_retries(items, prepared, isolated=False)
        except _Refused:
            pass
        except Exception as error:
            self._raise_if_database_down(error)
        try:
            return self._with_retries(items, prepared, isolated=True)
        except Exception as error:
            self._raise_if_database_down(error)
            if len(items) == 1:
                return [self._unstorable(items[0], error)]
        return [self._alone(item, text) for item, text in zip(items, prepared)]

    def _alone(self, item: Item, text: Prepared) -> Any:
        try:
            return self._with_retries([item], [text], isolated=True)[0]
        except Exception as error:
            if self._is_database_down(error):
                return _unavailable()
            return self._unstorable(item, error)

    def _with_retries(self, items: list[Item], prepared: list[Prepared], *, isolated: bool) -> list[Any]:
        rolled_back = 0
        while True:
            try:
                return self._attempt(items, prepared, isolated=isolated)
            except (self._dbapi_error, DBAPIError) as error:
                rolled_back += 1
                if sqlstate(error) not in RETRYABLE_SQLSTATES or rolled_back == BATCH_ATTEMPTS:
                    raise

    def _attempt(self, items: list[Item], prepared: list[Prepared], *, isolated: bool) -> list[Any]:
        """One attempt, in three passes over the items, each in list order: the submissions (and the
        jobs of next-task calls); every answer count, in object order; the tasks taken. On PostgreSQL
        each pass is one round trip (a pipeline) unless an item needs more (a repeated submission, a
        take that found nothing).

        Only counting waits for another transaction's row locks (taking a task skips locked rows), and
        a batch counts before it takes, so the batches of several server processes on PostgreSQL do
        not deadlock over objects: measured, with the counts among the takes, two processes' batches
        deadlocked every few seconds and each deadlock cost a second (PostgreSQL's deadlock_timeout).
        """
        out: list[Any] = list(prepared)  # an item refused before it runs stands; the rest is filled in below
        now = self.runtime.clock.now()
        durable = any(isinstance(item, Submission) for item in items)
        counts: list[tuple[Any, ...]] = []
        takes: list[tuple[int, JobRow]] = []
        live = [index for index, text in enumerate(prepared) if not isinstance(text, CrowdformError)]
        firsts = {index: self._first_statement(items[index], prepared[index], now) for index in live}
        with self.runtime.database.write(durable=durable) as connection:
            raw = raw_connection(connection)
            # Without savepoints, every item's first statement goes to the database at once (one round
            # trip on PostgreSQL); with them, each runs inside its item's savepoint.
            rows = {} if isolated else dict(zip(live, execute_all(raw, [firsts[index] for index in live],
                                                                  pipeline=self._postgres)))
            for index in live:
                item = items[index]
                if isolated:
                    raw.execute("SAVEPOINT item")
                counted = len(counts)
                try:
                    row = rows[index] if index in rows else execute_all(raw, [firsts[index]], pipeline=False)[0]
                    out[index], take_on = self._before_taking(connection, item, now, counts, row)
                except Exception as error:
                    if not isolated:
                        raise _Refused() from error
                    if self._is_retryable(error) or self._is_database_down(error):
                        raise  # the whole transaction is lost: run it again, or give up on all
                    raw.execute("ROLLBACK TO SAVEPOINT item")
                    del counts[counted:]
                    out[index] = error if isinstance(error, CrowdformError) else self._unstorable(item, error)
                    take_on = None
                if isolated:
                    raw.execute("RELEASE SAVEPOINT item")
                if take_on is not None:
                    takes.append((index, take_on))
            self._count_answers(connection, counts)
            tasks = self._taker.take_all(connection, [(job, items[index].worker) for index, job in takes], now)
            for (index, _), task in zip(takes, tasks):
                out[index] = task if isinstance(items[index], NextTask) else (out[index][0], task)
        return out

    def _first_statement(self, item: Item, text: Prepared, now: float) -> tuple[str, tuple[Any, ...]]:
        """The statement an item starts with: its job's lookup, or its submission's conditional update."""
        if isinstance(item, NextTask):
            return self._sql.job_for_worker, (item.job_name.lower(), item.worker.id)
        assert isinstance(text, str)
        return self._sql.submit, (text, now, now, item.lease_id, item.worker.id, now)

    def _before_taking(self, connection: Connection, item: Item, now: float, counts: list[tuple[Any, ...]],
                       row: Any) -> tuple[Any, JobRow | None]:
        """An item's first pass, once its first statement returned ``row``: its result so far and the job
        to take the worker's next task on, if any."""
        if isinstance(item, NextTask):
            if row is None:  # not found and not yours look the same: workers only learn of their own jobs
                raise NotFound(f"No labeling job {item.job_name!r} is open to you.")
            job, status = self._job(connection, row[0]), row[1]
            return None, job if status == JobStatus.IN_PROGRESS else None
        result, job_id, status = self._submitted(connection, item, now, counts, row)
        take_on = self._job(connection, job_id) if item.then_next and status == JobStatus.IN_PROGRESS else None
        return (result, None), take_on

    def _submitted(self, connection: Connection, item: Submission, now: float, counts: list[tuple[Any, ...]],
                   row: Any) -> tuple[SubmitResult, int, str | None]:
        """Once a submission's conditional update returned ``row``: the submission's result, the lease's
        job id and that job's status (None if the worker is no longer on the job's team).

        The new answer is counted on its object by :meth:`_count_answers`, which runs on ``counts``
        before the commit: one statement for a whole batch. Nothing in the transaction reads the count
        meanwhile (taking a task looks at slots, which the lease already holds)."""
        if row is not None:  # the usual case: the worker's own active lease, in time
            job_id, object_id, status = row
            n = self._job(connection, job_id).workers_per_object
            counts.append((n, n, now, object_id))
            return SubmitResult(item.lease_id, now, already_submitted=False), job_id, status
        lease = own_lease(connection, item.worker, item.lease_id)
        if lease.state == LeaseState.SUBMITTED:
            if json.loads(lease.answer or "null") != item.answer:
                raise Conflict("This task was already submitted with a different answer; the first answer is kept.")
            status = raw_connection(connection).execute(self._sql.job_status_for_worker,
                                                         (lease.job_id, item.worker.id)).fetchone()
            return (SubmitResult(item.lease_id, lease.submitted_at, already_submitted=True), lease.job_id,
                    None if status is None else status[0])
        check_open(connection, lease, now)
        raise Conflict("This task changed while it was being submitted; submit it again to see its state.")

    def _count_answers(self, connection: Connection, counts: list[tuple[Any, ...]]) -> None:
        if counts:
            cursor = raw_connection(connection).cursor()
            try:  # in object order, so that concurrent batches lock the rows they share in one order
                cursor.executemany(self._sql.count_answer, sorted(counts, key=lambda params: params[-1]))
            finally:
                cursor.close()

    def _job(self, connection: Connection, job_id: int) -> JobRow:
        """A job's settings, which never change after creation (its status does: read it separately)."""
        job = self._jobs.get(job_id)
        if job is None:
            job = self._jobs[job_id] = job_row(connection.execute(select(Job).where(Job.id == job_id)).one())
        return job

    def _is_retryable(self, error: Exception) -> bool:
        return isinstance(error, (self._dbapi_error, DBAPIError)) and sqlstate(error) in RETRYABLE_SQLSTATES

    def _is_database_down(self, error: BaseException) -> bool:
        return isinstance(getattr(error, "orig", error), self._database_down)

    def _raise_if_database_down(self, error: Exception) -> None:
        if self._is_database_down(error):
            _log.error("the database failed a group commit", exc_info=error)
            raise _unavailable() from error

    @staticmethod
    def _unstorable(item: Item, error: Exception) -> CrowdformError:
        """An item's own failure that is no refusal of ours: a 400 naming its field (and a log line)."""
        if isinstance(error, CrowdformError):
            return error
        _log.warning("a worker-loop call failed alone: %r", item, exc_info=error)
        if isinstance(item, Submission):
            return InvalidInput.one("submission", f"the answer could not be stored ({type(error).__name__})",
                                    field="answer", hint="Send the form's answer as plain JSON; the requests "
                                                         "sent with it were stored")
        return InvalidInput.one("next task", f"the job name could not be looked up ({type(error).__name__})",
                                field="job_name", hint="Use a job name from GET /api/v1/worker/jobs")


def _prepare(item: Item) -> Prepared:
    """What an item needs before its transaction: a submission's answer as canonical text; the refusal
    of a value :mod:`crowdform.untrusted` refuses (the web layer refused it already; other callers
    meet the same check)."""
    try:
        if isinstance(item, NextTask):
            untrusted.check_text(item.job_name, source="next task", field="job_name")
            return None
        untrusted.check_text(item.lease_id, source="submission", field="lease_id")
        return _answer_text(item.answer)
    except CrowdformError as error:
        return error


def _answer_text(answer: Any) -> str:
    """The answer as canonical JSON text (``groundtruth.answers``), refused if hostile or too large."""
    try:
        text = canonical_answer(answer)
    except RecursionError:
        raise InvalidInput.one("submission", f"the answer is nested more than {untrusted.MAX_DEPTH} levels deep",
                               field="answer", hint="Flatten the answer") from None
    if untrusted.might_be_hostile(text):
        untrusted.check(answer, source="submission", field="answer")
    if len(text) > MAX_ANSWER_BYTES // 4 and len(text.encode()) > MAX_ANSWER_BYTES:  # a character is <= 4 bytes
        raise InvalidInput.one("submission", f"the answer is larger than {MAX_ANSWER_BYTES // 2**20} MiB",
                               field="answer")
    return text


def _unavailable() -> ServiceUnavailable:
    return ServiceUnavailable("The database did not answer; nothing of this request was stored. Try again shortly.",
                              retry_after=1)

