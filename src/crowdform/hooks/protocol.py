"""The wire between the engine and a hook's child process: length-prefixed JSON frames on two pipes.

The frames travel on their own file descriptors, not on stdin/stdout, so whatever the handler
prints (or a library it calls writes straight to fd 1) can never corrupt a reply. Each frame is a
4-byte big-endian length followed by that many bytes of UTF-8 JSON.

Messages, parent to child: ``{"timeout_ms": int, "event": ...}``.

Child to parent, first once after the handler is imported:
``{"ready": true}`` or ``{"ok": false, "phase": "init", ...error}``; then one per event:
``{"ok": true, "out": int, "err": int, "result": ...}`` or
``{"ok": false, "phase": "invoke" | "marshal", "out": int, "err": int, ...error}``, where
``error`` is ``"type"``, ``"message"`` and, for import failures, ``"file"`` and ``"line"``.
``out``/``err`` count the bytes the child has written to its stdout/stderr so far, so the parent
can wait for those lines to reach the log before it returns (see :mod:`crowdform.hooks.output`).

The child uses the blocking helpers; the parent uses :class:`FrameReader` and
:func:`write_frame`, which honour a deadline so a stuck child cannot stall the engine.
"""

from __future__ import annotations

import os
import selectors
import struct
import time

HEADER = struct.Struct(">I")
CHUNK = 1 << 16


class PipeClosed(Exception):
    """The other end closed its pipe: the child exited (or the parent went away)."""


def frame(body: bytes) -> bytes:
    return HEADER.pack(len(body)) + body


def write_all(fd: int, data: bytes) -> None:
    """Write every byte to a blocking fd (the child's reply pipe)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_exactly(fd: int, size: int) -> bytes:
    """Read ``size`` bytes from a blocking fd; raise :class:`PipeClosed` at end of file."""
    chunks = bytearray()
    while len(chunks) < size:
        chunk = os.read(fd, size - len(chunks))
        if not chunk:
            raise PipeClosed
        chunks += chunk
    return bytes(chunks)


def read_frame_blocking(fd: int) -> bytes:
    """The child's side: wait for the next whole frame."""
    (size,) = HEADER.unpack(read_exactly(fd, HEADER.size))
    return read_exactly(fd, size) if size else b""


class FrameReader:
    """The parent's side of the reply pipe: whole frames, or :class:`TimeoutError` at the deadline.

    One reader serves one child and is used by one thread at a time (a child handles one event at
    a time). Bytes that arrive after a frame stay buffered for the next one.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._buffer = bytearray()
        self._selector = selectors.DefaultSelector()
        self._selector.register(fd, selectors.EVENT_READ)

    def read(self, deadline: float) -> bytes:
        while True:
            if len(self._buffer) >= HEADER.size:
                (size,) = HEADER.unpack_from(self._buffer)
                end = HEADER.size + size
                if len(self._buffer) >= end:
                    body = bytes(self._buffer[HEADER.size:end])
                    del self._buffer[:end]
                    return body
            self._fill(deadline)

    def _fill(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not self._selector.select(remaining):
            raise TimeoutError
        chunk = os.read(self.fd, CHUNK)
        if not chunk:
            raise PipeClosed
        self._buffer += chunk

    def close(self) -> None:
        self._selector.close()


def write_frame(fd: int, body: bytes, deadline: float) -> None:
    """Send one frame on a non-blocking fd; :class:`TimeoutError` if the child stops reading."""
    view = memoryview(frame(body))
    view = view[_write_some(fd, view):]
    if not view:  # the usual case: the whole frame fits in the pipe at once
        return
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_WRITE)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                raise TimeoutError
            view = view[_write_some(fd, view):]


def _write_some(fd: int, view: memoryview) -> int:
    try:
        return os.write(fd, view)
    except BlockingIOError:
        return 0
    except BrokenPipeError:
        raise PipeClosed from None
