"""S3's XML: the replies boto3 parses, and the two request bodies it sends (Delete, CompleteMultipartUpload).

Replies are built as dicts for :func:`crowdform.aws.xml.to_xml` in the element order of S3's service
model. Request bodies are parsed with ElementTree, which does not fetch external entities or expand
entity definitions beyond its limits; a body that is not the expected XML is ``MalformedXML``.
"""

from __future__ import annotations

import base64
import time
from typing import Any
from urllib.parse import quote
from xml.etree.ElementTree import Element, ParseError, fromstring

from starlette.responses import Response

from crowdform.aws.errors import AwsError
from crowdform.aws.xml import to_xml
from crowdform.storage.buckets.meta import ObjectMeta

NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
OWNER = {"ID": "crowdform", "DisplayName": "crowdform"}


def xml_response(tag: str, body: dict[str, Any], request_id: str, *, status: int = 200,
                 headers: dict[str, str] | None = None) -> Response:
    return Response(to_xml(tag, body, namespace=NAMESPACE), status_code=status, media_type="application/xml",
                    headers={"x-amz-request-id": request_id, **(headers or {})})


def iso_time(epoch: float) -> str:
    """S3's timestamps in XML: ``2026-01-31T12:00:00.000Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch % 1 * 1000):03d}Z"


def http_time(epoch: float) -> str:
    """S3's timestamps in headers (Last-Modified): ``Sat, 31 Jan 2026 12:00:00 GMT``."""
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(epoch))


def quoted_etag(etag: str) -> str:
    return f'"{etag}"'


def encode_key(text: str, encoding: str | None) -> str:
    """A key as the listing returns it: URL-encoded when the client asked (boto3 always does)."""
    return quote(text, safe="/") if encoding == "url" else text


def object_entry(meta: ObjectMeta, encoding: str | None, *, owner: bool = False) -> dict[str, Any]:
    entry: dict[str, Any] = {"Key": encode_key(meta.key, encoding), "LastModified": iso_time(meta.last_modified),
                             "ETag": quoted_etag(meta.etag)}
    if meta.checksums:
        entry["ChecksumAlgorithm"] = list(meta.checksums)
        entry["ChecksumType"] = meta.checksum_type
    entry["Size"] = meta.size
    if owner:
        entry["Owner"] = OWNER
    entry["StorageClass"] = "STANDARD"
    return entry


def token(last: str) -> str:
    """A continuation token: the last key or common prefix listed, opaque to clients."""
    return base64.urlsafe_b64encode(last.encode("utf-8")).decode("ascii")


def untoken(value: str) -> str:
    try:
        return base64.urlsafe_b64decode(value.encode("ascii") + b"=" * (-len(value) % 4)).decode("utf-8")
    except (ValueError, UnicodeError):
        raise AwsError("InvalidArgument", "The continuation token provided is incorrect") from None


def parse_xml(body: bytes, root: str) -> Element:
    try:
        element = fromstring(body)
    except ParseError as error:
        raise AwsError("MalformedXML", f"The XML you provided was not well-formed: {error}") from None
    if _local(element.tag) != root:
        raise AwsError("MalformedXML", f"The XML you provided was not a <{root}> document")
    return element


def children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def text_of(element: Element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            return child.text or ""
    return None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]
