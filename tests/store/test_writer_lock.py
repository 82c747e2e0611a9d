"""SQLite writers queue on our own lock: threads on a Python lock, processes on an flock of one file."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import text

from crowdform.store.database import Database


def test_a_second_process_waits_for_the_first_writer_and_sees_it_busy(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    # Two Database objects open the lock file separately: exactly what two processes do.
    one, two = Database(url), Database(url)
    with one.write() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    assert one.local_and_idle and two.local_and_idle
    order: list[str] = []
    inside = threading.Event()

    def first_writer() -> None:
        with one.write() as connection:
            inside.set()
            connection.execute(text("INSERT INTO t VALUES (1)"))
            time.sleep(0.3)
            order.append("first commits")

    thread = threading.Thread(target=first_writer)
    thread.start()
    inside.wait(5)
    assert not two.local_and_idle  # the other "process" sees a writer at work
    with two.write() as connection:
        order.append("second starts")
        connection.execute(text("INSERT INTO t VALUES (2)"))
    thread.join()
    assert order == ["first commits", "second starts"]
    assert two.local_and_idle
    one.dispose()
    two.dispose()


def test_postgresql_calls_never_count_as_local(database_url: str) -> None:
    database = Database(database_url)
    assert database.local_and_idle == database.is_sqlite
    database.dispose()
