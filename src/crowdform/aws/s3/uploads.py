"""Multipart upload operations on the embedded store: Create, UploadPart, UploadPartCopy, Complete,
Abort, ListParts, ListMultipartUploads (what boto3's ``upload_file`` uses for large files)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from crowdform.aws.errors import AwsError
from crowdform.aws.s3.body import read_document
from crowdform.aws.s3.context import S3Context
from crowdform.aws.s3.headers import DEFAULT_TYPE, byte_range, check_conditions, stored_headers, user_metadata
from crowdform.aws.s3.intake import check_algorithm
from crowdform.aws.s3.objects import BodyUpload, copy_source
from crowdform.aws.s3.shapes import OWNER, children, iso_time, parse_xml, quoted_etag, text_of, xml_response
from crowdform.storage.buckets.multipart import MAX_PART_NUMBER, ListedPart, Part, Upload
from crowdform.storage.buckets.writer import TempObject

CHECKSUM_FIELDS = ("CRC32", "SHA1", "SHA256", "SHA512", "MD5")


async def create_upload(ctx: S3Context) -> Response:
    request, http = ctx.request, ctx.call.http
    algorithm = http.header("x-amz-checksum-algorithm")
    kind = (http.header("x-amz-checksum-type") or "").upper() or None
    if kind not in (None, "COMPOSITE", "FULL_OBJECT"):
        raise AwsError("InvalidRequest", f"x-amz-checksum-type must be COMPOSITE or FULL_OBJECT, not {kind!r}")
    upload = await run_in_threadpool(lambda: ctx.uploads.create(
        request.bucket, request.key, content_type=http.header("content-type") or DEFAULT_TYPE,
        user=user_metadata(http), headers=stored_headers(http),
        checksum_algorithm=check_algorithm(algorithm.upper()) if algorithm else None, checksum_type=kind))
    headers = {**ctx.ids}
    if upload.checksum_algorithm:
        headers["x-amz-checksum-algorithm"] = upload.checksum_algorithm
        headers["x-amz-checksum-type"] = upload.checksum_type or "COMPOSITE"
    return xml_response("InitiateMultipartUploadResult", {"Bucket": request.bucket, "Key": request.key,
                                                          "UploadId": upload.upload_id}, ctx.request_id, headers=headers)


def _upload_and_part(ctx: S3Context) -> tuple[Upload, int]:
    query = ctx.request.query
    number = query.get("partNumber", "")
    if not number.isdigit() or not 1 <= int(number) <= MAX_PART_NUMBER:
        raise AwsError("InvalidArgument", f"Part number must be an integer between 1 and {MAX_PART_NUMBER}, "
                       f"not {number!r}")
    return ctx.uploads.get(ctx.request.bucket, ctx.request.key, query["uploadId"]), int(number)


async def upload_part(ctx: S3Context) -> Response:
    found: dict[str, Any] = {}

    def start() -> TempObject:
        found["upload"], found["number"] = _upload_and_part(ctx)
        return ctx.store.temp_object(md5=False)

    upload = BodyUpload(ctx, start)
    rest = await upload.receive()

    def finish() -> Part:
        temp, checksum = upload.finish(rest)
        upload_row: Upload = found["upload"]
        if upload_row.checksum_algorithm and checksum and checksum.algorithm != upload_row.checksum_algorithm:
            temp.discard()
            raise AwsError("InvalidRequest", f"The upload was created for {upload_row.checksum_algorithm} checksums, "
                           f"and this part carries {checksum.algorithm}")
        return ctx.uploads.commit_part(upload_row, found["number"], temp, checksum.value if checksum else None)

    part = await run_in_threadpool(finish)
    headers = {"etag": quoted_etag(part.etag), **ctx.ids}
    if part.checksum and found["upload"].checksum_algorithm:
        headers[f"x-amz-checksum-{found['upload'].checksum_algorithm.lower()}"] = part.checksum
    return Response(status_code=200, headers=headers)


async def upload_part_copy(ctx: S3Context) -> Response:
    source_bucket, source_key = copy_source(ctx)

    def copy() -> Part:
        upload, number = _upload_and_part(ctx)
        with ctx.store.open(source_bucket, source_key) as source:
            check_conditions(ctx.call.http, source.meta, prefix="x-amz-copy-source-")
            span = byte_range(ctx.header("x-amz-copy-source-range"), source.meta.size) or (0, source.meta.size)
            temp = ctx.store.temp_object()
            with temp:
                if source.descriptor is not None:
                    temp.copy_from(source.descriptor, span[0], span[1] - span[0])
            return ctx.uploads.commit_part(upload, number, temp, None)

    part = await run_in_threadpool(copy)
    return xml_response("CopyPartResult", {"ETag": quoted_etag(part.etag), "LastModified": iso_time(part.last_modified)},
                        ctx.request_id)


async def complete_upload(ctx: S3Context) -> Response:
    request = ctx.request
    document = parse_xml(await read_document(ctx.call), "CompleteMultipartUpload")
    listed = []
    for item in children(document, "Part"):
        number = (text_of(item, "PartNumber") or "").strip()
        if not number.isdigit():
            raise AwsError("MalformedXML", f"A Part's PartNumber must be a number, not {number!r}")
        checksum = next((text_of(item, f"Checksum{name}") for name in CHECKSUM_FIELDS
                         if text_of(item, f"Checksum{name}") is not None), None)
        listed.append(ListedPart(int(number), (text_of(item, "ETag") or "").strip(), checksum))

    def complete() -> tuple[Upload, Any]:
        upload = ctx.uploads.get(request.bucket, request.key, request.query["uploadId"])
        full = ctx.header(f"x-amz-checksum-{upload.checksum_algorithm.lower()}") if upload.checksum_algorithm else None
        return upload, ctx.uploads.complete(upload, listed, full)

    upload, meta = await run_in_threadpool(complete)
    body: dict[str, Any] = {"Location": f"/{request.bucket}/{request.key}", "Bucket": request.bucket,
                            "Key": request.key, "ETag": quoted_etag(meta.etag)}
    for name, value in meta.checksums.items():
        body[f"Checksum{name}"] = value
    if meta.checksum_type:
        body["ChecksumType"] = meta.checksum_type
    return xml_response("CompleteMultipartUploadResult", body, ctx.request_id)


async def abort_upload(ctx: S3Context) -> Response:
    request = ctx.request

    def abort() -> None:
        ctx.uploads.abort(ctx.uploads.get(request.bucket, request.key, request.query["uploadId"]))

    await run_in_threadpool(abort)
    return Response(status_code=204, headers=ctx.ids)


async def list_parts(ctx: S3Context) -> Response:
    request, query = ctx.request, ctx.request.query
    marker = int(query.get("part-number-marker", "0") or 0) if query.get("part-number-marker", "0").isdigit() else 0
    max_parts = min(int(query["max-parts"]) if query.get("max-parts", "").isdigit() else 1000, 1000)

    def parts() -> tuple[Upload, list[Part]]:
        upload = ctx.uploads.get(request.bucket, request.key, query["uploadId"])
        return upload, ctx.uploads.parts(upload)

    upload, found = await run_in_threadpool(parts)
    after = [part for part in found if part.number > marker]
    page, truncated = after[:max_parts], len(after) > max_parts
    entries = []
    for part in page:
        entry: dict[str, Any] = {"PartNumber": part.number, "LastModified": iso_time(part.last_modified),
                                 "ETag": quoted_etag(part.etag), "Size": part.size}
        if part.checksum and upload.checksum_algorithm:
            entry[f"Checksum{upload.checksum_algorithm}"] = part.checksum
        entries.append(entry)
    body: dict[str, Any] = {"Bucket": request.bucket, "Key": request.key, "UploadId": upload.upload_id,
                            "PartNumberMarker": marker,
                            "NextPartNumberMarker": page[-1].number if truncated and page else None,
                            "MaxParts": max_parts, "IsTruncated": truncated, "Part": entries,
                            "Initiator": OWNER, "Owner": OWNER, "StorageClass": "STANDARD",
                            "ChecksumAlgorithm": upload.checksum_algorithm, "ChecksumType": upload.checksum_type}
    return xml_response("ListPartsResult", body, ctx.request_id)


async def list_uploads(ctx: S3Context) -> Response:
    request, query = ctx.request, ctx.request.query
    prefix, key_marker = query.get("prefix", ""), query.get("key-marker", "")
    max_uploads = min(int(query["max-uploads"]) if query.get("max-uploads", "").isdigit() else 1000, 1000)
    found, truncated = await run_in_threadpool(lambda: ctx.uploads.list(request.bucket, prefix=prefix,
                                                                        key_marker=key_marker, max_uploads=max_uploads))
    body: dict[str, Any] = {"Bucket": request.bucket, "KeyMarker": key_marker, "UploadIdMarker": "",
                            "NextKeyMarker": found[-1].key if truncated and found else None,
                            "Prefix": prefix or None, "MaxUploads": max_uploads, "IsTruncated": truncated,
                            "Upload": [{"Key": u.key, "UploadId": u.upload_id, "Initiator": OWNER, "Owner": OWNER,
                                        "StorageClass": "STANDARD", "Initiated": iso_time(u.initiated)}
                                       for u in found]}
    return xml_response("ListMultipartUploadsResult", body, ctx.request_id)
