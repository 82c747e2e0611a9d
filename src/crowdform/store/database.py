"""Connections to the store, with each database's settings for safe concurrent writes.

SQLite runs in WAL mode and every write transaction starts with ``BEGIN IMMEDIATE``, so concurrent
writers queue on the database lock (``busy_timeout``) instead of failing half-way with "database is
locked". Reads use deferred transactions and never block writers. PostgreSQL uses READ COMMITTED;
the engine's conditional updates (``... WHERE slots_taken < N``) keep invariants on both.

SQLite write transactions also take a lock of our own first: a Python lock among the threads of
one process, then an ``flock`` on ``<database file>-writer.lock`` among processes (``crowdform serve
--workers N``, the CLI beside a server). Without them, writers that lose the race for SQLite's lock
sleep in SQLite's busy handler (1 ms, 2 ms, 5 ms ... up to 100 ms per retry) even when the lock is
free again a moment later; with them, the next writer starts the instant the previous one commits.
``busy_timeout`` still covers any writer that does not take the file lock.

Durability is chosen per transaction. ``write()`` commits durably (SQLite ``synchronous=FULL``,
PostgreSQL's default ``synchronous_commit``): an acknowledged answer survives a crash or a power
loss. ``write(durable=False)`` is for state that may be lost on power loss but not corrupted, such
as handing out a lease (SQLite ``synchronous=NORMAL``: still safe against a process crash;
PostgreSQL ``synchronous_commit=off``). A later durable commit makes earlier ones durable too.
"""

from __future__ import annotations

import fcntl
import importlib
import os
import threading
from contextlib import contextmanager, nullcontext
from types import ModuleType
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


def dialect_module(name: str) -> ModuleType:
    """SQLAlchemy's module of the dialect ``name`` (``sqlite``, ``postgresql``), for its ``INSERT ... ON
    CONFLICT``; imported when first asked for, so a SQLite installation never loads the PostgreSQL dialect
    (2 MB in every process)."""
    return importlib.import_module(f"sqlalchemy.dialects.{name}")


class _WriterLock:
    """Threads of this process queue on a Python lock; processes queue on an ``flock`` of one file."""

    def __init__(self, path: str | None) -> None:
        self._thread_lock = threading.Lock()
        self._path = path  # None: an in-memory database, which no other process can open
        self._fd: int | None = None
        self._probe_fd: int | None = None  # its own open file, so probing never touches the held lock

    def __enter__(self) -> None:
        self._thread_lock.acquire()
        if self._path is None:
            return
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)  # blocks without holding the GIL
        except BaseException:
            self._thread_lock.release()
            raise

    def busy(self) -> bool:
        """Whether a writer holds the lock right now (a snapshot: it may change the next moment)."""
        if self._thread_lock.locked():
            return True
        if self._path is None:
            return False
        if self._probe_fd is None:
            self._probe_fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._probe_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(self._probe_fd, fcntl.LOCK_UN)
        return False

    def __exit__(self, *exc: object) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def close(self) -> None:
        for fd in (self._fd, self._probe_fd):
            if fd is not None:
                os.close(fd)
        self._fd = self._probe_fd = None


class Database:
    """A reader and a writer engine over one database URL; use :meth:`read` and :meth:`write`."""

    def __init__(self, url: str, *, pool_size: int = 40) -> None:
        self.url = _normalise_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        self._write_lock: _WriterLock | nullcontext[None] = nullcontext()
        if self.is_sqlite:
            database_file = make_url(self.url).database
            on_disk = bool(database_file) and database_file != ":memory:"
            self._write_lock = _WriterLock(f"{database_file}-writer.lock" if on_disk else None)
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

    @property
    def local_and_idle(self) -> bool:
        """True when a short transaction would start at once without leaving this machine: SQLite with
        no writer active. The web layer then runs quick engine calls on its event loop, skipping the
        hand-off to a worker thread; PostgreSQL calls wait on the network and always go to threads."""
        return isinstance(self._write_lock, _WriterLock) and not self._write_lock.busy()

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
        if isinstance(self._write_lock, _WriterLock):
            self._write_lock.close()
