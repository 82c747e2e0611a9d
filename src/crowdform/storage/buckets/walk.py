"""The keys of a bucket in S3's order, read from its folders, without reading more than a page needs.

S3 lists keys in the order of their UTF-8 bytes (which is Python's order of code points). Walking
folders in name order would not give it: ``a-c`` sorts between ``a`` and ``a/b``. So each folder's
entries are sorted with a folder named ``a`` standing for ``a/``; the keys below it then come out
together, in order, and the walk as a whole yields keys in S3's order. A walk starts at the folder a
prefix names, enters no folder that holds only keys before ``after`` (so paging resumes without
walking what was already listed), and drops a folder's remaining keys as soon as the caller sets
:attr:`KeyWalker.skip` (a common prefix, already listed whole).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from crowdform.storage.buckets.folders import open_chain, open_folder
from crowdform.storage.local import TEMP_SUFFIX


@dataclass(frozen=True)
class Found:
    key: str
    status: os.stat_result
    marker: bool  # a folder marker (``photos/``), whose status is its folder's


@dataclass
class _Frame:
    descriptor: int
    prefix: str  # the key of this folder, with its '/' ('' for the bucket itself)
    entries: list[tuple[str, str, bool]]  # (sort key, name, is folder)
    index: int = 0


class KeyWalker:
    """Iterate the keys under ``prefix`` that sort after ``after``; ``is_marker`` says which folders
    are folder-marker objects (``key`` ends with ``/``)."""

    def __init__(self, bucket_fd: int, prefix: str, after: str,
                 is_marker: Callable[[str, os.stat_result], bool]) -> None:
        self.bucket_fd = bucket_fd
        self.prefix = prefix
        self.after = after
        self.is_marker = is_marker
        self.skip: str | None = None

    def __iter__(self) -> Iterator[Found]:
        folders, _, start = self.prefix.rpartition("/")
        names = folders.split("/") if folders else []
        if any(name in ("", ".", "..") for name in names):
            return  # no folder can have such a name: nothing is under this prefix
        try:
            top = open_chain(self.bucket_fd, names, create=False)
        except (FileNotFoundError, NotADirectoryError):
            return
        stack = [_Frame(top, folders + "/" if folders else "", _entries(top, start))]
        try:
            if names and not start:  # the prefix names a folder: it may be a marker itself
                found = self._marker(top, stack[0].prefix)
                if found is not None:
                    yield found
            while stack:
                frame = stack[-1]
                if frame.index >= len(frame.entries) or self._skipped(frame.prefix):
                    os.close(stack.pop().descriptor)
                    continue
                _, name, is_folder = frame.entries[frame.index]
                frame.index += 1
                key = frame.prefix + name + ("/" if is_folder else "")
                if self._skipped(key):
                    continue
                if not is_folder:
                    if key > self.after:
                        try:
                            status = os.stat(name, dir_fd=frame.descriptor, follow_symlinks=False)
                        except FileNotFoundError:
                            continue  # deleted since the folder was read
                        if stat.S_ISREG(status.st_mode):
                            yield Found(key, status, False)
                    continue
                if key <= self.after and not self.after.startswith(key):
                    continue  # every key below sorts before `after`
                try:
                    descriptor = open_folder(frame.descriptor, name)
                except OSError:
                    continue  # gone, or no longer a folder
                stack.append(_Frame(descriptor, key, _entries(descriptor, "")))
                found = self._marker(descriptor, key)
                if found is not None:
                    yield found
        finally:
            for frame in stack:
                os.close(frame.descriptor)

    def _skipped(self, key: str) -> bool:
        return self.skip is not None and key.startswith(self.skip)

    def _marker(self, descriptor: int, key: str) -> Found | None:
        if key <= self.after:
            return None
        status = os.fstat(descriptor)
        return Found(key, status, True) if self.is_marker(key, status) else None


def _entries(descriptor: int, start: str) -> list[tuple[str, str, bool]]:
    """The folder's files and folders whose names start with ``start``, in key order; symlinks, names
    that are not valid Unicode (so cannot be keys) and the local store's files being written (a file
    written into a bucket folder as a ``file://`` path) are left out."""
    entries = []
    with os.scandir(descriptor) as scan:
        for entry in scan:
            name = entry.name
            if not name.startswith(start) or entry.is_symlink() or (name[:1] == "." and name.endswith(TEMP_SUFFIX)):
                continue
            try:
                name.encode("utf-8")
            except UnicodeEncodeError:
                continue
            if entry.is_dir(follow_symlinks=False):
                entries.append((name + "/", name, True))
            elif entry.is_file(follow_symlinks=False):
                entries.append((name, name, False))
    entries.sort()
    return entries
