"""Per-object metadata, kept beside the data where no listing can see it.

An object's data is the plain file ``<buckets>/<bucket>/<key>``; what S3 keeps with it (ETag,
Content-Type, ``x-amz-meta-*``, checksums) is a small JSON file under
``<buckets>/.crowdform/meta/<bucket>/``, named by the SHA-256 of the key, so keys of any shape map
to one file each and nothing in the bucket's own folder is not an object.

The two files cannot be replaced in one atomic step, so the metadata names the data it describes:
its ``stamp`` is the data file's (inode, size, modification time in ns) when it was written. A
reader opens the data first and keeps that descriptor (so it reads one version to the end, whatever
happens to the name), then reads the metadata and compares stamps. Writers rename the data and the
metadata into place while holding the bucket's lock, so on a mismatch a reader takes the lock too and
reads again: the pair is then consistent. A mismatch that survives the lock means the file was put or
changed by hand, or a crash came between the renames: the metadata is then derived from the file
(MD5 ETag, Content-Type from the extension) and written, so a file copied into a bucket folder is an
object like any other. A file's inode cannot be reused while the metadata naming it is current (the
replaced file is freed only after its successor has a different inode), so stamps never collide.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

_TYPES = mimetypes.MimeTypes()


@dataclass(frozen=True)
class ObjectMeta:
    """What S3 keeps with an object. ``etag`` is without quotes; ``checksums`` maps an algorithm
    (``CRC32``) to its base64 value; ``headers`` are the other stored response headers
    (Content-Disposition, Cache-Control...)."""

    key: str
    size: int
    etag: str
    last_modified: float
    content_type: str
    user: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)
    checksum_type: str | None = None  # FULL_OBJECT or COMPOSITE when checksums were given
    parts: int | None = None  # how many parts a multipart upload had
    stamp: tuple[int, ...] = ()

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, data: bytes) -> "ObjectMeta | None":
        try:
            fields: dict[str, Any] = json.loads(data)
            fields["stamp"] = tuple(fields["stamp"])
            return cls(**fields)
        except (ValueError, TypeError, KeyError):
            return None  # torn or foreign: treated as missing, and derived again


def stamp_of(status: os.stat_result, *, folder: bool = False) -> tuple[int, ...]:
    """The identity of one version of a data file (a folder marker's folder: its inode alone)."""
    return (status.st_ino,) if folder else (status.st_ino, status.st_size, status.st_mtime_ns)


def meta_name(key: str) -> tuple[str, str]:
    """The (subfolder, file name) of a key's metadata below its bucket's metadata folder."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return digest[:2], digest + ".json"


def read_meta(folder: Path, key: str) -> ObjectMeta | None:
    subfolder, name = meta_name(key)
    try:
        with open(folder / subfolder / name, "rb") as stream:
            meta = ObjectMeta.from_json(stream.read())
    except (FileNotFoundError, NotADirectoryError):
        return None
    return meta if meta is not None and meta.key == key else None


def guess_type(key: str) -> str:
    """The Content-Type of a key by its extension (Python's built-in table, the same on every machine)."""
    guessed, _ = _TYPES.guess_type(key, strict=False)
    return guessed or "application/octet-stream"


def derived_meta(key: str, descriptor: int, status: os.stat_result) -> ObjectMeta:
    """Metadata for a data file that has none (put by hand): the MD5 of its bytes, the type by extension."""
    md5 = hashlib.md5()
    offset = 0
    while chunk := os.pread(descriptor, 1024 * 1024, offset):
        md5.update(chunk)
        offset += len(chunk)
    return ObjectMeta(key, status.st_size, md5.hexdigest(), status.st_mtime, guess_type(key), stamp=stamp_of(status))
