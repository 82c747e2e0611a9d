"""Bucket operations on the embedded store: list, create, head, delete, location, and the listings
of a bucket's keys (ListObjectsV2, and ListObjects v1, which some tools still use)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from crowdform.aws.errors import AwsError
from crowdform.aws.s3.body import read_document
from crowdform.aws.s3.context import S3Context
from crowdform.aws.s3.shapes import (
    NAMESPACE,
    OWNER,
    encode_key,
    iso_time,
    object_entry,
    token,
    untoken,
    xml_response,
)
from crowdform.aws.xml import to_xml

MAX_KEYS = 1000


async def list_buckets(ctx: S3Context) -> Response:
    found = await run_in_threadpool(ctx.store.list_buckets)
    buckets = [{"Name": name, "CreationDate": iso_time(created)} for name, created in found]
    return xml_response("ListAllMyBucketsResult", {"Owner": OWNER, "Buckets": {"Bucket": buckets}}, ctx.request_id)


async def create_bucket(ctx: S3Context) -> Response:
    await read_document(ctx.call)  # CreateBucketConfiguration: any LocationConstraint is this server's region
    await run_in_threadpool(ctx.store.create_bucket, ctx.request.bucket)
    return Response(status_code=200, headers={"location": f"/{ctx.request.bucket}", **ctx.ids})


async def head_bucket(ctx: S3Context) -> Response:
    await run_in_threadpool(ctx.store.head_bucket, ctx.request.bucket)
    return Response(status_code=200, headers={"x-amz-bucket-region": ctx.region, **ctx.ids})


async def delete_bucket(ctx: S3Context) -> Response:
    await run_in_threadpool(ctx.store.delete_bucket, ctx.request.bucket)
    return Response(status_code=204, headers=ctx.ids)


async def bucket_location(ctx: S3Context) -> Response:
    await run_in_threadpool(ctx.store.head_bucket, ctx.request.bucket)
    region = None if ctx.region == "us-east-1" else ctx.region  # S3 writes us-east-1 as no constraint
    return Response(to_xml("LocationConstraint", region, namespace=NAMESPACE), media_type="application/xml",
                    headers=ctx.ids)


def _max_keys(query: dict[str, str]) -> int:
    value = query.get("max-keys", str(MAX_KEYS))
    if not value.isdigit():
        raise AwsError("InvalidArgument", f"max-keys must be a whole number from 0 to {MAX_KEYS}, not {value!r}")
    return min(int(value), MAX_KEYS)


def _encoding(query: dict[str, str]) -> str | None:
    encoding = query.get("encoding-type")
    if encoding not in (None, "url"):
        raise AwsError("InvalidArgument", f"encoding-type must be 'url', not {encoding!r}")
    return encoding


async def list_objects_v2(ctx: S3Context) -> Response:
    query = ctx.request.query
    prefix, delimiter = query.get("prefix", ""), query.get("delimiter", "")
    max_keys, encoding = _max_keys(query), _encoding(query)
    continuation = query.get("continuation-token")
    after = untoken(continuation) if continuation else query.get("start-after", "")
    listed = await run_in_threadpool(lambda: ctx.store.list(ctx.request.bucket, prefix=prefix, delimiter=delimiter,
                                                            after=after, max_keys=max_keys))
    body: dict[str, Any] = {"Name": ctx.request.bucket, "Prefix": encode_key(prefix, encoding),
                            "Delimiter": encode_key(delimiter, encoding) if delimiter else None,
                            "MaxKeys": max_keys, "EncodingType": encoding,
                            "KeyCount": len(listed.objects) + len(listed.common_prefixes),
                            "IsTruncated": listed.truncated, "ContinuationToken": continuation,
                            "NextContinuationToken": token(listed.last) if listed.truncated and listed.last else None,
                            "StartAfter": encode_key(query["start-after"], encoding) if "start-after" in query else None,
                            "Contents": [object_entry(meta, encoding, owner=query.get("fetch-owner") == "true")
                                         for meta in listed.objects],
                            "CommonPrefixes": [{"Prefix": encode_key(p, encoding)} for p in listed.common_prefixes]}
    return xml_response("ListBucketResult", body, ctx.request_id)


async def list_objects(ctx: S3Context) -> Response:
    query = ctx.request.query
    prefix, delimiter, marker = query.get("prefix", ""), query.get("delimiter", ""), query.get("marker", "")
    max_keys, encoding = _max_keys(query), _encoding(query)
    listed = await run_in_threadpool(lambda: ctx.store.list(ctx.request.bucket, prefix=prefix, delimiter=delimiter,
                                                            after=marker, max_keys=max_keys))
    body: dict[str, Any] = {"Name": ctx.request.bucket, "Prefix": encode_key(prefix, encoding),
                            "Marker": encode_key(marker, encoding),
                            "NextMarker": encode_key(listed.last, encoding)
                            if listed.truncated and delimiter and listed.last else None,
                            "MaxKeys": max_keys, "Delimiter": encode_key(delimiter, encoding) if delimiter else None,
                            "IsTruncated": listed.truncated, "EncodingType": encoding,
                            "Contents": [object_entry(meta, encoding, owner=True) for meta in listed.objects],
                            "CommonPrefixes": [{"Prefix": encode_key(p, encoding)} for p in listed.common_prefixes]}
    return xml_response("ListBucketResult", body, ctx.request_id)
