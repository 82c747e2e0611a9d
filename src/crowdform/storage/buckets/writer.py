"""An object (or a multipart part) on its way in: a temporary file that hashes what it is given.

The bytes go to a file in the store's ``tmp/`` folder while MD5 (the ETag) and any checksums the
caller asks for are computed in the same pass, so a large upload is read once and held in memory a
chunk at a time. The caller checks the digests against what its client claimed, then commits the
file (renamed into place by the store) or aborts it (deleted); closing without either aborts.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from types import TracebackType

from crowdform.storage.buckets import checksums
from crowdform.unique_ids import fresh_hex

COPY_CHUNK = 1024 * 1024


class TempObject:
    """A temporary file being filled. ``algorithms`` are extra digests to compute (``SHA256``...)."""

    def __init__(self, tmp_folder: Path, algorithms: tuple[str, ...] = (), *, md5: bool = True) -> None:
        self.path = tmp_folder / f"{fresh_hex()}.part"
        self.descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        self.size = 0
        self._md5 = hashlib.md5() if md5 else None
        self._given_md5: bytes | None = None
        self._hashers = {name: checksums.new(name) for name in dict.fromkeys(algorithms)}
        self.closed = False
        self._placed = False

    def write(self, data: bytes | memoryview) -> None:
        if self._md5 is not None:
            self._md5.update(data)
        for hasher in self._hashers.values():
            hasher.update(data)
        view = memoryview(data)
        while view:
            written = os.write(self.descriptor, view)
            view = view[written:]
        self.size += len(data)

    def copy_from(self, source: int, offset: int, length: int) -> None:
        """Append ``length`` bytes of ``source`` from ``offset``: in the kernel when nothing is hashed."""
        if self._md5 is None and not self._hashers and hasattr(os, "copy_file_range"):
            end = offset + length
            while offset < end:
                copied = os.copy_file_range(source, self.descriptor, end - offset, offset)
                if copied == 0:
                    raise OSError("the source ended early")
                offset += copied
            self.size += length
            return
        while length > 0:
            chunk = os.pread(source, min(COPY_CHUNK, length), offset)
            if not chunk:
                raise OSError("the source ended early")
            self.write(chunk)
            offset += len(chunk)
            length -= len(chunk)

    @property
    def md5(self) -> bytes:
        """The MD5 of the bytes: computed here, or as the caller that hashed them said (:meth:`set_md5`)."""
        if self._given_md5 is not None:
            return self._given_md5
        assert self._md5 is not None, "this temporary object does not compute its MD5"
        return self._md5.digest()

    def set_md5(self, digest: bytes) -> None:
        self._given_md5 = digest

    def digest(self, algorithm: str) -> bytes:
        return self._hashers[algorithm].digest()

    def finish(self) -> os.stat_result:
        """Make the bytes durable and close the file; the status of what was written."""
        os.fsync(self.descriptor)
        status = os.fstat(self.descriptor)
        os.close(self.descriptor)
        self.closed = True
        return status

    def placed(self) -> None:
        """The file was renamed into place: nothing is left to remove (saves a failing unlink)."""
        self._placed = True

    def discard(self) -> None:
        if not self.closed:
            os.close(self.descriptor)
            self.closed = True
        if not self._placed:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)

    def __enter__(self) -> "TempObject":
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if kind is not None:
            self.discard()
