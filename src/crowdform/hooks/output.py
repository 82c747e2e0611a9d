"""Lines a hook prints, delivered to the job's log as they appear and before its reply is returned.

A reader thread per stream drains the child's stdout or stderr pipe (so a chatty handler never
blocks on a full pipe) and passes each line to ``log(stream, line)``. The child reports, with every
reply, how many bytes it had written to the stream by then; :meth:`OutputReader.wait_for` blocks
until that many bytes have been read and logged. That is what makes "handler printed X, then
failed" show up in that order, without any marker text injected into the stream.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Callable

LogFunction = Callable[[str, str], None]

MAX_LINE_BYTES = 64 * 1024  # a longer line without a newline is logged in pieces this long

_logger = logging.getLogger(__name__)


class OutputReader:
    """Reads one pipe (``stream`` is ``"stdout"`` or ``"stderr"``) line by line into ``log``."""

    def __init__(self, fd: int, stream: str, log: LogFunction, *, thread_name: str) -> None:
        self.stream = stream
        self._fd = fd
        self._log = log
        self._bytes_read = 0
        self._eof = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=thread_name, daemon=True)
        self._thread.start()

    def wait_for(self, total_bytes: int, timeout: float) -> bool:
        """Wait until ``total_bytes`` bytes have been read and logged (or the pipe closed)."""
        if self._bytes_read >= total_bytes:  # the usual case: nothing new was printed
            return True
        with self._changed:
            return self._changed.wait_for(
                lambda: self._bytes_read >= total_bytes or self._eof, timeout
            )

    def wait_closed(self, timeout: float) -> bool:
        """Wait for end of file: every process holding the pipe's write end has exited."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        pending = b""
        try:
            while True:
                chunk = os.read(self._fd, 65536)
                if not chunk:
                    break
                lines = (pending + chunk).split(b"\n")
                pending = lines.pop()
                for line in lines:
                    self._emit(line)
                while len(pending) >= MAX_LINE_BYTES:
                    self._emit(pending[:MAX_LINE_BYTES])
                    pending = pending[MAX_LINE_BYTES:]
                with self._changed:
                    self._bytes_read += len(chunk)
                    self._changed.notify_all()
            if pending:
                self._emit(pending)
        finally:
            os.close(self._fd)
            with self._changed:
                self._eof = True
                self._changed.notify_all()

    def _emit(self, line: bytes) -> None:
        text = line.decode("utf-8", "replace").rstrip("\r")
        try:
            self._log(self.stream, text)
        except Exception:  # a broken log sink must not stop the pipe being drained
            _logger.exception("The hook log function failed on a %s line", self.stream)
