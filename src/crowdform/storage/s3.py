"""Objects in S3 (or an S3-compatible store such as MinIO or moto), through one boto3 client.

boto3 is imported only when the first S3 call is made, so commands that never touch S3 (and
``crowdform --help``) do not pay for it. The client is created once, under a lock, and then shared:
boto3 clients are thread-safe, sessions are not.

Configuration is boto3's own: credentials, region and endpoint come from the usual AWS variables
and files (``AWS_ENDPOINT_URL_S3``, ``AWS_ENDPOINT_URL``, ``AWS_PROFILE``...). Only an explicit
``endpoint_url`` overrides the endpoint. Whenever the endpoint is not AWS's own, path-style
addressing is used, because self-hosted stores rarely have wildcard DNS for virtual-hosted buckets.

Every botocore error is translated here, where its meaning is known, into NotFound, Forbidden,
InvalidInput or StorageError with a sentence naming the URI.
"""

from __future__ import annotations

import contextlib
import mimetypes
import tempfile
import threading
from collections.abc import Generator, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from crowdform.errors import CrowdformError, Forbidden, InvalidInput, NotFound
from crowdform.storage.errors import StorageError
from crowdform.storage.lines import CHUNK_SIZE, split_lines
from crowdform.storage.uris import S3Location

# Streams up to this size stay in memory before an upload; larger ones spill to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024

# SigV4 presigned URLs live at most seven days.
MAX_PRESIGN_SECONDS = 7 * 24 * 3600

_BUILT_IN_TYPES = mimetypes.MimeTypes()

_MISSING_KEY = {"NoSuchKey", "404", "NotFound"}
_REFUSED = {
    "AccessDenied",
    "403",
    "Forbidden",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "AllAccessDisabled",
}


class S3Store:
    """Reads and writes S3 objects; ``endpoint_url`` overrides boto3's endpoint resolution."""

    def __init__(self, endpoint_url: str | None = None) -> None:
        self.endpoint_url = endpoint_url
        self._client: Any = None  # typed as Any so the module type-checks with or without boto3 stubs
        self._lock = threading.Lock()

    def read_bytes(self, location: S3Location) -> bytes:
        key = _key(location)
        with self._errors(location):
            body = self._s3().get_object(Bucket=location.bucket, Key=key)["Body"]
            with contextlib.closing(body):
                data: bytes = body.read()
                return data

    def iter_lines(self, location: S3Location) -> Generator[bytes, None, None]:
        key = _key(location)
        with self._errors(location):  # a missing object fails here, at the call, not on first next()
            body = self._s3().get_object(Bucket=location.bucket, Key=key)["Body"]
        return self._lines(location, body)

    def write_bytes(self, location: S3Location, data: bytes, content_type: str | None) -> None:
        key = _key(location)
        with self._errors(location):
            self._s3().put_object(
                Bucket=location.bucket, Key=key, Body=data, ContentType=_content_type(key, content_type)
            )

    def write_stream(
        self, location: S3Location, chunks: Iterable[bytes], content_type: str | None
    ) -> None:
        """Spool the chunks (memory up to :data:`SPOOL_BYTES`, then a temporary file), then upload.

        Spooling first means a caller's iterator that fails halfway sends nothing: the old object
        stays as it was. The upload itself is atomic in S3 (a multipart upload only becomes visible
        when completed, and boto3 aborts it on failure).
        """
        key = _key(location)
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            for chunk in chunks:
                spool.write(chunk)
            spool.seek(0)
            with self._errors(location):
                self._s3().upload_fileobj(
                    spool,
                    location.bucket,
                    key,
                    ExtraArgs={"ContentType": _content_type(key, content_type)},
                )

    def exists(self, location: S3Location) -> bool:
        """Whether the object exists; a missing *bucket* raises NotFound, as it is surely a mistake."""
        key = _key(location)
        try:
            self._head(location, key)
        except NotFound:
            self._check_bucket(location)
            return False
        return True

    def list(self, prefix: S3Location) -> list[str]:
        """URIs of the objects under the folder ``prefix``, recursively, sorted.

        ``s3://b/data`` and ``s3://b/data/`` both list the keys under ``data/`` (never ``data2/...``);
        ``s3://b`` lists the whole bucket. Zero-byte "folder" markers (keys ending in ``/``) are skipped.
        """
        start = prefix.key.rstrip("/") + "/" if prefix.key.strip("/") else ""
        keys: list[str] = []
        with self._errors(prefix):
            paginator = self._s3().get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=prefix.bucket, Prefix=start):
                keys.extend(item["Key"] for item in page.get("Contents", ()))
        return sorted(f"s3://{prefix.bucket}/{key}" for key in keys if not key.endswith("/"))

    def size(self, location: S3Location) -> int:
        key = _key(location)
        try:
            head = self._head(location, key)
        except NotFound:
            self._check_bucket(location)
            raise
        length: int = head["ContentLength"]
        return length

    def presign(self, location: S3Location, expires_in: int) -> str:
        """A presigned GET URL; it does not check that the object exists (S3 answers 404 then)."""
        key = _key(location)
        if not 1 <= expires_in <= MAX_PRESIGN_SECONDS:
            raise InvalidInput.one(
                location.uri,
                "cannot be presigned for that long",
                field="expires_in",
                value=expires_in,
                hint=f"S3 presigned URLs last from 1 to {MAX_PRESIGN_SECONDS} seconds (seven days)",
            )
        with self._errors(location):
            url: str = self._s3().generate_presigned_url(
                "get_object",
                Params={"Bucket": location.bucket, "Key": key},
                ExpiresIn=expires_in,
            )
            return url

    def _head(self, location: S3Location, key: str) -> dict[str, Any]:
        with self._errors(location):
            head: dict[str, Any] = self._s3().head_object(Bucket=location.bucket, Key=key)
            return head

    def _check_bucket(self, location: S3Location) -> None:
        """After a bare 404 from HEAD (which does not say what is missing): is it the bucket?"""
        try:
            with self._errors(location):
                self._s3().head_bucket(Bucket=location.bucket)
        except NotFound as error:
            raise _missing_bucket(location) from error

    def _lines(self, location: S3Location, body: Any) -> Generator[bytes, None, None]:
        with contextlib.closing(body), self._errors(location):
            yield from split_lines(body.iter_chunks(CHUNK_SIZE))

    def _s3(self) -> Any:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._new_client()
                client = self._client
        return client

    def _new_client(self) -> Any:
        import boto3  # type: ignore[import-untyped, unused-ignore]
        from botocore.config import Config  # type: ignore[import-untyped, unused-ignore]
        from botocore.exceptions import BotoCoreError  # type: ignore[import-untyped, unused-ignore]

        # SigV4 everywhere: presigned URLs would otherwise still use SigV2, which newer AWS regions
        # and some S3-compatible stores refuse.
        config = Config(signature_version="s3v4")
        try:
            session = boto3.session.Session()
            path_style = config.merge(Config(s3={"addressing_style": "path"}))
            if self.endpoint_url is not None:
                return session.client("s3", endpoint_url=self.endpoint_url, config=path_style)
            client = session.client("s3", config=config)
            if _is_aws(client.meta.endpoint_url):
                return client
            # boto3 found a non-AWS endpoint (AWS_ENDPOINT_URL_S3 and the like): self-hosted stores
            # rarely have wildcard DNS for virtual-hosted bucket names, so use path style there too.
            return session.client("s3", config=path_style)
        except (BotoCoreError, ValueError) as error:  # a bad profile or a malformed endpoint URL
            raise StorageError(f"could not set up the S3 client: {error}") from error

    @contextlib.contextmanager
    def _errors(self, location: S3Location) -> Iterator[None]:
        """Translate botocore's errors for ``location`` into crowdform's."""
        from botocore.exceptions import (  # type: ignore[import-untyped, unused-ignore]
            BotoCoreError,
            ClientError,
        )

        try:
            yield
        except CrowdformError:
            raise
        except ClientError as error:
            raise _client_error(error, location) from error
        except BotoCoreError as error:
            where = self.endpoint_url or "the endpoint boto3 resolved (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or AWS)"
            raise StorageError(
                f"S3 request for {location.uri} failed: {error}. "
                f"Check that S3 at {where} is reachable and AWS credentials are set"
            ) from error


def _client_error(error: Any, location: S3Location) -> CrowdformError:
    details = error.response.get("Error", {})
    code = str(details.get("Code", "Unknown"))
    message = details.get("Message") or error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code == "NoSuchBucket":
        return _missing_bucket(location)
    if code in _MISSING_KEY:
        return NotFound(f"{location.uri} does not exist (S3 has no object with that key)")
    if code in _REFUSED:
        return Forbidden(
            f"S3 refused access to {location.uri} ({code}: {message}). "
            "Check the AWS credentials crowdform runs with and the bucket's policy"
        )
    return StorageError(f"S3 request for {location.uri} failed ({code}: {message})")


def _missing_bucket(location: S3Location) -> NotFound:
    return NotFound(
        f"{location.uri} does not exist: there is no bucket named {location.bucket!r}. "
        "Check the bucket name, or create the bucket"
    )


def _is_aws(endpoint_url: str) -> bool:
    host = (urlsplit(endpoint_url).hostname or "").lower()
    return host.endswith((".amazonaws.com", ".amazonaws.com.cn"))


def _key(location: S3Location) -> str:
    if not location.key:
        raise InvalidInput.one(
            location.uri, "names a bucket, not an object", hint="Add the object's key: s3://BUCKET/KEY"
        )
    return location.key


def _content_type(key: str, content_type: str | None) -> str:
    """The given type, else a guess from the key's extension, so presigned images display inline.

    Python's built-in table only, not the machine's ``/etc/mime.types``: the same key gets the same
    type everywhere (a system table calls ``output.manifest`` ``text/cache-manifest``).
    """
    if content_type:
        return content_type
    guessed, _ = _BUILT_IN_TYPES.guess_type(key, strict=False)
    return guessed or "application/octet-stream"
