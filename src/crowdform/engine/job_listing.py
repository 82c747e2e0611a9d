"""Pages of labeling jobs, filtered and sorted: SageMaker's ListLabelingJobs and
ListLabelingJobsForWorkteam.

A page is one query over ``jobs`` (filters and order in SQL, keyset paging, see ``engine/keyset.py``)
and one more that counts the objects of the page's jobs by state, whatever the number of jobs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from crowdform.engine.keyset import Keyset, split_page
from crowdform.engine.runtime import Runtime
from crowdform.engine.workforce import Workforce
from crowdform.store.models import DataObject, Job

SORTS = ("name", "created", "status")


@dataclass(frozen=True)
class JobQuery:
    """Which jobs, in which order. Times are epoch seconds, compared strictly (``after``: later than)."""

    created_after: float | None = None
    created_before: float | None = None
    modified_after: float | None = None
    modified_before: float | None = None
    name_contains: str | None = None
    """Part of the name, any case."""
    status: str | None = None
    team: str | None = None
    """Only the jobs of this team (work team)."""
    reference_contains: str | None = None
    """Part of the ``JobReferenceCode``."""
    sort: str = "created"
    descending: bool = False
    after: Sequence[Any] | None = None
    """The key the previous page ended at."""
    limit: int = 10


@dataclass(frozen=True)
class ListedJob:
    row: Any
    """The ``jobs`` row."""
    states: dict[str, int]
    """How many of its objects are in each state."""


def list_jobs(runtime: Runtime, query: JobQuery) -> tuple[list[ListedJob], list[Any] | None]:
    """One page of jobs, and the key to resume after when more follow."""
    keyset = _keyset(query)
    statement = select(Job)
    for condition in _conditions(query):
        statement = statement.where(condition)
    with runtime.database.read() as connection:
        if query.team is not None:
            statement = statement.where(Job.team_id == Workforce(runtime).team_id(connection, query.team))
        rows, last = split_page(connection.execute(keyset.page(
            statement, query.after, query.limit, postgres=not runtime.database.is_sqlite)).all(), query.limit, keyset)
        states: dict[int, dict[str, int]] = {row.id: {} for row in rows}
        if rows:
            for job_id, state, count in connection.execute(
                    select(DataObject.job_id, DataObject.state, func.count())
                    .where(DataObject.job_id.in_(list(states))).group_by(DataObject.job_id, DataObject.state)):
                states[job_id][state] = count
    return [ListedJob(row, states[row.id]) for row in rows], last


def _keyset(query: JobQuery) -> Keyset:
    if query.sort not in SORTS:
        raise ValueError(f"sort must be one of {SORTS}, not {query.sort!r}")  # the caller maps SortBy
    columns = {"name": (Job.name_key, Job.id), "created": (Job.created_at, Job.id),
               "status": (Job.status, Job.created_at, Job.id)}[query.sort]
    return Keyset(columns, query.descending)


def _conditions(query: JobQuery) -> list[Any]:
    conditions: list[Any] = []
    if query.created_after is not None:
        conditions.append(Job.created_at > query.created_after)
    if query.created_before is not None:
        conditions.append(Job.created_at < query.created_before)
    if query.modified_after is not None:
        conditions.append(Job.updated_at > query.modified_after)
    if query.modified_before is not None:
        conditions.append(Job.updated_at < query.modified_before)
    if query.name_contains:
        conditions.append(Job.name_key.contains(query.name_contains.lower(), autoescape=True))
    if query.status is not None:
        conditions.append(Job.status == query.status)
    if query.reference_contains:
        conditions.append(Job.reference_code.contains(query.reference_contains, autoescape=True))
    return conditions
