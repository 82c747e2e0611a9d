"""Object headers both ways: what a PUT says about the object, and what GET and HEAD answer. Pure."""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime

from crowdform.aws.errors import AwsError
from crowdform.aws.s3.shapes import http_time, quoted_etag
from crowdform.aws.signature import HttpRequest
from crowdform.storage.buckets.errors import PreconditionFailed
from crowdform.storage.buckets.meta import ObjectMeta

DEFAULT_TYPE = "binary/octet-stream"  # what S3 says of an object stored without a Content-Type
STORED_HEADERS = ("content-disposition", "content-encoding", "cache-control", "content-language", "expires")
_OVERRIDES = {f"response-{name}": name for name in ("content-type", *STORED_HEADERS)}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def user_metadata(http: HttpRequest) -> dict[str, str]:
    return {name[len("x-amz-meta-"):]: value for name, value in http.headers if name.startswith("x-amz-meta-")}


def stored_headers(http: HttpRequest) -> dict[str, str]:
    """The headers S3 keeps with an object; ``aws-chunked`` is the transfer's, not the object's."""
    kept = {}
    for name in STORED_HEADERS:
        value = http.header(name)
        if name == "content-encoding" and value is not None:
            value = ",".join(part for part in (p.strip() for p in value.split(",")) if part and part != "aws-chunked")
        if value:
            kept[name] = value
    return kept


def object_headers(meta: ObjectMeta, query: dict[str, str], *, with_checksum: bool) -> dict[str, str]:
    headers = {"etag": quoted_etag(meta.etag), "last-modified": http_time(meta.last_modified),
               "accept-ranges": "bytes", "content-type": meta.content_type, **meta.headers}
    headers.update({f"x-amz-meta-{name}": value for name, value in meta.user.items()})
    if meta.parts:
        headers["x-amz-mp-parts-count"] = str(meta.parts)
    if with_checksum and meta.checksums:
        headers.update({f"x-amz-checksum-{name.lower()}": value for name, value in meta.checksums.items()})
        if meta.checksum_type:
            headers["x-amz-checksum-type"] = meta.checksum_type
    for parameter, name in _OVERRIDES.items():
        if parameter in query:
            headers[name] = query[parameter]
    return headers


def byte_range(value: str | None, size: int) -> tuple[int, int] | None:
    """(start, end exclusive) of a ``Range: bytes=...`` header; None for the whole object (no header,
    or one S3 ignores); ``InvalidRange`` (416) when it starts past the end."""
    if value is None:
        return None
    match = _RANGE.match(value.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.group(1), match.group(2)
    if first == "":
        length = int(last)
        if length == 0:
            raise _unsatisfiable(value, size)
        return max(0, size - length), size
    start = int(first)
    end = size if last == "" else min(int(last) + 1, size)
    if start >= size or (last != "" and int(last) < start):
        raise _unsatisfiable(value, size)
    return start, end


def check_conditions(http: HttpRequest, meta: ObjectMeta, *, prefix: str = "") -> bool:
    """Evaluate ``If-Match``/``If-None-Match``/``If-(Un)Modified-Since`` (``x-amz-copy-source-`` ones with
    ``prefix``) as S3 does: False means 304 Not Modified; a failed precondition raises 412."""
    def header(name: str) -> str | None:
        return http.header(prefix + name)

    etag = quoted_etag(meta.etag)
    if_match, if_none_match = header("if-match"), header("if-none-match")
    if if_match is not None and not _etag_in(if_match, etag):
        raise PreconditionFailed(f"{prefix}If-Match")
    if if_match is None:
        since = _date(header("if-unmodified-since"))
        if since is not None and int(meta.last_modified) > since:
            raise PreconditionFailed(f"{prefix}If-Unmodified-Since")
    if if_none_match is not None and _etag_in(if_none_match, etag):
        if prefix:
            raise PreconditionFailed(f"{prefix}If-None-Match")
        return False
    if if_none_match is None:
        since = _date(header("if-modified-since"))
        if since is not None and int(meta.last_modified) <= since:
            if prefix:
                raise PreconditionFailed(f"{prefix}If-Modified-Since")
            return False
    return True


def _etag_in(header: str, etag: str) -> bool:
    tags = [tag.strip() for tag in header.split(",")]
    return "*" in tags or etag in tags or etag.strip('"') in tags


def _date(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(parsedate_to_datetime(value).timestamp())
    except (TypeError, ValueError):
        return None


def _unsatisfiable(value: str, size: int) -> AwsError:
    error = AwsError("InvalidRange", f"The requested range is not satisfiable ({value!r} of an object of {size} bytes)",
                     416)
    return error
