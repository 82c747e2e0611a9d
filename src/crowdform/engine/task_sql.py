"""The worker loop's statements as plain driver SQL, and running them on a transaction's DBAPI connection.

Next task and submit run a handful of fixed statements, sent straight to the transaction's own
DBAPI connection: the same SQL SQLAlchemy would send, without its per-statement Python work, which
was about half of the engine's CPU per answer. Taking a task is one ``UPDATE ... WHERE id = (first
open candidate) RETURNING`` plus the lease's ``INSERT``: one statement on PostgreSQL, where every
statement is a network round trip. A submission is one conditional ``UPDATE ... RETURNING`` of the
lease. On PostgreSQL, :func:`execute_all` sends a list of statements in one pipeline: one round trip
for all of them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from crowdform.engine.states import LeaseState, ObjectState


class HotSql:
    """The hot path's statements as driver SQL (``?`` placeholders; ``%s`` for psycopg)."""

    def __init__(self, postgres: bool) -> None:
        lock = " FOR UPDATE OF d SKIP LOCKED" if postgres else ""
        spent = "round(CAST(? - acquired_at AS numeric), 3)" if postgres else "round(? - acquired_at, 3)"
        open_to_worker = (
            f"d.job_id = ? AND d.state = '{ObjectState.READY}' AND d.slots_taken < ? AND NOT EXISTS "
            "(SELECT 1 FROM leases l WHERE l.object_id = d.id AND l.worker_id = ?)")
        statements = {
            "job_for_worker": "SELECT jobs.id, jobs.status FROM jobs JOIN team_members ON team_members.team_id = "
                              "jobs.team_id WHERE jobs.name_key = ? AND team_members.worker_id = ?",
            "job_status_for_worker": "SELECT jobs.status FROM jobs JOIN team_members ON team_members.team_id = "
                                     "jobs.team_id WHERE jobs.id = ? AND team_members.worker_id = ?",
            "held": "SELECT id, object_id, acquired_at, expires_at FROM leases WHERE job_id = ? AND worker_id = ? "
                    f"AND state = '{LeaseState.ACTIVE}' AND expires_at > ? LIMIT 1",
            # The first open candidate, claimed in the same statement (the slot condition is re-checked),
            # unless the worker holds a task on this job (then nothing changes: ask ``held`` for it).
            "take_first": "UPDATE data_objects SET slots_taken = slots_taken + 1 WHERE id = "
                          f"(SELECT d.id FROM data_objects d WHERE {open_to_worker} ORDER BY d.position LIMIT 1{lock}) "
                          f"AND state = '{ObjectState.READY}' AND slots_taken < ? AND NOT EXISTS "
                          f"(SELECT 1 FROM leases h WHERE h.job_id = ? AND h.worker_id = ? AND h.state = '{LeaseState.ACTIVE}' "
                          "AND h.expires_at > ?) RETURNING id, position, task_input",
            "insert_lease": "INSERT INTO leases (id, job_id, object_id, worker_id, state, acquired_at, expires_at) "
                            f"VALUES (?, ?, ?, ?, '{LeaseState.ACTIVE}', ?, ?)",
            "task_input": "SELECT position, task_input FROM data_objects WHERE id = ?",
            "submit": f"UPDATE leases SET state = '{LeaseState.SUBMITTED}', answer = ?, submitted_at = ?, "
                      f"time_spent = {spent} WHERE id = ? AND worker_id = ? AND state = '{LeaseState.ACTIVE}' "
                      "AND expires_at > ? RETURNING job_id, object_id, (SELECT jobs.status FROM jobs JOIN team_members "
                      "ON team_members.team_id = jobs.team_id WHERE jobs.id = leases.job_id AND team_members.worker_id "
                      "= leases.worker_id)",
            # Counts the answer and, with the N-th, hands the object to consolidation (old values on the right).
            "count_answer": "UPDATE data_objects SET answers = answers + 1, "
                            f"state = CASE WHEN state = '{ObjectState.READY}' AND answers + 1 >= ? "
                            f"THEN '{ObjectState.ANSWERED}' ELSE state END, "
                            f"answered_at = CASE WHEN state = '{ObjectState.READY}' AND answers + 1 >= ? "
                            "THEN ? ELSE answered_at END WHERE id = ?",
        }
        # PostgreSQL: the lease is inserted in the same statement as the slot is taken, saving a round
        # trip (SQLite's statements cost no round trip, and it has no data-modifying WITH).
        statements["take_and_lease"] = (
            f"WITH taken AS ({statements['take_first']}), leased AS ({statements['insert_lease'].split(' VALUES')[0]} "
            f"SELECT ?, ?, taken.id, ?, '{LeaseState.ACTIVE}', ?, ? FROM taken) SELECT id, position, task_input FROM taken"
        ) if postgres else ""
        for name, sql in statements.items():
            setattr(self, name, sql.replace("?", "%s") if postgres else sql)

    job_for_worker: str
    job_status_for_worker: str
    held: str
    take_first: str
    insert_lease: str
    take_and_lease: str
    task_input: str
    submit: str
    count_answer: str


def raw_connection(connection: Connection) -> Any:
    """The DBAPI connection under a SQLAlchemy connection, inside the same transaction."""
    return connection.connection.driver_connection


def execute_all(raw: Any, statements: list[tuple[str, tuple[Any, ...]]], *, pipeline: bool) -> list[Any]:
    """Each statement's first row, the statements run in order; with ``pipeline`` (psycopg) all of
    them go to the server at once, in one round trip."""
    if not pipeline or not statements:
        return [raw.execute(sql, params).fetchone() for sql, params in statements]
    with raw.pipeline():
        cursors = [raw.execute(sql, params) for sql, params in statements]
    return [cursor.fetchone() for cursor in cursors]


def sqlstate(error: Exception) -> str | None:
    """The SQLSTATE of a driver error, raised as it is or wrapped by SQLAlchemy (SQLite has none)."""
    return getattr(getattr(error, "orig", error), "sqlstate", None)
