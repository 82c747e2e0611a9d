"""S3 requests as clients other than a plain boto3 call make them: presigned URLs (query Signature
Version 2, boto3's default for S3, and SigV4), virtual-hosted buckets, streamed aws-chunked bodies
(unsigned with a trailing checksum, as boto3 sends over HTTPS; and signed chunk by chunk), wrong
signatures and payload hashes. Requests are signed with botocore's own signers and sent with httpx."""

from __future__ import annotations

import hashlib
import io
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from botocore.auth import HmacV1QueryAuth, S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum

from crowdform.storage.buckets import checksums
from tests.aws.s3_fixtures import S3Endpoint, error_of


def code_of(response: httpx.Response) -> str:
    return response.text.split("<Code>")[1].split("</Code>")[0]


def credentials(endpoint: S3Endpoint, secret: str | None = None) -> Credentials:
    return Credentials(endpoint.access_key_id, secret or endpoint.secret_access_key)


def signed(endpoint: S3Endpoint, method: str, url: str, *, payload: str | None = None, body: bytes = b"",
           headers: dict[str, str] | None = None, secret: str | None = None) -> AWSRequest:
    """A request signed by botocore's S3 SigV4 signer, with ``payload`` as x-amz-content-sha256 when given."""
    class Signer(S3SigV4Auth):  # type: ignore[misc]
        def payload(self, request: AWSRequest) -> str:
            return payload if payload is not None else str(super().payload(request))

    request = AWSRequest(method, url, data=body, headers=headers or {})
    signer = Signer(credentials(endpoint, secret), "s3", "us-east-1")
    signer.add_auth(request)
    request.context["signer"] = signer
    return request


def send(request: AWSRequest, content: Any = None, url: str | None = None) -> httpx.Response:
    """Send the signed request; to ``url`` (with the signed URL's Host header) when given."""
    body = request.body if content is None else content
    headers = dict(request.headers.items())
    if url is not None:
        headers["Host"] = urlsplit(request.url).netloc
    return httpx.request(request.method, url or request.url, headers=headers, content=body, timeout=30)


# ---------------------------------------------------------------- signatures and hashes
def test_a_wrong_secret_is_signature_does_not_match(s3_endpoint: S3Endpoint) -> None:
    bucket = s3_endpoint.bucket()
    s3 = s3_endpoint.client("s3", secret_access_key="x" * 40)
    error = error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x")
    assert error["Code"] == "SignatureDoesNotMatch" and error["Status"] == 403
    assert error_of(s3_endpoint.s3().head_object, Bucket=bucket, Key="k")["Status"] == 404


def test_an_unknown_key_is_invalid_access_key_id(s3_endpoint: S3Endpoint) -> None:
    s3 = s3_endpoint.client("s3", access_key_id="AKIANOSUCHKEY0000000")
    assert error_of(s3.list_buckets)["Code"] == "InvalidAccessKeyId"


def test_a_body_that_is_not_the_signed_hash_is_refused_and_keeps_nothing(s3_endpoint: S3Endpoint) -> None:
    bucket = s3_endpoint.bucket()
    claimed = hashlib.sha256(b"what was signed").hexdigest()
    request = signed(s3_endpoint, "PUT", f"{s3_endpoint.url}/{bucket}/k", payload=claimed, body=b"what was signed")
    response = send(request, content=b"something else!")
    assert response.status_code == 400 and code_of(response) == "XAmzContentSHA256Mismatch"
    assert error_of(s3_endpoint.s3().head_object, Bucket=bucket, Key="k")["Status"] == 404


# ---------------------------------------------------------------- presigned URLs
def test_presigned_v2_get_and_put_as_boto3_makes_them(s3_endpoint: S3Endpoint) -> None:
    s3, bucket = s3_endpoint.s3(), s3_endpoint.bucket()
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "up/load.txt"})
    assert "AWSAccessKeyId=" in put_url and "Signature=" in put_url  # boto3's default for S3: V2
    assert httpx.put(put_url, content=b"presigned body").status_code == 200
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "up/load.txt"})
    assert httpx.get(get_url).content == b"presigned body"
    tampered = httpx.get(get_url.replace("up/load.txt", "up/other.txt"))
    assert tampered.status_code == 403 and code_of(tampered) == "SignatureDoesNotMatch"


def test_presigned_v4_get_and_put(s3_endpoint: S3Endpoint) -> None:
    s3, bucket = s3_endpoint.s3(signature_version="s3v4"), s3_endpoint.bucket()
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "v4.bin"}, ExpiresIn=300)
    assert "X-Amz-Credential=" in put_url
    assert httpx.put(put_url, content=b"\x00\x01v4").status_code == 200
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "v4.bin",
                                                              "ResponseContentType": "image/png"})
    got = httpx.get(get_url)
    assert got.content == b"\x00\x01v4" and got.headers["content-type"] == "image/png"


def test_an_expired_presigned_url_is_access_denied(s3_endpoint: S3Endpoint) -> None:
    bucket = s3_endpoint.bucket()
    s3_endpoint.s3().put_object(Bucket=bucket, Key="k", Body=b"x")
    request = AWSRequest("GET", f"{s3_endpoint.url}/{bucket}/k")
    HmacV1QueryAuth(credentials(s3_endpoint), expires=-60).add_auth(request)  # expired a minute ago
    response = httpx.get(request.url)
    assert response.status_code == 403 and code_of(response) == "AccessDenied"
    assert "expired" in response.text


def test_a_malformed_presigned_query_is_authorization_query_parameters_error(s3_endpoint: S3Endpoint) -> None:
    response = httpx.get(f"{s3_endpoint.url}/b/k?X-Amz-Credential=AKIA/20260101/us-east-1/s3/aws4_request"
                         "&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20260101T000000Z&X-Amz-SignedHeaders=host"
                         "&X-Amz-Signature=abc&X-Amz-Expires=0")
    assert response.status_code == 400 and code_of(response) == "AuthorizationQueryParametersError"


# ---------------------------------------------------------------- virtual-hosted buckets
def test_virtual_host_style_requests_name_the_bucket_in_the_host(s3_endpoint: S3Endpoint) -> None:
    bucket = s3_endpoint.bucket()
    port = urlsplit(s3_endpoint.url).port
    virtual = f"http://{bucket}.localhost:{port}"
    put = signed(s3_endpoint, "PUT", f"{virtual}/hosted/key.txt", body=b"by host")
    assert send(put, url=f"{s3_endpoint.url}/hosted/key.txt").status_code == 200
    assert s3_endpoint.s3().get_object(Bucket=bucket, Key="hosted/key.txt")["Body"].read() == b"by host"
    listing = signed(s3_endpoint, "GET", f"{virtual}/?list-type=2")
    assert "<Key>hosted/key.txt</Key>" in send(listing, url=f"{s3_endpoint.url}/?list-type=2").text
    import boto3
    from botocore.config import Config

    presigner = boto3.session.Session().client(
        "s3", endpoint_url=f"http://localhost:{port}", region_name="us-east-1",
        aws_access_key_id=s3_endpoint.access_key_id, aws_secret_access_key=s3_endpoint.secret_access_key,
        config=Config(s3={"addressing_style": "virtual"}))
    url = presigner.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "hosted/key.txt"})
    assert urlsplit(url).hostname == f"{bucket}.localhost"  # a V2 signature over /bucket/key
    direct = url.replace(f"{bucket}.localhost", "127.0.0.1")
    assert httpx.get(direct, headers={"Host": f"{bucket}.localhost:{port}"}).content == b"by host"


# ---------------------------------------------------------------- aws-chunked bodies
def unsigned_trailer_put(endpoint: S3Endpoint, bucket: str, key: str, data: bytes, *,
                         wrong_checksum: bool = False) -> httpx.Response:
    """A PutObject as boto3 sends it over HTTPS: aws-chunked, unsigned, CRC32 in a trailer (botocore's
    own AwsChunkedWrapper makes the body)."""
    request = AWSRequest("PUT", f"{endpoint.url}/{bucket}/{key}", headers={
        "Content-Encoding": "aws-chunked", "X-Amz-Trailer": "x-amz-checksum-crc32",
        "X-Amz-Decoded-Content-Length": str(len(data))})
    request.context["checksum"] = {"request_algorithm": {"in": "trailer", "algorithm": "crc32",
                                                         "name": "x-amz-checksum-crc32"}}
    S3SigV4Auth(credentials(endpoint), "s3", "us-east-1").add_auth(request)
    assert request.headers["X-Amz-Content-SHA256"] == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    body = b"".join(AwsChunkedWrapper(io.BytesIO(data), Crc32Checksum, "x-amz-checksum-crc32", chunk_size=100_000))
    if wrong_checksum:
        body = body.rsplit(b"x-amz-checksum-crc32:", 1)[0] + b"x-amz-checksum-crc32:AAAAAA==\r\n\r\n"
    return send(request, content=body)


def test_an_unsigned_aws_chunked_body_with_a_trailing_checksum(s3_endpoint: S3Endpoint) -> None:
    bucket = s3_endpoint.bucket()
    data = bytes(range(256)) * 1000  # several chunks
    assert unsigned_trailer_put(s3_endpoint, bucket, "chunked.bin", data).status_code == 200
    got = s3_endpoint.s3().get_object(Bucket=bucket, Key="chunked.bin")
    assert got["Body"].read() == data and got["ContentLength"] == len(data)
    assert "aws-chunked" not in (got.get("ContentEncoding") or "")


def test_a_wrong_trailing_checksum_is_bad_digest_and_keeps_nothing(s3_endpoint: S3Endpoint) -> None:
    bucket = s3_endpoint.bucket()
    response = unsigned_trailer_put(s3_endpoint, bucket, "bad.bin", b"payload" * 1000, wrong_checksum=True)
    assert response.status_code == 400 and code_of(response) == "BadDigest"
    assert error_of(s3_endpoint.s3().head_object, Bucket=bucket, Key="bad.bin")["Status"] == 404


def signed_chunks_put(endpoint: S3Endpoint, bucket: str, key: str, data: bytes, *, trailer: bool,
                      tamper: bool = False) -> httpx.Response:
    """STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]: each chunk signed with botocore's SigV4 signer,
    chained from the request's signature (AWS's "Transferring payload in multiple chunks")."""
    mode = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" + ("-TRAILER" if trailer else "")
    headers = {"Content-Encoding": "aws-chunked", "X-Amz-Decoded-Content-Length": str(len(data))}
    if trailer:
        headers["X-Amz-Trailer"] = "x-amz-checksum-crc32"
    request = signed(endpoint, "PUT", f"{endpoint.url}/{bucket}/{key}", payload=mode, headers=headers)
    signer, stamp = request.context["signer"], request.context["timestamp"]
    scope = signer.credential_scope(request)
    previous = request.headers["Authorization"].rsplit("Signature=", 1)[1]
    pieces = [data[i:i + 65536] for i in range(0, len(data), 65536)] + [b""]
    body = b""
    for piece in pieces:
        text = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", stamp, scope, previous, hashlib.sha256(b"").hexdigest(),
                          hashlib.sha256(piece).hexdigest()])
        previous = signer.signature(text, request)
        sent = piece[:-1] + b"X" if tamper and piece else piece
        body += f"{len(piece):x};chunk-signature={previous}\r\n".encode() + sent + (b"\r\n" if piece else b"")
    if trailer:
        crc = checksums.new("CRC32")
        crc.update(data)
        line = f"x-amz-checksum-crc32:{checksums.encode(crc.digest())}\n"
        text = "\n".join(["AWS4-HMAC-SHA256-TRAILER", stamp, scope, previous, hashlib.sha256(line.encode()).hexdigest()])
        body += line.rstrip("\n").encode() + b"\r\n" + f"x-amz-trailer-signature:{signer.signature(text, request)}\r\n".encode()
    body += b"\r\n"
    return send(request, content=body)


@pytest.mark.parametrize("trailer", [False, True])
def test_a_body_signed_chunk_by_chunk(s3_endpoint: S3Endpoint, trailer: bool) -> None:
    bucket = s3_endpoint.bucket()
    data = b"0123456789abcdef" * 10_000
    response = signed_chunks_put(s3_endpoint, bucket, "signed.bin", data, trailer=trailer)
    assert response.status_code == 200, response.text
    assert s3_endpoint.s3().get_object(Bucket=bucket, Key="signed.bin")["Body"].read() == data


def test_a_changed_chunk_is_signature_does_not_match_and_keeps_nothing(s3_endpoint: S3Endpoint) -> None:
    bucket = s3_endpoint.bucket()
    response = signed_chunks_put(s3_endpoint, bucket, "tampered.bin", b"z" * 100_000, trailer=False, tamper=True)
    assert response.status_code == 403 and code_of(response) == "SignatureDoesNotMatch"
    assert error_of(s3_endpoint.s3().head_object, Bucket=bucket, Key="tampered.bin")["Status"] == 404
