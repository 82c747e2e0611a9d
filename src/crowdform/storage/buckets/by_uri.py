"""The embedded store behind :class:`~crowdform.storage.Storage`: ``s3://`` URIs as the engine uses them.

The same operations and errors as :class:`~crowdform.storage.s3.S3Store` (read, stream lines, write
atomically, list a folder, size, exists), so the engine reads manifests and writes output in the
embedded store exactly as in an external S3. There is no presigned URL: a template's
``grant_read_access`` gives crowdform's own signed ``/files/`` link instead.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable

from crowdform.errors import InvalidInput
from crowdform.storage.buckets.errors import NoSuchKey
from crowdform.storage.buckets.store import BucketStore, StoredObject
from crowdform.storage.lines import CHUNK_SIZE, split_lines
from crowdform.storage.uris import S3Location


class EmbeddedS3:
    """``s3://`` URIs in a :class:`BucketStore`."""

    def __init__(self, store: BucketStore) -> None:
        self.store = store

    def read_bytes(self, location: S3Location) -> bytes:
        with self.store.open(location.bucket, _key(location)) as stored:
            return b"".join(stored.chunks())

    def iter_lines(self, location: S3Location) -> Generator[bytes, None, None]:
        stored = self.store.open(location.bucket, _key(location))  # a missing object fails here, at the call
        return self._lines(stored)

    def write_bytes(self, location: S3Location, data: bytes, content_type: str | None) -> None:
        self.write_stream(location, (data,), content_type)

    def write_stream(self, location: S3Location, chunks: Iterable[bytes], content_type: str | None) -> None:
        key = _key(location)
        self.store.check_writable(location.bucket, key)
        with self.store.temp_object() as temp:
            for chunk in chunks:  # the caller's own errors propagate, and the old object stays
                temp.write(chunk)
            self.store.commit(location.bucket, key, temp, content_type=content_type)

    def exists(self, location: S3Location) -> bool:
        """Whether the object exists; a missing *bucket* raises NotFound, as it is surely a mistake."""
        try:
            self.store.head(location.bucket, _key(location))
        except NoSuchKey:
            return False
        return True

    def list(self, prefix: S3Location) -> list[str]:
        """URIs of the objects under the folder ``prefix``, recursively, sorted; folder markers skipped."""
        start = prefix.key.rstrip("/") + "/" if prefix.key.strip("/") else ""
        return [f"s3://{prefix.bucket}/{key}" for key in self.store.keys(prefix.bucket, start)]

    def size(self, location: S3Location) -> int:
        return self.store.head(location.bucket, _key(location)).size

    def presign(self, location: S3Location, expires_in: int) -> None:
        """No presigned URL: crowdform serves the embedded store's objects through its signed links."""
        return None

    @staticmethod
    def _lines(stored: StoredObject) -> Generator[bytes, None, None]:
        with stored:
            yield from split_lines(stored.chunks(size=CHUNK_SIZE))


def _key(location: S3Location) -> str:
    if not location.key:
        raise InvalidInput.one(location.uri, "names a bucket, not an object", hint="Add the object's key: s3://BUCKET/KEY")
    return location.key

