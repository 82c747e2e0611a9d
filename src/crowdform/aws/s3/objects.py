"""Object operations on the embedded store: Get, Head, Put, Copy, Delete, DeleteObjects.

Reads open the object in a worker thread and, when what is asked fits in one batch, read it in the
same call (one thread hop for a small object); larger reads stream a megabyte at a time from the
descriptor of the version opened. Writes stream the body into a temporary object (see
:mod:`~crowdform.aws.s3.body`) and commit it only once every check has passed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from crowdform.aws.errors import AwsError
from crowdform.aws.s3.body import BATCH_BYTES, read_document, stream_into
from crowdform.aws.s3.context import S3Context
from crowdform.aws.s3.errors import from_crowdform
from crowdform.aws.s3.headers import (
    DEFAULT_TYPE,
    byte_range,
    check_conditions,
    object_headers,
    stored_headers,
    user_metadata,
)
from crowdform.aws.s3.intake import Checksum, Intake
from crowdform.aws.s3.shapes import children, iso_time, parse_xml, quoted_etag, text_of, xml_response
from crowdform.errors import CrowdformError
from crowdform.storage.buckets import BucketStore
from crowdform.storage.buckets.meta import ObjectMeta
from crowdform.storage.buckets.store import StoredObject
from crowdform.storage.buckets.writer import TempObject

MAX_DELETE_KEYS = 1000


@dataclass
class _Read:
    status: int
    meta: ObjectMeta
    start: int = 0
    end: int = 0
    data: bytes | None = None
    stored: StoredObject | None = None


def _open_for_read(ctx: S3Context, head: bool) -> _Read:
    request, http = ctx.request, ctx.call.http
    stored = ctx.store.open(request.bucket, request.key)
    try:
        meta = stored.meta
        if not check_conditions(http, meta):
            stored.close()
            return _Read(304, meta)
        span = byte_range(http.header("range"), meta.size)
        start, end = span or (0, meta.size)
        read = _Read(206 if span else 200, meta, start, end)
        if head:
            stored.close()
        elif end - start <= BATCH_BYTES:
            read.data = stored.read(start, end - start)
            stored.close()
        else:
            read.stored = stored
        return read
    except BaseException:
        stored.close()
        raise


async def get_object(ctx: S3Context, *, head: bool = False) -> Response:
    read = await run_in_threadpool(_open_for_read, ctx, head)
    full = read.status == 200
    mode = (ctx.header("x-amz-checksum-mode") or "").upper() == "ENABLED"
    headers = {**object_headers(read.meta, ctx.request.query, with_checksum=mode and full), **ctx.ids}
    if read.status == 304:
        return Response(status_code=304, headers={k: v for k, v in headers.items()
                                                  if k in ("etag", "last-modified", "x-amz-request-id")})
    if read.status == 206:
        headers["content-range"] = f"bytes {read.start}-{read.end - 1}/{read.meta.size}"
    headers["content-length"] = str(read.end - read.start)
    if head or read.data is not None:  # the stored Content-Type as it is (no charset added)
        response = Response(b"" if head else read.data, status_code=read.status, headers=headers)
        if head:
            response.headers["content-length"] = str(read.end - read.start)
        return response
    assert read.stored is not None
    return StreamingResponse(_chunks(read.stored, read.start, read.end), status_code=read.status, headers=headers)


async def _chunks(stored: StoredObject, start: int, end: int) -> AsyncIterator[bytes]:
    try:
        while start < end:
            data = await run_in_threadpool(stored.read, start, min(BATCH_BYTES, end - start))
            if not data:
                return
            start += len(data)
            yield data
    finally:
        stored.close()


class BodyUpload:
    """The body of one PutObject (or UploadPart) on its way into a temporary object, in threads."""

    def __init__(self, ctx: S3Context, start: Any) -> None:
        self.ctx = ctx
        self.start = start  # called once, in the first thread call: checks, and gives the temporary object
        self.temp: TempObject | None = None
        self.intake = Intake(ctx.call.http, ctx.call.signature, ctx.call.identity.secret_access_key, self._write, md5=True)

    def _write(self, data: bytes) -> None:
        assert self.temp is not None
        self.temp.write(data)

    def feed(self, raw: bytes) -> None:
        try:
            if self.temp is None:
                self.temp = self.start()
            self.intake.feed(raw)
        except BaseException:
            self.discard()
            raise

    def finish(self, raw: bytes) -> tuple[TempObject, Checksum | None]:
        self.feed(raw)
        try:
            checksum = self.intake.finish()
        except BaseException:
            self.discard()
            raise
        assert self.temp is not None
        self.temp.set_md5(self.intake.md5)
        return self.temp, checksum

    def discard(self) -> None:
        if self.temp is not None:
            self.temp.discard()

    async def receive(self) -> bytes:
        try:
            return await stream_into(self.ctx.call, self)
        except BaseException:
            await run_in_threadpool(self.discard)
            raise


async def put_object(ctx: S3Context) -> Response:
    request, http = ctx.request, ctx.call.http
    store = ctx.store

    def start() -> TempObject:
        store.check_writable(request.bucket, request.key)
        return store.temp_object(md5=False)

    upload = BodyUpload(ctx, start)
    rest = await upload.receive()

    def finish() -> ObjectMeta:
        temp, checksum = upload.finish(rest)
        return store.commit(request.bucket, request.key, temp, content_type=http.header("content-type") or DEFAULT_TYPE,
                            user=user_metadata(http), headers=stored_headers(http),
                            checksums={checksum.algorithm: checksum.value} if checksum else None,
                            checksum_type="FULL_OBJECT",
                            only_if_absent=(http.header("if-none-match") or "").strip() == "*")

    meta = await run_in_threadpool(finish)
    headers = {"etag": quoted_etag(meta.etag), **ctx.ids}
    for name, value in meta.checksums.items():
        headers[f"x-amz-checksum-{name.lower()}"] = value
        headers["x-amz-checksum-type"] = "FULL_OBJECT"
    return Response(status_code=200, headers=headers)


def copy_source(ctx: S3Context) -> tuple[str, str]:
    """(bucket, key) of ``x-amz-copy-source`` (``/bucket/key`` or ``bucket/key``, URL-encoded)."""
    source = ctx.header("x-amz-copy-source") or ""
    path = unquote(source.partition("?")[0]).lstrip("/")
    bucket, _, key = path.partition("/")
    if not bucket or not key:
        raise AwsError("InvalidArgument", f"x-amz-copy-source must be bucket/key, not {source!r}")
    return bucket, key


async def copy_object(ctx: S3Context) -> Response:
    request, http = ctx.request, ctx.call.http
    source_bucket, source_key = copy_source(ctx)
    directive = (http.header("x-amz-metadata-directive") or "COPY").upper()
    if directive not in ("COPY", "REPLACE"):
        raise AwsError("InvalidArgument", f"x-amz-metadata-directive must be COPY or REPLACE, not {directive!r}")
    if (source_bucket, source_key) == (request.bucket, request.key) and directive == "COPY":
        raise AwsError("InvalidRequest", "This copy request is illegal because it is trying to copy an object to "
                       "itself without changing the object's metadata, storage class, website redirect location or "
                       "encryption attributes.")

    def copy() -> ObjectMeta:
        return copy_into(ctx.store, ctx, source_bucket, source_key, directive)

    meta = await run_in_threadpool(copy)
    return xml_response("CopyObjectResult", {"LastModified": iso_time(meta.last_modified),
                                             "ETag": quoted_etag(meta.etag)}, ctx.request_id)


def copy_into(store: BucketStore, ctx: S3Context, source_bucket: str, source_key: str, directive: str) -> ObjectMeta:
    request, http = ctx.request, ctx.call.http
    with store.open(source_bucket, source_key) as source:
        check_conditions(http, source.meta, prefix="x-amz-copy-source-")
        store.check_writable(request.bucket, request.key)
        temp = store.temp_object()
        with temp:
            if source.descriptor is not None:
                temp.copy_from(source.descriptor, 0, source.meta.size)
        if directive == "COPY":
            kept = source.meta
            return store.commit(request.bucket, request.key, temp, content_type=kept.content_type, user=kept.user,
                                headers=kept.headers, checksums=kept.checksums if not kept.parts else None,
                                checksum_type=kept.checksum_type)
        return store.commit(request.bucket, request.key, temp,
                            content_type=http.header("content-type") or DEFAULT_TYPE, user=user_metadata(http),
                            headers=stored_headers(http))


async def delete_object(ctx: S3Context) -> Response:
    await run_in_threadpool(ctx.store.delete, ctx.request.bucket, ctx.request.key)
    return Response(status_code=204, headers=ctx.ids)


async def delete_objects(ctx: S3Context) -> Response:
    document = parse_xml(await read_document(ctx.call), "Delete")
    quiet = (text_of(document, "Quiet") or "").strip().lower() == "true"
    keys = [text_of(item, "Key") or "" for item in children(document, "Object")]
    if not keys or len(keys) > MAX_DELETE_KEYS:
        raise AwsError("MalformedXML", f"A Delete names 1 to {MAX_DELETE_KEYS} objects, not {len(keys)}")

    def delete_all() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        deleted, failed = [], []
        for key in keys:
            try:
                ctx.store.delete(ctx.request.bucket, key)
                deleted.append({"Key": key})
            except CrowdformError as error:
                refusal = from_crowdform(error)
                if refusal.code == "NoSuchBucket":
                    raise
                failed.append({"Key": key, "Code": refusal.code, "Message": refusal.message})
        return deleted, failed

    deleted, failed = await run_in_threadpool(delete_all)
    return xml_response("DeleteResult", {"Deleted": [] if quiet else deleted, "Error": failed}, ctx.request_id)
