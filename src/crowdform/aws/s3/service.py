"""The S3 service of the endpoint: routes each verified request to its operation.

On the embedded default the operations act on the store in ``Settings.buckets_dir`` (the same
objects crowdform's jobs read and write); with ``s3_endpoint_url`` set, every request is passed
through to that store (:mod:`~crowdform.aws.s3.proxy`), so a client of crowdform's endpoint sees the
objects crowdform's jobs see either way. Bucket names come from the path, or from the ``Host``
header when it is ``<bucket>.<one of this server's names>`` (virtual-host style).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from starlette.responses import Response

from crowdform.aws.errors import AwsError
from crowdform.aws.s3 import buckets, objects, uploads
from crowdform.aws.s3.context import S3Context
from crowdform.aws.s3.errors import auth_error, error_response, from_crowdform
from crowdform.aws.s3.routing import route, v2_resource
from crowdform.aws.service import AwsCall, AwsService
from crowdform.aws.signature import AuthFailure, HttpRequest
from crowdform.errors import CrowdformError
from crowdform.settings import Settings
from crowdform.storage import Storage
from crowdform.storage.buckets.multipart import Uploads

Handler = Callable[[S3Context], Awaitable[Response]]

OPERATIONS: dict[str, Handler] = {
    "ListBuckets": buckets.list_buckets,
    "CreateBucket": buckets.create_bucket,
    "HeadBucket": buckets.head_bucket,
    "DeleteBucket": buckets.delete_bucket,
    "GetBucketLocation": buckets.bucket_location,
    "ListObjectsV2": buckets.list_objects_v2,
    "ListObjects": buckets.list_objects,
    "ListMultipartUploads": uploads.list_uploads,
    "DeleteObjects": objects.delete_objects,
    "PutObject": objects.put_object,
    "CopyObject": objects.copy_object,
    "GetObject": objects.get_object,
    "HeadObject": lambda ctx: objects.get_object(ctx, head=True),
    "DeleteObject": objects.delete_object,
    "CreateMultipartUpload": uploads.create_upload,
    "UploadPart": uploads.upload_part,
    "UploadPartCopy": uploads.upload_part_copy,
    "CompleteMultipartUpload": uploads.complete_upload,
    "AbortMultipartUpload": uploads.abort_upload,
    "ListParts": uploads.list_parts,
}


def server_names(settings: Settings) -> frozenset[str]:
    """The host names a virtual-hosted bucket may be a subdomain of: ``localhost``, the ``host``
    setting, and the host of ``public_url``."""
    names = {"localhost", settings.host.lower()}
    if settings.public_url:
        names.add((urlsplit(settings.public_url).hostname or "").lower())
    return frozenset(name for name in names if name and name not in ("0.0.0.0", "::"))


class S3Service(AwsService):
    signing_name = "s3"
    streams_body = True

    def __init__(self, storage: Storage, settings: Settings) -> None:
        self.names = server_names(settings)
        self.region = settings.region
        self.store = storage.buckets
        self.uploads = Uploads(self.store) if self.store is not None else None
        self.proxy = None
        if self.store is None:
            from crowdform.aws.s3.proxy import S3Proxy

            self.proxy = S3Proxy(settings.s3_endpoint_url)

    async def handle(self, call: AwsCall) -> Response:
        request = route(call.http, call.host, self.names)
        if self.proxy is not None:
            return await self.proxy.forward(call, request)
        assert self.store is not None and self.uploads is not None
        context = S3Context(call, request, self.store, self.uploads, self.region)
        try:
            return await OPERATIONS[request.operation](context)
        except CrowdformError as error:
            raise from_crowdform(error) from None

    def error_response(self, error: AwsError, request_id: str) -> Response:
        return error_response(error, request_id)

    def auth_error(self, failure: AuthFailure) -> AwsError:
        return auth_error(failure)

    def v2_resource(self, http: HttpRequest, host: str) -> str | None:
        return v2_resource(http, host, self.names)
