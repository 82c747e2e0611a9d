"""S3 passed through to the external store crowdform keeps its data in (``s3_endpoint_url``).

Every operation goes through as it came, path-style, re-signed with crowdform's own credentials for
that store (boto3's usual resolution): the client's signature was checked by the endpoint, and the
client's access key means nothing to the store. Bodies stream both ways: a request body is decoded
(plain or aws-chunked) and checked by the same :class:`~crowdform.aws.s3.intake.Intake` as on the
embedded store, and its last batch is held back until every check has passed, so a body that fails
them never reaches the store whole and the store keeps nothing. The reply (status, headers, XML,
object bytes) is passed back as the store sent it. A checksum sent in an aws-chunked trailer is
checked here and not forwarded (the store is sent a plain body with an unsigned payload).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import httpx
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from crowdform.aws.errors import AwsError
from crowdform.aws.s3.intake import Intake
from crowdform.aws.s3.routing import S3Request
from crowdform.aws.service import AwsCall

# Query parameters that carry the client's signature, not the operation.
_AUTH_QUERY = {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
               "X-Amz-Signature", "X-Amz-Security-Token", "AWSAccessKeyId", "Signature", "x-amz-security-token"}
# Request headers that belong to the client's connection or signature, or to the aws-chunked framing.
_DROPPED = {"host", "authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256",
            "content-length", "transfer-encoding", "expect", "connection", "keep-alive", "x-amz-decoded-content-length",
            "x-amz-trailer", "upgrade", "te", "proxy-authorization"}
_DROPPED_REPLY = {"connection", "keep-alive", "transfer-encoding", "server", "date"}
BATCH_BYTES = 1024 * 1024


class S3Proxy:
    """Forwards verified S3 requests to ``endpoint_url``."""

    def __init__(self, endpoint_url: str | None) -> None:
        if not endpoint_url:
            raise ValueError("the S3 proxy needs the external store's endpoint URL")
        self.endpoint_url = endpoint_url.rstrip("/")
        self._client: httpx.AsyncClient | None = None
        self._credentials: Any = None

    async def forward(self, call: AwsCall, request: S3Request) -> Response:
        http = call.http
        path = "/" + quote(request.bucket, safe="") + ("/" + quote(request.key, safe="/~") if request.key else "")
        if not request.bucket:
            path = "/"
        v2 = any(name == "AWSAccessKeyId" for name, _ in http.query)
        query = [(k, v) for k, v in http.query if k not in _AUTH_QUERY and not (v2 and k == "Expires")]
        headers = {name: value for name, value in http.headers if name not in _DROPPED}
        if "content-encoding" in headers:
            kept = [p.strip() for p in headers["content-encoding"].split(",") if p.strip() not in ("", "aws-chunked")]
            if kept:
                headers["content-encoding"] = ",".join(kept)
            else:
                del headers["content-encoding"]
        length = http.header("x-amz-decoded-content-length") or http.header("content-length")
        has_body = http.method in ("PUT", "POST") and (length not in (None, "0") or http.header("transfer-encoding"))
        if has_body and length is not None:
            headers["content-length"] = length
        url = self.endpoint_url + path + ("?" + "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
                                                          for k, v in query) if query else "")
        signed = await run_in_threadpool(self._sign, http.method, url, headers)
        client = self._http()
        outgoing = client.build_request(http.method, url, headers=signed,
                                        content=self._body(call) if has_body else b"")
        try:
            upstream = await client.send(outgoing, stream=True)
        except httpx.HTTPError as error:
            raise AwsError("ServiceUnavailable", f"crowdform keeps its data in the S3 store at {self.endpoint_url}, "
                           f"which did not answer: {error}", 503, sender=False) from None
        reply_headers = {k: v for k, v in upstream.headers.items() if k.lower() not in _DROPPED_REPLY}
        return StreamingResponse(upstream.aiter_raw(), status_code=upstream.status_code, headers=reply_headers,
                                 background=BackgroundTask(upstream.aclose))

    async def _body(self, call: AwsCall) -> AsyncIterator[bytes]:
        """The decoded body, checked as it goes; the last piece only once the whole body has passed."""
        out: list[bytes] = []
        intake = Intake(call.http, call.signature, call.identity.secret_access_key, out.append)
        held = b""
        batch: list[bytes] = []
        size = 0
        while True:
            message = await call.receive()
            if message["type"] == "http.disconnect":
                raise AwsError("IncompleteBody", "The client closed the connection before sending the whole body.")
            chunk = message.get("body", b"")
            batch.append(chunk)
            size += len(chunk)
            more = message.get("more_body", False)
            if size >= BATCH_BYTES or not more:
                await run_in_threadpool(intake.feed, b"".join(batch))
                batch, size = [], 0
                if out:
                    if held:
                        yield held
                    held = b"".join(out)
                    out.clear()
            if not more:
                break
        await run_in_threadpool(intake.finish)  # raises on any mismatch: the store never gets the last bytes
        if held:
            yield held

    def _sign(self, method: str, url: str, headers: dict[str, str]) -> dict[str, str]:
        from botocore.auth import UNSIGNED_PAYLOAD, S3SigV4Auth  # type: ignore[import-untyped, unused-ignore]
        from botocore.awsrequest import AWSRequest  # type: ignore[import-untyped, unused-ignore]

        class Unsigned(S3SigV4Auth):  # type: ignore[misc]
            def payload(self, request: AWSRequest) -> str:
                return str(UNSIGNED_PAYLOAD)

        credentials, region = self._backend_credentials()
        request = AWSRequest(method=method, url=url, headers=dict(headers))
        Unsigned(credentials, "s3", region).add_auth(request)
        return dict(request.headers.items())

    def _backend_credentials(self) -> tuple[Any, str]:
        import boto3  # type: ignore[import-untyped, unused-ignore]

        if self._credentials is None:
            session = boto3.session.Session()
            found = session.get_credentials()
            if found is None:
                raise AwsError("InternalError", "crowdform has no credentials for its S3 store at "
                               f"{self.endpoint_url}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or a profile) "
                               "for the crowdform server", 500, sender=False)
            self._credentials = (found, session.region_name or "us-east-1")
        credentials, region = self._credentials
        return credentials.get_frozen_credentials(), region

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(300.0, connect=10.0),
                                             limits=httpx.Limits(max_connections=64))
        return self._client


