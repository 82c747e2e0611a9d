"""The embedded store's folders, opened one name at a time without following symlinks.

Every path below a bucket folder is walked with ``openat``-style calls (``dir_fd``) and
``O_NOFOLLOW``, so no symlink or ``..`` placed by hand can lead a request out of the bucket: the
key's own parts are checked by :mod:`~crowdform.storage.buckets.names`, and the file system is
never asked to resolve more than one name at a time. The store's own bookkeeping lives in
``<buckets>/.crowdform/`` (a name no bucket can have: bucket names start with a letter or digit):

* ``tmp/``: objects and parts being written (renamed into place when complete);
* ``meta/<bucket>/``: one metadata file per object (:mod:`~crowdform.storage.buckets.meta`);
* ``uploads/<bucket>/<upload id>/``: multipart uploads in progress;
* ``locks/<bucket>``: the lock a writer holds while it renames an object and its metadata into place.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

INTERNAL = ".crowdform"
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# A name that is not a folder, met while walking: a file, a symlink, or nothing.
NOT_A_FOLDER = (errno.ENOTDIR, errno.ELOOP, errno.ENOENT)


class Folders:
    """Opens the folders of one buckets folder; stateless apart from its paths."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.internal = self.root / INTERNAL
        self.tmp = self.internal / "tmp"
        self.meta = self.internal / "meta"
        self.uploads = self.internal / "uploads"
        self.locks = self.internal / "locks"

    def ensure(self) -> None:
        for folder in (self.tmp, self.meta, self.uploads, self.locks):
            folder.mkdir(parents=True, exist_ok=True)

    def open_bucket(self, bucket: str) -> int:
        """The bucket folder's descriptor; ``FileNotFoundError`` if there is no such bucket."""
        try:
            return os.open(self.root / bucket, _DIR_FLAGS)
        except OSError as error:
            if error.errno in NOT_A_FOLDER:
                raise FileNotFoundError(errno.ENOENT, "no such bucket", bucket) from None
            raise

    @contextlib.contextmanager
    def bucket(self, bucket: str) -> Iterator[int]:
        descriptor = self.open_bucket(bucket)
        try:
            yield descriptor
        finally:
            os.close(descriptor)

    @contextlib.contextmanager
    def lock(self, bucket: str) -> Iterator[None]:
        """The bucket's writer lock (an ``flock``: threads and processes alike), held briefly."""
        descriptor = os.open(self.locks / bucket, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing releases the flock

    def tmp_name(self, name: str) -> Path:
        return self.tmp / name


def open_folder(parent: int, name: str) -> int:
    return os.open(name, _DIR_FLAGS, dir_fd=parent)


def open_chain(top: int, names: list[str], *, create: bool) -> int:
    """The descriptor of ``top/names[0]/names[1]/...`` (``top`` itself duplicated when ``names`` is empty).

    With ``create``, missing folders are made. ``NotADirectoryError`` (with the index of the name that
    is not a folder in ``filename``) when one of them is a file or a symlink; ``FileNotFoundError``
    when one is missing and ``create`` is off.
    """
    current = os.dup(top)
    for index, name in enumerate(names):
        try:
            following = _open_or_make(current, name, create)
        except OSError as error:
            os.close(current)
            if error.errno in (errno.ENOTDIR, errno.ELOOP) or (error.errno == errno.EEXIST):
                raise NotADirectoryError(errno.ENOTDIR, "not a folder", index) from None
            raise
        os.close(current)
        current = following
    return current


def _open_or_make(parent: int, name: str, create: bool) -> int:
    try:
        return open_folder(parent, name)
    except FileNotFoundError:
        if not create:
            raise
    try:
        os.mkdir(name, 0o777, dir_fd=parent)
    except FileExistsError:
        pass  # made by someone else meanwhile (or a file: opening it says so)
    return open_folder(parent, name)


def is_folder(parent: int, name: str) -> bool:
    try:
        return stat.S_ISDIR(os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode)
    except FileNotFoundError:
        return False


def fsync_folder(descriptor: int) -> None:
    """Persist renames in a folder; some file systems cannot fsync a folder, which is fine."""
    with contextlib.suppress(OSError):
        os.fsync(descriptor)


def remove_empty_folders(bucket_fd: int, names: list[str], keep: Callable[[list[str]], bool]) -> None:
    """Remove ``names``'s folders from the deepest up while they are empty and ``keep`` says no.

    S3 has no folders: once its last key is gone a folder would only stand in the way of a key of
    the same name. A folder that a writer has just filled again is not empty, and ``rmdir`` leaves it.
    """
    for depth in range(len(names), 0, -1):
        if keep(names[:depth]):
            return
        try:
            with contextlib.ExitStack() as stack:
                parent = open_chain(bucket_fd, names[:depth - 1], create=False)
                stack.callback(os.close, parent)
                os.rmdir(names[depth - 1], dir_fd=parent)
        except OSError:
            return  # not empty, gone already, or not ours to remove
