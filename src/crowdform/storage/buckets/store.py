"""The embedded S3 store: buckets as folders of ``Settings.buckets_dir``, objects as plain files.

``s3://bucket/photos/cat.jpg`` is the file ``<buckets>/bucket/photos/cat.jpg``, so people can look at
(and copy files into) a bucket with the usual tools. Writes are atomic: an object is written to
``.crowdform/tmp/``, fsynced, then renamed over its key together with its metadata (see
:mod:`~crowdform.storage.buckets.meta` for how the pair stays consistent for readers), and the
folder is fsynced. Keys that cannot be file paths are refused (:mod:`~crowdform.storage.buckets.names`);
a key cannot be an object and a folder of other keys at once; a folder marker (``photos/``, as
the S3 console makes them) is an empty object kept as its folder. Folders left empty by a delete
are removed, as S3 has none.

Thread-safe and shareable between processes: everything is on disk, renames happen under an
``flock`` per bucket, and readers keep the descriptor of the version they opened.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType

from crowdform.errors import CrowdformError, Forbidden
from crowdform.storage.buckets.errors import (
    BucketAlreadyOwnedByYou,
    BucketNotEmpty,
    InvalidObjectKey,
    KeyConflict,
    NoSuchBucket,
    NoSuchKey,
    PreconditionFailed,
)
from crowdform.storage.buckets.folders import (
    INTERNAL,
    Folders,
    fsync_folder,
    is_folder,
    open_chain,
    remove_empty_folders,
)
from crowdform.storage.buckets.listing import Page, list_page
from crowdform.storage.buckets.meta import ObjectMeta, derived_meta, guess_type, meta_name, read_meta, stamp_of
from crowdform.storage.buckets.names import check_bucket_name, key_parts
from crowdform.storage.buckets.walk import Found, KeyWalker
from crowdform.storage.buckets.writer import TempObject
from crowdform.storage.errors import StorageError
from crowdform.unique_ids import fresh_hex

BUCKET_FILE = "bucket.json"  # in the bucket's metadata folder: when it was created


@dataclass
class StoredObject:
    """An object opened for reading: its metadata and a descriptor on the version it describes
    (None for a folder marker, which is empty). Close it (or use ``with``)."""

    meta: ObjectMeta
    descriptor: int | None

    def read(self, offset: int, length: int) -> bytes:
        if self.descriptor is None or length <= 0:
            return b""
        return os.pread(self.descriptor, length, offset)

    def chunks(self, start: int = 0, end: int | None = None, size: int = 1024 * 1024) -> Iterator[bytes]:
        """The bytes from ``start`` up to ``end`` (exclusive; the end of the object by default)."""
        end = self.meta.size if end is None else end
        while start < end:
            chunk = self.read(start, min(size, end - start))
            if not chunk:
                return
            start += len(chunk)
            yield chunk

    def close(self) -> None:
        if self.descriptor is not None:
            os.close(self.descriptor)
            self.descriptor = None

    def __enter__(self) -> "StoredObject":
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


@dataclass(frozen=True)
class Listed:
    """One page of a listing, with the metadata of each key."""

    objects: list[ObjectMeta]
    common_prefixes: list[str]
    truncated: bool
    last: str | None


class BucketStore:
    """Buckets and objects under ``root`` (``Settings.buckets_dir``)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).expanduser().absolute()
        self.folders = Folders(self.root)
        self._ready = False

    # ---------------------------------------------------------------- buckets
    def list_buckets(self) -> list[tuple[str, float]]:
        """(name, creation time) of every bucket, by name."""
        if not self.root.is_dir():
            return []
        found = []
        with self.os_errors("list the buckets"), os.scandir(self.root) as scan:
            for entry in scan:
                if entry.name != INTERNAL and entry.is_dir(follow_symlinks=False):
                    with contextlib.suppress(CrowdformError):
                        found.append((check_bucket_name(entry.name), self._created(entry.name)))
        return sorted(found)

    def create_bucket(self, bucket: str) -> None:
        check_bucket_name(bucket)
        self._ensure()
        with self.os_errors(f"create the bucket {bucket!r}"):
            try:
                os.mkdir(self.root / bucket)
            except FileExistsError:
                raise BucketAlreadyOwnedByYou(bucket) from None
            (self.folders.meta / bucket).mkdir(exist_ok=True)
            (self.folders.meta / bucket / BUCKET_FILE).write_text(f'{{"created": {time.time()}}}')

    def head_bucket(self, bucket: str) -> None:
        """Nothing if the bucket exists, else :class:`NoSuchBucket`."""
        with self.os_errors(f"read the bucket {bucket!r}"), self._bucket(bucket):
            pass

    def delete_bucket(self, bucket: str) -> None:
        """Delete an empty bucket (multipart uploads in progress are aborted with it)."""
        with self.os_errors(f"delete the bucket {bucket!r}"), self._bucket(bucket) as descriptor:
            with self.folders.lock(bucket):
                for _ in KeyWalker(descriptor, "", "", self._is_marker(bucket)):
                    raise BucketNotEmpty(bucket)
                shutil.rmtree(self.root / bucket)  # only empty folders are left (symlinks are not followed)
                shutil.rmtree(self.folders.meta / bucket, ignore_errors=True)
                shutil.rmtree(self.folders.uploads / bucket, ignore_errors=True)

    # ---------------------------------------------------------------- reading
    def open(self, bucket: str, key: str) -> StoredObject:
        """The object for reading; :class:`NoSuchKey` or :class:`NoSuchBucket` when missing."""
        parts, marker = key_parts(key)
        with self.os_errors(f"read s3://{bucket}/{key}"), self._bucket(bucket) as top:
            if marker:
                return StoredObject(self._marker_meta(bucket, key, top, parts), None)
            descriptor, status = self._open_file(bucket, key, top, parts)
            meta = read_meta(self._meta_folder(bucket), key)
            if meta is not None and meta.stamp == stamp_of(status):
                return StoredObject(meta, descriptor)
            os.close(descriptor)
            self._ensure()  # a bucket filled by hand (or by crowdform's local writes) may have no .crowdform yet
            with self.folders.lock(bucket):  # writers rename under it: now the pair is consistent
                descriptor, status = self._open_file(bucket, key, top, parts)
                meta = read_meta(self._meta_folder(bucket), key)
                if meta is None or meta.stamp != stamp_of(status):
                    meta = derived_meta(key, descriptor, status)
                    self._write_meta(bucket, meta, durable=False)
                return StoredObject(meta, descriptor)

    def head(self, bucket: str, key: str) -> ObjectMeta:
        with self.open(bucket, key) as stored:
            return stored.meta

    def list(self, bucket: str, *, prefix: str = "", delimiter: str = "", after: str = "",
             max_keys: int = 1000) -> Listed:
        """One page of keys (with their metadata) and common prefixes, as ListObjectsV2 has them."""
        with self.os_errors(f"list s3://{bucket}/{prefix}"), self._bucket(bucket) as top:
            walker = KeyWalker(top, prefix, after, self._is_marker(bucket))
            page: Page = list_page(walker, prefix, delimiter, max_keys)
            objects = [self._listed_meta(bucket, found) for found in page.contents]
        return Listed([meta for meta in objects if meta is not None], page.common_prefixes, page.truncated,
                      page.last)

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        """Every key under ``prefix``, in order, without folder markers (for the engine's listings)."""
        with self.os_errors(f"list s3://{bucket}/{prefix}"), self._bucket(bucket) as top:
            return [found.key for found in KeyWalker(top, prefix, "", lambda key, status: False)]

    # ---------------------------------------------------------------- writing
    def check_writable(self, bucket: str, key: str) -> None:
        """Refuse early (before a large body is read) a key that cannot be stored: a bad name, a missing
        bucket, or a key that is a folder of other keys or lies below an object."""
        parts, marker = key_parts(key)
        with self.os_errors(f"write s3://{bucket}/{key}"), self._bucket(bucket) as top:
            folders = parts if marker else parts[:-1]
            try:
                descriptor = open_chain(top, folders, create=False)
            except NotADirectoryError as error:
                raise self._below_object(bucket, key, parts, int(error.filename)) from None
            except FileNotFoundError:
                return
            try:
                if not marker and is_folder(descriptor, parts[-1]):
                    raise KeyConflict(bucket, key, "it is a folder holding other keys")
            finally:
                os.close(descriptor)

    def temp_object(self, algorithms: tuple[str, ...] = (), *, md5: bool = True) -> TempObject:
        """A new temporary object to fill, then :meth:`commit` or discard."""
        self._ensure()
        with self.os_errors("write a temporary file"):
            return TempObject(self.folders.tmp, algorithms, md5=md5)

    def commit(self, bucket: str, key: str, temp: TempObject, *, content_type: str | None = None,
               user: dict[str, str] | None = None, headers: dict[str, str] | None = None,
               checksums: dict[str, str] | None = None, checksum_type: str | None = None,
               etag: str | None = None, parts: int | None = None, only_if_absent: bool = False) -> ObjectMeta:
        """Put ``temp`` in place as ``key`` with its metadata; ``etag`` defaults to the MD5 of its bytes.
        ``only_if_absent`` refuses (:class:`PreconditionFailed`) when the key exists by then (S3's
        ``If-None-Match: *``). ``temp`` is consumed either way."""
        names, marker = key_parts(key)
        try:
            with self.os_errors(f"write s3://{bucket}/{key}"):
                if marker and temp.size:
                    raise InvalidObjectKey(key, "ends with '/', so it is a folder marker, which must be empty",
                                           hint="Leave the body empty, or drop the final '/'")
                status = temp.finish()
                meta = ObjectMeta(key, temp.size, etag or temp.md5.hex(), status.st_mtime,
                                  content_type or guess_type(key), dict(user or {}), dict(headers or {}),
                                  dict(checksums or {}), checksum_type if checksums else None, parts,
                                  stamp_of(status))
                return self._put_in_place(bucket, key, names, marker, temp, meta, only_if_absent)
        finally:
            temp.discard()

    def delete(self, bucket: str, key: str) -> None:
        """Remove the object; nothing happens when there is none (as in S3)."""
        names, marker = key_parts(key)
        with self.os_errors(f"delete s3://{bucket}/{key}"), self._bucket(bucket) as top:
            with self.folders.lock(bucket):
                folders = names if marker else names[:-1]
                if marker:
                    self._remove_meta(bucket, key)
                else:
                    try:
                        parent = open_chain(top, folders, create=False)
                    except (FileNotFoundError, NotADirectoryError):
                        return
                    try:
                        if not is_folder(parent, names[-1]):
                            with contextlib.suppress(FileNotFoundError):
                                os.unlink(names[-1], dir_fd=parent)
                        fsync_folder(parent)
                    finally:
                        os.close(parent)
                    self._remove_meta(bucket, key)
                remove_empty_folders(top, folders, lambda kept: self._has_marker(bucket, kept))

    # ---------------------------------------------------------------- internals
    def _put_in_place(self, bucket: str, key: str, names: list[str], marker: bool, temp: TempObject,
                      meta: ObjectMeta, only_if_absent: bool) -> ObjectMeta:
        """Rename the data and its metadata into place under the bucket's lock, which is held for the
        renames alone: the data was made durable before (so writers of one bucket fsync in parallel)
        and the folder is after. Two fsyncs per object, as for any local file: the metadata is not
        synced on its own (it is renamed in the same step and rides on the folder's sync where the file
        system journals both, as ext4 does); lost in a crash, it is derived again from the data."""
        folders = names if marker else names[:-1]
        meta_temp = None if marker else self._meta_temp(meta, durable=False)
        try:
            with self._bucket(bucket) as top:
                with self.folders.lock(bucket):
                    try:
                        parent = open_chain(top, folders, create=True)
                    except NotADirectoryError as error:
                        raise self._below_object(bucket, key, names, int(error.filename)) from None
                    try:
                        if only_if_absent and self._exists_locked(bucket, key, parent, names[-1], marker):
                            raise PreconditionFailed("If-None-Match: *, and the key exists")
                        if marker:
                            meta = replace(meta, stamp=stamp_of(os.fstat(parent), folder=True))
                            meta_temp = self._meta_temp(meta, durable=False)
                        elif is_folder(parent, names[-1]):
                            raise KeyConflict(bucket, key, "it is a folder holding other keys")
                        else:
                            os.rename(temp.path, names[-1], dst_dir_fd=parent)
                            temp.placed()
                        self._place_meta(bucket, meta.key, meta_temp)
                        meta_temp = None
                    except BaseException:
                        os.close(parent)
                        raise
                fsync_folder(parent)
                os.close(parent)
        finally:
            if meta_temp is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(meta_temp)
        return meta

    def _exists_locked(self, bucket: str, key: str, parent: int, name: str, marker: bool) -> bool:
        if marker:
            meta = read_meta(self._meta_folder(bucket), key)
            return meta is not None and meta.stamp == stamp_of(os.fstat(parent), folder=True)
        try:
            return stat.S_ISREG(os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode)
        except FileNotFoundError:
            return False

    def _open_file(self, bucket: str, key: str, top: int, names: list[str]) -> tuple[int, os.stat_result]:
        try:
            parent = open_chain(top, names[:-1], create=False)
        except (FileNotFoundError, NotADirectoryError):
            raise NoSuchKey(bucket, key) from None
        try:
            descriptor = os.open(names[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=parent)
        except OSError as error:
            if error.errno in (errno.ENOENT, errno.ELOOP, errno.ENOTDIR):
                raise NoSuchKey(bucket, key) from None
            raise
        finally:
            os.close(parent)
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            os.close(descriptor)
            raise NoSuchKey(bucket, key)
        return descriptor, status

    def _marker_meta(self, bucket: str, key: str, top: int, names: list[str]) -> ObjectMeta:
        try:
            folder = open_chain(top, names, create=False)
        except (FileNotFoundError, NotADirectoryError):
            raise NoSuchKey(bucket, key) from None
        try:
            status = os.fstat(folder)
        finally:
            os.close(folder)
        meta = read_meta(self._meta_folder(bucket), key)
        if meta is None or meta.stamp != stamp_of(status, folder=True):
            raise NoSuchKey(bucket, key)
        return meta

    def _listed_meta(self, bucket: str, found: Found) -> ObjectMeta | None:
        meta = read_meta(self._meta_folder(bucket), found.key)
        if meta is not None and meta.stamp == stamp_of(found.status, folder=found.marker):
            return meta
        try:
            return self.head(bucket, found.key)  # written meanwhile, or put by hand: settled under the lock
        except NoSuchKey:
            return None  # deleted since it was listed

    def _is_marker(self, bucket: str) -> Callable[[str, os.stat_result], bool]:
        folder = self._meta_folder(bucket)

        def is_marker(key: str, status: os.stat_result) -> bool:
            meta = read_meta(folder, key)
            return meta is not None and meta.stamp == stamp_of(status, folder=True)
        return is_marker

    def _has_marker(self, bucket: str, folders: list[str]) -> bool:
        return read_meta(self._meta_folder(bucket), "/".join(folders) + "/") is not None

    def _write_meta(self, bucket: str, meta: ObjectMeta, *, durable: bool) -> None:
        temp = self._meta_temp(meta, durable=durable)
        try:
            folder = self._place_meta(bucket, meta.key, temp)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise
        if durable:
            _fsync_path(folder)

    def _meta_temp(self, meta: ObjectMeta, *, durable: bool = True) -> Path:
        """The metadata written to a temporary file (fsynced when ``durable``), ready to be renamed."""
        temp = self.folders.tmp / f"{fresh_hex()}.meta"
        try:
            with open(temp, "wb") as stream:
                stream.write(meta.to_json())
                if durable:
                    stream.flush()
                    os.fsync(stream.fileno())
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise
        return temp

    def _place_meta(self, bucket: str, key: str, temp: Path) -> Path:
        """Rename a metadata file into place; the folder it went to."""
        subfolder, name = meta_name(key)
        folder = self._meta_folder(bucket) / subfolder
        try:
            os.replace(temp, folder / name)
        except FileNotFoundError:  # the first metadata of its subfolder (the temporary file exists)
            folder.mkdir(parents=True, exist_ok=True)
            os.replace(temp, folder / name)
        return folder

    def _remove_meta(self, bucket: str, key: str) -> None:
        subfolder, name = meta_name(key)
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            os.unlink(self._meta_folder(bucket) / subfolder / name)

    def _meta_folder(self, bucket: str) -> Path:
        return self.folders.meta / bucket

    def _created(self, bucket: str) -> float:
        try:
            return float(json.loads((self._meta_folder(bucket) / BUCKET_FILE).read_text())["created"])
        except (OSError, ValueError, KeyError, TypeError):
            return (self.root / bucket).stat().st_mtime  # a bucket folder made by hand

    @contextlib.contextmanager
    def _bucket(self, bucket: str) -> Iterator[int]:
        if not bucket or bucket.startswith(".") or "/" in bucket or "\x00" in bucket:
            raise NoSuchBucket(bucket)
        try:
            descriptor = self.folders.open_bucket(bucket)
        except FileNotFoundError:
            raise NoSuchBucket(bucket) from None
        try:
            yield descriptor
        finally:
            os.close(descriptor)

    def _below_object(self, bucket: str, key: str, names: list[str], index: int) -> KeyConflict:
        above = "/".join(names[:index + 1])
        return KeyConflict(bucket, key, f"{above!r} is an object, so it cannot also be a folder of keys")

    def _ensure(self) -> None:
        if not self._ready:
            with self.os_errors("prepare the buckets folder"):
                self.folders.ensure()
            self._ready = True

    @contextlib.contextmanager
    def os_errors(self, action: str) -> Iterator[None]:
        """An ``OSError`` from the file system as the typed error that says what it means."""
        try:
            yield
        except CrowdformError:
            raise
        except PermissionError as error:
            raise Forbidden(f"crowdform may not {action} ({error.strerror}); check the permissions of "
                            f"{self.root} for the user crowdform runs as") from error
        except OSError as error:
            raise StorageError(f"could not {action}: {error.strerror or error}") from error


def _fsync_path(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fsync_folder(descriptor)
    finally:
        os.close(descriptor)
