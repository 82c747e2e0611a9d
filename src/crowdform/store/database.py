"""Connections to the store, with each database's settings for safe concurrent writes.

SQLite runs in WAL mode and every write transaction starts with ``BEGIN IMMEDIATE``, so concurrent
writers queue on the database lock (``busy_timeout``) instead of failing half-way with "database is
locked". Reads use deferred transactions and never block writers. PostgreSQL uses READ COMMITTED;
the engine's conditional updates (``... WHERE slots_taken < N``) keep invariants on both.

Within one process, SQLite write transactions also take a Python lock first. Without it, threads
that lose the race for SQLite's lock sleep in SQLite's busy handler (1 ms, 2 ms, 5 ms ... up to 100 ms
per retry) even when the lock is free again a moment later; with it, the next writer starts the
instant the previous one commits. Other processes still meet through ``busy_timeout``.

Durability is chosen per transaction. ``write()`` commits durably (SQLite ``synchronous=FULL``,
PostgreSQL's default ``synchronous_commit``): an acknowledged answer survives a crash or a power
loss. ``write(durable=False)`` is for state that may be lost on power loss but not corrupted, such
as handing out a lease (SQLite ``synchronous=NORMAL``: still safe against a process crash;
PostgreSQL ``synchronous_commit=off``). A later durable commit makes earlier ones durable too.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager, nullcontext
from typing import Any, Iterator

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_BUSY_TIMEOUT_MS = 60_000


def _normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


class Database:
    """A reader and a writer engine over one database URL; use :meth:`read` and :meth:`write`."""

    def __init__(self, url: str, *, pool_size: int = 40) -> None:
        self.url = _normalise_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        self._write_lock: threading.Lock | nullcontext[None] = threading.Lock() if self.is_sqlite else nullcontext()
        if self.is_sqlite:
            self.reader = self._sqlite_engine(immediate=False, synchronous="FULL", pool_size=pool_size)
            self.writer = self._sqlite_engine(immediate=True, synchronous="FULL", pool_size=pool_size)
            self.fast_writer = self._sqlite_engine(immediate=True, synchronous="NORMAL", pool_size=pool_size)
        else:
            self.reader = self.writer = create_engine(
                self.url, pool_size=pool_size, max_overflow=pool_size * 2, pool_pre_ping=True
            )
            self.fast_writer = self.writer.execution_options(synchronous_commit_off=True)

            @event.listens_for(self.writer, "begin")
            def _on_begin(connection: Connection) -> None:
                if connection.get_execution_options().get("synchronous_commit_off"):
                    connection.exec_driver_sql("SET LOCAL synchronous_commit = off")

    def _sqlite_engine(self, *, immediate: bool, synchronous: str, pool_size: int) -> Engine:
        engine = create_engine(
            self.url,
            pool_size=pool_size,
            max_overflow=pool_size * 2,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own handling is off).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Connection) -> None:
            connection.exec_driver_sql(begin)

        return engine

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.reader.connect() as connection:
            with connection.begin():
                yield connection

    @contextmanager
    def write(self, *, durable: bool = True) -> Iterator[Connection]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        with self._write_lock, (self.writer if durable else self.fast_writer).begin() as connection:
            yield connection

    def dispose(self) -> None:
        for engine in {id(e): e for e in (self.reader, self.writer, self.fast_writer)}.values():
            engine.dispose()
