"""What an S3 operation on the embedded store works with: the call, the store, and the reply's ids."""

from __future__ import annotations

from dataclasses import dataclass

from crowdform.aws.s3.routing import S3Request
from crowdform.aws.service import AwsCall
from crowdform.storage.buckets import BucketStore
from crowdform.storage.buckets.multipart import Uploads


@dataclass(frozen=True)
class S3Context:
    call: AwsCall
    request: S3Request
    store: BucketStore
    uploads: Uploads
    region: str

    @property
    def request_id(self) -> str:
        return self.call.request_id

    @property
    def ids(self) -> dict[str, str]:
        return {"x-amz-request-id": self.call.request_id, "x-amz-id-2": self.call.request_id}

    def header(self, name: str) -> str | None:
        return self.call.http.header(name)
