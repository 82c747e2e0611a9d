"""Every request to the AWS endpoint is checked: signature, signer, clock, expiry, payload hash.

Requests are signed by botocore itself (the client code that real scripts run), then changed the way
an attacker or a broken client would change them.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.aws.conftest import AwsEndpoint

FORM = "Action=GetCallerIdentity&Version=2011-06-15"


def signed_sts_request(endpoint: AwsEndpoint, *, body: str = FORM, secret: str | None = None,
                       at: datetime.datetime | None = None, headers: dict[str, str] | None = None) -> AWSRequest:
    request = AWSRequest("POST", endpoint.url + "/", data=body.encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", **(headers or {})})
    signer = SigV4Auth(Credentials(endpoint.access_key_id, secret or endpoint.secret_access_key), "sts", "us-east-1")
    if at is None:
        signer.add_auth(request)
    else:
        _sign_at(signer, request, at)
    return request


def send(request: AWSRequest, *, body: bytes | None = None) -> httpx.Response:
    return httpx.request(request.method, request.url, headers=dict(request.headers.items()),
                         content=request.body if body is None else body, timeout=30)


def _sign_at(signer: Any, request: AWSRequest, at: datetime.datetime) -> None:
    import botocore.auth

    original = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda: at  # the client's clock, not the server's
    try:
        signer.add_auth(request)
    finally:
        botocore.auth.get_current_datetime = original


def error_code(response: httpx.Response) -> str:
    text = response.text
    return text.split("<Code>")[1].split("</Code>")[0] if "<Code>" in text else response.json()["__type"]


def test_a_correctly_signed_request_is_answered(aws_endpoint: AwsEndpoint) -> None:
    response = send(signed_sts_request(aws_endpoint))
    assert response.status_code == 200 and "<Account>" in response.text


def test_a_wrong_secret_is_signature_does_not_match(aws_endpoint: AwsEndpoint) -> None:
    response = send(signed_sts_request(aws_endpoint, secret="x" * 40))
    assert response.status_code == 403 and error_code(response) == "SignatureDoesNotMatch"
    assert response.headers["x-amzn-RequestId"]


def test_a_changed_body_no_longer_matches_its_signature(aws_endpoint: AwsEndpoint) -> None:
    request = signed_sts_request(aws_endpoint)
    changed = send(request, body=b"Action=AssumeRole&Version=2011-06-15&RoleArn=x&RoleSessionName=yy")
    assert changed.status_code == 403 and error_code(changed) == "SignatureDoesNotMatch"


def test_a_signed_payload_hash_must_be_the_bodys(aws_endpoint: AwsEndpoint) -> None:
    claimed = hashlib.sha256(b"something else").hexdigest()
    request = signed_sts_request(aws_endpoint, headers={"X-Amz-Content-SHA256": claimed})
    response = send(request)
    assert response.status_code == 403 and error_code(response) == "SignatureDoesNotMatch"
    assert "x-amz-content-sha256" in response.text


def test_an_unknown_access_key_is_named(aws_endpoint: AwsEndpoint) -> None:
    sts = aws_endpoint.client("sts", access_key_id="AKIANOSUCHKEY0000000")
    with pytest.raises(ClientError) as refused:
        sts.get_caller_identity()
    assert refused.value.response["Error"]["Code"] == "InvalidClientTokenId"
    assert "AKIANOSUCHKEY0000000" in refused.value.response["Error"]["Message"]


@pytest.mark.parametrize("minutes", [-20, 20])
def test_a_request_signed_too_far_from_now_is_refused(aws_endpoint: AwsEndpoint, minutes: int) -> None:
    at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)
    response = send(signed_sts_request(aws_endpoint, at=at.replace(tzinfo=None)))
    assert response.status_code == 403 and error_code(response) == "SignatureDoesNotMatch"
    assert "15 minutes" in response.text


def test_a_request_signed_a_few_minutes_off_is_accepted(aws_endpoint: AwsEndpoint) -> None:
    at = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=10)
    assert send(signed_sts_request(aws_endpoint, at=at.replace(tzinfo=None))).status_code == 200


def test_presigned_urls_work_until_they_expire(aws_endpoint: AwsEndpoint) -> None:
    def presigned(at: datetime.datetime, expires: int) -> str:
        request = AWSRequest("GET", aws_endpoint.url + "/?" + FORM)
        signer = SigV4QueryAuth(Credentials(aws_endpoint.access_key_id, aws_endpoint.secret_access_key), "sts",
                                "us-east-1", expires=expires)
        _sign_at(signer, request, at)
        return str(request.url)

    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    assert httpx.get(presigned(now, 60)).status_code == 200
    expired = httpx.get(presigned(now - datetime.timedelta(seconds=120), 60))
    assert expired.status_code == 403 and "expired" in expired.text
    tampered = httpx.get(presigned(now, 60).replace("X-Amz-Expires=60", "X-Amz-Expires=600"))
    assert tampered.status_code == 403 and error_code(tampered) == "SignatureDoesNotMatch"


@pytest.mark.parametrize("authorization", [
    "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/sts/aws4_request",
    "AWS4-HMAC-SHA256 Credential=AKIA, SignedHeaders=host, Signature=abc",
])
def test_a_malformed_signature_is_incomplete(aws_endpoint: AwsEndpoint, authorization: str) -> None:
    response = httpx.post(aws_endpoint.url + "/", content=FORM, headers={
        "Authorization": authorization, "X-Amz-Date": "20260101T000000Z",
        "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400 and error_code(response) == "IncompleteSignature"


def test_unsigned_aws_json_calls_are_told_to_sign(aws_endpoint: AwsEndpoint) -> None:
    response = httpx.post(aws_endpoint.url + "/", content=b"{}", headers={
        "X-Amz-Target": "SageMaker.ListLabelingJobs", "Content-Type": "application/x-amz-json-1.1"})
    assert response.status_code == 403 and response.json()["__type"] == "MissingAuthenticationTokenException"


def test_a_service_crowdform_does_not_offer_is_named(aws_endpoint: AwsEndpoint) -> None:
    dynamodb = aws_endpoint.client("dynamodb")
    with pytest.raises(ClientError) as refused:
        dynamodb.list_tables()
    assert "dynamodb" in refused.value.response["Error"]["Message"]
    assert "AWS_ENDPOINT_URL_DYNAMODB" in refused.value.response["Error"]["Message"]


def test_everything_unsigned_still_reaches_the_app(aws_endpoint: AwsEndpoint) -> None:
    assert httpx.get(aws_endpoint.url + "/health").json() == {"status": "ok"}
    assert httpx.get(aws_endpoint.url + "/api/v1/jobs").status_code == 401


def test_an_oversized_body_is_refused_before_it_is_read(aws_endpoint: AwsEndpoint) -> None:
    request = signed_sts_request(aws_endpoint, body=FORM + "&Pad=" + "x" * (3 * 1024 * 1024))
    response = send(request)
    assert response.status_code == 413 and error_code(response) == "RequestEntityTooLarge"
