"""Ingest an input manifest: one ``data_objects`` row per line, inside the caller's transaction.

:func:`ingest_manifest` streams the manifest through :func:`~crowdform.manifest.reader.read_manifest`
and inserts as it reads, so memory stays flat for a million lines. It runs inside the job's create
transaction: a bad line anywhere (``read_manifest`` raises after the last line) or any database
error rolls back the job and every row, on both databases.

How rows are written depends on the database:

* SQLite: ``executemany`` of an ``INSERT`` in batches of :data:`INSERT_BATCH` rows.
* PostgreSQL (psycopg 3): one ``COPY data_objects (...) FROM STDIN`` for the whole manifest.
  SQLAlchemy's ``executemany`` on psycopg sends one single-row ``INSERT`` per line; ``COPY`` is 3-4
  times faster for the same rows (bench/RESULTS.md, section 1). If the manifest turns out to
  have bad lines, the ``COPY`` is aborted with that error and the transaction rolls back as before.

Either way ``progress`` is called with the number of rows written after every :data:`INSERT_BATCH`
rows and once more for the rest.

After the create transaction has committed, :func:`refresh_statistics` has PostgreSQL ``ANALYZE
data_objects``, so the planner knows the new job's rows (up to a million) before workers ask for
tasks rather than when autovacuum gets to it. (``leases`` is left alone: the new job has none yet.)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Callable

from pathlib import Path

from sqlalchemy import Connection, insert

from crowdform.engine.states import ObjectState
from crowdform.errors import Problem
from crowdform.manifest.reader import ManifestLine, ValueCheck, is_already_labeled, read_manifest
from crowdform.storage import Storage
from crowdform.store.database import Database
from crowdform.store.models import DataObject

logger = logging.getLogger(__name__)

INSERT_BATCH = 5_000

Progress = Callable[[int], None]

# The columns COPY fills. The others are NULL or have a server-side default (the id); these four
# counters have Python-side defaults only (``default=0`` on the model), so COPY must give them.
_COPY_COLUMNS = ("job_id", "position", "line", "state", "slots_taken", "answers", "declines", "attempts")
_COPY_SQL = f"COPY {DataObject.__tablename__} ({', '.join(_COPY_COLUMNS)}) FROM STDIN"


def ingest_manifest(connection: Connection, job_id: int, lines: Iterable[bytes | str], *, source: str,
                    label_attribute_name: str, progress: Progress | None = None,
                    refuse_value: ValueCheck | None = None) -> int:
    """Insert one data object per good manifest line; return how many. Raises ``InvalidInput`` for bad lines
    (and for lines holding a string that ``refuse_value`` refuses: see ``read_manifest``).

    Lines that already carry ``label_attribute_name`` and its ``-metadata`` (a chained job) are stored
    as ``SKIPPED``; the others as ``QUEUED``.
    """
    good_lines = read_manifest(lines, source=source, refuse_value=refuse_value)
    if uses_copy(connection):
        return _copy_objects(connection, job_id, good_lines, label_attribute_name, progress)
    return _insert_objects(connection, job_id, good_lines, label_attribute_name, progress)


def refuse_private_files(storage: Storage, public_folder: Path) -> ValueCheck:
    """The check of a manifest's strings against crowdform's private data folder (docs/decisions.md, "What may be served"): a line naming
    ``secrets.json`` or the database (as a path or a ``file://`` URI, after symlinks) is refused at create,
    with its line number, rather than at the first task page."""
    names_private = storage.private_name_check()

    def refuse(value: str) -> Problem | None:
        uri = names_private(value)
        if uri is None:
            return None
        return Problem(f"names {uri}, inside crowdform's private data folder (database, secrets, logs), "
                       "whose files are never served", hint=f"Keep job files outside the data folder, or in {public_folder}")

    return refuse


def uses_copy(connection: Connection) -> bool:
    """Whether ingest writes with ``COPY``: PostgreSQL through psycopg 3."""
    dialect = connection.dialect
    return dialect.name == "postgresql" and dialect.driver == "psycopg"


def _insert_objects(connection: Connection, job_id: int, lines: Iterable[ManifestLine], lan: str,
                    progress: Progress | None) -> int:
    rows: list[dict[str, Any]] = []
    count = 0
    statement = insert(DataObject)
    for line in lines:
        state = ObjectState.SKIPPED if is_already_labeled(line.data, lan) else ObjectState.QUEUED
        rows.append({"job_id": job_id, "position": line.position, "line": line.text, "state": state})
        if len(rows) >= INSERT_BATCH:
            count += _flush(connection, statement, rows, progress)
    if rows:
        count += _flush(connection, statement, rows, progress)
    return count


def _flush(connection: Connection, statement: Any, rows: list[dict[str, Any]], progress: Progress | None) -> int:
    connection.execute(statement, rows)
    done = len(rows)
    rows.clear()
    if progress:
        progress(done)
    return done


def _copy_objects(connection: Connection, job_id: int, lines: Iterable[ManifestLine], lan: str,
                  progress: Progress | None) -> int:
    # The DBAPI (psycopg) connection of this SQLAlchemy connection: same session, same transaction.
    dbapi_connection: Any = connection.connection.dbapi_connection
    skipped, queued = ObjectState.SKIPPED, ObjectState.QUEUED
    count = reported = 0
    with dbapi_connection.cursor() as cursor:
        # An exception inside the block (bad lines, read errors) ends the COPY with that error, which
        # then propagates unchanged; the caller's transaction rolls back.
        with cursor.copy(_COPY_SQL) as copy:
            write_row = copy.write_row
            for line in lines:
                state = skipped if is_already_labeled(line.data, lan) else queued
                write_row((job_id, line.position, line.text, state, 0, 0, 0, 0))
                count += 1
                if progress and count - reported >= INSERT_BATCH:
                    progress(count - reported)
                    reported = count
    # Reported only once the server has taken every row (the COPY above has ended without error).
    if progress and count > reported:
        progress(count - reported)
    return count


def refresh_statistics(database: Database) -> None:
    """PostgreSQL: ``ANALYZE data_objects``, which a new job has just grown. Nothing to do on SQLite.

    Runs in a transaction of its own after the job's create transaction has committed, so it never
    holds ANALYZE's lock for the length of an ingest. A failure is logged, not raised: the job exists
    and works; only the planner's statistics stay as they were until autovacuum's next ANALYZE.
    """
    if database.is_sqlite:
        return
    try:
        with database.write(durable=False) as connection:  # statistics need no fsync
            connection.exec_driver_sql(f"ANALYZE {DataObject.__tablename__}")
    except Exception:  # statistics are an optimisation; the job is already created
        logger.warning("ANALYZE after ingest failed", exc_info=True)
