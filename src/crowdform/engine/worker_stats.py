"""How much each worker did on each job: tasks submitted, tasks declined, median time per task.

Counted from the leases table in one query, so the console's workforce page costs the same whatever
the number of tasks: the per-(worker, job) median is picked by window functions (``ROW_NUMBER`` and
``COUNT`` over the worker's submitted leases of the job, ordered by time) rather than by loading
times into Python. SQLite (3.25+) and PostgreSQL both run it; neither needs a median aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select

from crowdform.engine.runtime import Runtime
from crowdform.engine.states import LeaseState
from crowdform.store.models import Job, Lease, Team, TeamMember, Worker


@dataclass(frozen=True)
class WorkerJobStats:
    username: str
    job_name: str
    submitted: int
    declined: int
    median_seconds: float | None  # None when the worker submitted nothing in this job


class WorkerStats:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def per_job(self, *, team: str | None = None) -> list[WorkerJobStats]:
        """One row per (worker, job) with at least one submitted or declined task, by worker then job;
        only the members of ``team`` when given (an unknown team has no rows)."""
        chosen = select(Lease.worker_id, Lease.job_id, Lease.state, Lease.time_spent).where(
            Lease.state.in_((LeaseState.SUBMITTED, LeaseState.DECLINED)))
        if team is not None:
            members = (select(TeamMember.worker_id).join(Team, Team.id == TeamMember.team_id)
                       .where(Team.name == team))
            chosen = chosen.where(Lease.worker_id.in_(members))
        leases = chosen.subquery()

        counts = (select(
            leases.c.worker_id, leases.c.job_id,
            func.sum(case((leases.c.state == LeaseState.SUBMITTED, 1), else_=0)).label("submitted"),
            func.sum(case((leases.c.state == LeaseState.DECLINED, 1), else_=0)).label("declined"),
        ).group_by(leases.c.worker_id, leases.c.job_id).subquery())

        timed = and_(leases.c.state == LeaseState.SUBMITTED, leases.c.time_spent.is_not(None))
        pair = (leases.c.worker_id, leases.c.job_id)
        ranked = select(
            leases.c.worker_id, leases.c.job_id, leases.c.time_spent,
            func.row_number().over(partition_by=pair, order_by=leases.c.time_spent).label("rank"),
            func.count().over(partition_by=pair).label("n"),
        ).where(timed).subquery()
        # The middle row (odd n) or the two middle rows (even n): ranks (n+1)/2 and (n+2)/2 in integers.
        middle = or_(ranked.c.rank == (ranked.c.n + 1) // 2, ranked.c.rank == (ranked.c.n + 2) // 2)
        medians = (select(ranked.c.worker_id, ranked.c.job_id, func.avg(ranked.c.time_spent).label("median"))
                   .where(middle).group_by(ranked.c.worker_id, ranked.c.job_id).subquery())

        query = (
            select(Worker.username, Job.name, counts.c.submitted, counts.c.declined, medians.c.median)
            .select_from(counts)
            .join(Worker, Worker.id == counts.c.worker_id)
            .join(Job, Job.id == counts.c.job_id)
            .outerjoin(medians, and_(medians.c.worker_id == counts.c.worker_id, medians.c.job_id == counts.c.job_id))
            .order_by(Worker.username, Job.name)
        )
        with self.runtime.database.read() as connection:
            return [WorkerJobStats(username, job, int(submitted), int(declined),
                                   None if median is None else float(median))
                    for username, job, submitted, declined, median in connection.execute(query)]
