"""Multipart uploads in the embedded store: parts on disk until Complete joins them into one object.

An upload is a folder ``.crowdform/uploads/<bucket>/<upload id>/`` holding ``upload.json`` (the key
and what CreateMultipartUpload said about the object) and, per part, ``<n>.part`` with ``<n>.json``
(its size, MD5, checksum and the stamp of the data it describes: a part uploaded twice at once
keeps whichever finished last, and Complete refuses a part whose description is not of its data).
Complete checks the parts as S3 does (ascending numbers, known ETags, 5 MiB but the last), copies
them into one temporary file (in the kernel where it can), and commits it like any object, with
S3's multipart ETag (``md5-of-md5s-N``) and the composite or full-object checksum; then the upload's
folder goes. Nothing is read into memory whole.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from crowdform.storage.buckets import checksums
from crowdform.storage.buckets.errors import BadDigest, EntityTooSmall, InvalidPart, InvalidPartOrder, NoSuchUpload
from crowdform.storage.buckets.meta import ObjectMeta, stamp_of
from crowdform.storage.buckets.store import BucketStore
from crowdform.storage.buckets.writer import TempObject

MIN_PART_BYTES = 5 * 1024 * 1024
MAX_PART_NUMBER = 10_000
_UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


@dataclass(frozen=True)
class Upload:
    upload_id: str
    bucket: str
    key: str
    initiated: float
    content_type: str | None = None
    user: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    checksum_algorithm: str | None = None
    checksum_type: str | None = None  # COMPOSITE (S3's default) or FULL_OBJECT


@dataclass(frozen=True)
class Part:
    number: int
    size: int
    etag: str  # MD5 hex, without quotes
    last_modified: float
    checksum: str | None = None  # base64, of the upload's checksum algorithm
    stamp: tuple[int, ...] = ()


@dataclass(frozen=True)
class ListedPart:
    """A part as CompleteMultipartUpload lists it."""

    number: int
    etag: str
    checksum: str | None = None


class Uploads:
    """The multipart uploads of one :class:`BucketStore`."""

    def __init__(self, store: BucketStore) -> None:
        self.store = store

    def create(self, bucket: str, key: str, *, content_type: str | None = None, user: dict[str, str] | None = None,
               headers: dict[str, str] | None = None, checksum_algorithm: str | None = None,
               checksum_type: str | None = None) -> Upload:
        self.store.check_writable(bucket, key)
        upload = Upload(secrets.token_urlsafe(32), bucket, key, time.time(), content_type, dict(user or {}),
                        dict(headers or {}), checksum_algorithm,
                        (checksum_type or "COMPOSITE") if checksum_algorithm else None)
        with self.store.os_errors(f"start an upload to s3://{bucket}/{key}"):
            folder = self._folder(bucket, upload.upload_id)
            folder.mkdir(parents=True)
            _write_json(folder / "upload.json", asdict(upload))
        return upload

    def get(self, bucket: str, key: str, upload_id: str) -> Upload:
        """The upload, checked to be of ``bucket`` and ``key``; :class:`NoSuchUpload` otherwise."""
        self.store.head_bucket(bucket)
        if not _UPLOAD_ID.match(upload_id):
            raise NoSuchUpload(upload_id)
        try:
            upload = Upload(**json.loads((self._folder(bucket, upload_id) / "upload.json").read_bytes()))
        except (OSError, ValueError, TypeError):
            raise NoSuchUpload(upload_id) from None
        if upload.key != key:
            raise NoSuchUpload(upload_id)
        return upload

    def temp_part(self, algorithms: tuple[str, ...] = ()) -> TempObject:
        return self.store.temp_object(algorithms)

    def commit_part(self, upload: Upload, number: int, temp: TempObject, checksum: str | None) -> Part:
        """Keep ``temp`` as part ``number`` (replacing an earlier upload of that part)."""
        try:
            with self.store.os_errors(f"store part {number} of s3://{upload.bucket}/{upload.key}"):
                status = temp.finish()
                part = Part(number, temp.size, temp.md5.hex(), status.st_mtime, checksum, stamp_of(status))
                folder = self._folder(upload.bucket, upload.upload_id)
                with self.store.folders.lock(upload.bucket):
                    if not folder.is_dir():
                        raise NoSuchUpload(upload.upload_id)  # completed or aborted meanwhile
                    os.replace(temp.path, folder / f"{number}.part")
                    temp.placed()
                    _write_json(folder / f"{number}.json", asdict(part))
                return part
        finally:
            temp.discard()

    def parts(self, upload: Upload) -> list[Part]:
        folder = self._folder(upload.bucket, upload.upload_id)
        found = []
        with contextlib.suppress(FileNotFoundError), os.scandir(folder) as scan:
            for entry in scan:
                if entry.name.endswith(".json") and entry.name[:-5].isdigit():
                    with contextlib.suppress(OSError, ValueError, TypeError):
                        fields = json.loads(Path(entry.path).read_bytes())
                        found.append(Part(**{**fields, "stamp": tuple(fields["stamp"])}))
        return sorted(found, key=lambda part: part.number)

    def complete(self, upload: Upload, listed: list[ListedPart], full_checksum: str | None = None) -> ObjectMeta:
        """Join the listed parts into the object; the upload is gone afterwards."""
        if not listed:
            raise InvalidPart("the request lists no parts: name at least one")
        numbers = [part.number for part in listed]
        if numbers != sorted(set(numbers)):
            raise InvalidPartOrder(f"the parts are listed in the order {numbers[:20]}")
        stored = {part.number: part for part in self.parts(upload)}
        chosen = [self._check(upload, item, stored.get(item.number)) for item in listed]
        for part in chosen[:-1]:
            if part.size < MIN_PART_BYTES:
                raise EntityTooSmall(part.number, part.size, MIN_PART_BYTES)
        algorithm, kind = upload.checksum_algorithm, upload.checksum_type
        full = algorithm if algorithm and kind == "FULL_OBJECT" else None
        folder = self._folder(upload.bucket, upload.upload_id)
        temp = self.store.temp_object((full,) if full else (), md5=False)
        with temp, self.store.os_errors(f"join the parts of s3://{upload.bucket}/{upload.key}"):
            for part in chosen:
                descriptor = os.open(folder / f"{part.number}.part", os.O_RDONLY | os.O_CLOEXEC)
                try:
                    if stamp_of(os.fstat(descriptor)) != part.stamp:
                        raise InvalidPart(f"part {part.number} was being replaced; upload it again")
                    temp.copy_from(descriptor, 0, part.size)
                finally:
                    os.close(descriptor)
            sums: dict[str, str] = {}
            if full:
                sums[full] = checksums.encode(temp.digest(full))
                if full_checksum is not None and full_checksum != sums[full]:
                    raise BadDigest(f"x-amz-checksum-{full.lower()}", f"the object's {full} is {sums[full]}, "
                                    f"not {full_checksum} as the request says")
            elif algorithm and all(part.checksum for part in chosen):
                sums[algorithm] = checksums.composite(
                    algorithm, [checksums.decode(algorithm, part.checksum or "") or b"" for part in chosen])
            etag = checksums.multipart_etag([bytes.fromhex(part.etag) for part in chosen])
        meta = self.store.commit(upload.bucket, upload.key, temp, content_type=upload.content_type,
                                 user=upload.user, headers=upload.headers, checksums=sums,
                                 checksum_type=kind if sums else None, etag=etag, parts=len(chosen))
        shutil.rmtree(folder, ignore_errors=True)
        return meta

    def abort(self, upload: Upload) -> None:
        shutil.rmtree(self._folder(upload.bucket, upload.upload_id), ignore_errors=True)

    def list(self, bucket: str, *, prefix: str = "", key_marker: str = "", max_uploads: int = 1000) -> tuple[list[Upload], bool]:
        """Uploads in progress whose keys start with ``prefix``, by key then start time; whether more remain."""
        self.store.head_bucket(bucket)
        found = []
        with contextlib.suppress(FileNotFoundError), os.scandir(self.store.folders.uploads / bucket) as scan:
            for entry in scan:
                with contextlib.suppress(OSError, ValueError, TypeError):
                    upload = Upload(**json.loads(Path(entry.path, "upload.json").read_bytes()))
                    if upload.key.startswith(prefix) and upload.key > key_marker:
                        found.append(upload)
        found.sort(key=lambda upload: (upload.key, upload.initiated))
        return found[:max_uploads], len(found) > max_uploads

    def _check(self, upload: Upload, item: ListedPart, part: Part | None) -> Part:
        if not 1 <= item.number <= MAX_PART_NUMBER or part is None:
            raise InvalidPart(f"part {item.number} was never uploaded (or was uploaded to another upload)")
        if item.etag.strip('"') != part.etag:
            raise InvalidPart(f"part {item.number}'s ETag is {part.etag!r}, not {item.etag!r}")
        if item.checksum is not None and part.checksum is not None and item.checksum != part.checksum:
            raise InvalidPart(f"part {item.number}'s checksum is {part.checksum}, not {item.checksum}")
        return part

    def _folder(self, bucket: str, upload_id: str) -> Path:
        return self.store.folders.uploads / bucket / upload_id


def _write_json(path: Path, value: object) -> None:
    temp = path.with_name(path.name + ".tmp" + secrets.token_hex(4))
    with open(temp, "wb") as stream:
        stream.write(json.dumps(value, ensure_ascii=False).encode())
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temp, path)

