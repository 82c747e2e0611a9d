"""Which S3 operation a request is: the bucket (from the path, or from the Host header), the key,
and the method with its sub-resource (``?uploads``, ``?list-type=2``...). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from crowdform.aws.errors import AwsError
from crowdform.aws.signature import HttpRequest

# Sub-resources that name operations crowdform does not offer (bucket policies, ACLs, versioning...).
_UNSUPPORTED = ("acl", "policy", "versioning", "versions", "cors", "lifecycle", "tagging", "website", "logging",
                "notification", "replication", "encryption", "object-lock", "retention", "legal-hold", "torrent",
                "restore", "select", "inventory", "analytics", "metrics", "accelerate", "requestPayment",
                "ownershipControls", "publicAccessBlock", "intelligent-tiering", "attributes", "policyStatus",
                "partNumber")


@dataclass(frozen=True)
class S3Request:
    operation: str
    bucket: str
    key: str
    query: dict[str, str]


def bucket_from_host(host: str, server_names: frozenset[str]) -> str | None:
    """``photos`` for ``photos.localhost:8080`` when ``localhost`` is one of the server's names."""
    name = host.rsplit(":", 1)[0].lower() if not host.startswith("[") else host
    for server in server_names:
        if name.endswith("." + server) and len(name) > len(server) + 1:
            return name[: -len(server) - 1]
    return None


def route(http: HttpRequest, host: str, server_names: frozenset[str]) -> S3Request:
    query = dict(http.query)
    bucket = bucket_from_host(host, server_names)
    path = http.raw_path or "/"
    if bucket is not None:
        key = unquote(path[1:])
    else:
        bucket, _, rest = path[1:].partition("/")
        bucket, key = unquote(bucket), unquote(rest)
    return S3Request(_operation(http, bucket, key, query), bucket, key, query)


def v2_resource(http: HttpRequest, host: str, server_names: frozenset[str]) -> str | None:
    """The ``/bucket/key`` a query Signature Version 2 covers when the bucket is in the host name."""
    bucket = bucket_from_host(host, server_names)
    return None if bucket is None else f"/{bucket}{http.raw_path or '/'}"


def _operation(http: HttpRequest, bucket: str, key: str, query: dict[str, str]) -> str:
    method = http.method
    for name in _UNSUPPORTED:
        if name in query and not (name == "partNumber" and "uploadId" in query):
            raise AwsError("NotImplemented", f"crowdform's S3 does not offer the '{name}' sub-resource "
                           f"({method} ?{name}); see docs/decisions.md for what is supported", 501)
    if not bucket:
        if method == "GET":
            return "ListBuckets"
        raise AwsError("MethodNotAllowed", f"{method} is not allowed on the service itself; name a bucket", 405)
    if not key:
        table = {
            "PUT": "CreateBucket", "HEAD": "HeadBucket", "DELETE": "DeleteBucket",
            "GET": ("GetBucketLocation" if "location" in query else "ListMultipartUploads" if "uploads" in query
                    else "ListObjectsV2" if query.get("list-type") == "2" else "ListObjects"),
            "POST": "DeleteObjects" if "delete" in query else "",
        }
        operation = table.get(method, "")
    else:
        copy = http.header("x-amz-copy-source") is not None
        upload = "uploadId" in query
        table = {
            "PUT": ("UploadPartCopy" if copy else "UploadPart") if upload else "CopyObject" if copy else "PutObject",
            "GET": "ListParts" if upload else "GetObject",
            "HEAD": "HeadObject",
            "DELETE": "AbortMultipartUpload" if upload else "DeleteObject",
            "POST": "CreateMultipartUpload" if "uploads" in query else "CompleteMultipartUpload" if upload else "",
        }
        operation = table.get(method, "")
    if not operation:
        raise AwsError("MethodNotAllowed", f"{method} is not an S3 operation on "
                       f"{'a key' if key else 'a bucket'} that crowdform offers", 405)
    return operation
