"""Which process of a data folder runs the background work.

``crowdform serve --workers N`` starts N server processes over one data folder. All of them serve
requests, but only one should run background rounds: every step is claimed in the database so
several could, but N copies would rewrite the same output manifests and poll the same hooks N
times. The leader is whoever holds an exclusive ``flock`` on ``<data dir>/background.lock``. The
kernel drops the lock when its holder exits or is killed, so another process takes over within a
round. Servers on other machines (PostgreSQL, S3) have their own data folders and still meet only
through the database's claims.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_FILE_NAME = "background.lock"


class Leadership:
    """A non-blocking, process-wide claim on one data folder's background work."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / LOCK_FILE_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_acquire(self) -> bool:
        """True if this process leads now (it keeps leading until :meth:`release` or exit)."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # for people wondering which process leads
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None
