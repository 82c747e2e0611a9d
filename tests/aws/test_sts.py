"""STS on the endpoint with real boto3 clients: GetCallerIdentity, AssumeRole, role chaining, errors."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from crowdform.engine.access_keys import CHECK_CACHE_SECONDS

from tests.aws.conftest import AwsEndpoint

ROLE = "arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-GroundTruth"


def test_get_caller_identity_names_the_key_and_a_stable_account(aws_endpoint: AwsEndpoint) -> None:
    sts = aws_endpoint.client("sts")
    first = sts.get_caller_identity()
    again = sts.get_caller_identity()
    account = aws_endpoint.runtime.settings.account_id
    assert first["Account"] == again["Account"] == account and len(account) == 12 and account.isdigit()
    assert first["Arn"] == f"arn:aws:iam::{account}:user/tester"
    assert first["UserId"] == again["UserId"] and first["UserId"].startswith("AIDA")


def test_assume_role_gives_session_credentials_that_other_calls_accept(aws_endpoint: AwsEndpoint) -> None:
    sts = aws_endpoint.client("sts")
    reply = sts.assume_role(RoleArn=ROLE, RoleSessionName="post-hook", DurationSeconds=900)
    credentials = reply["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and credentials["SessionToken"]
    assert reply["AssumedRoleUser"]["Arn"] == "arn:aws:sts::123456789012:assumed-role/AmazonSageMaker-GroundTruth/post-hook"
    as_role = aws_endpoint.client("sts", access_key_id=credentials["AccessKeyId"],
                                  secret_access_key=credentials["SecretAccessKey"],
                                  session_token=credentials["SessionToken"])
    assert as_role.get_caller_identity()["Arn"] == reply["AssumedRoleUser"]["Arn"]
    # Role chaining: a session may assume a role again, for at most an hour.
    chained = as_role.assume_role(RoleArn=ROLE, RoleSessionName="chained")["Credentials"]
    assert chained["AccessKeyId"] != credentials["AccessKeyId"]
    with pytest.raises(ClientError) as refused:
        as_role.assume_role(RoleArn=ROLE, RoleSessionName="too-long", DurationSeconds=7200)
    assert refused.value.response["Error"]["Code"] == "ValidationError"
    assert "DurationSeconds" in refused.value.response["Error"]["Message"]


def test_session_credentials_need_their_token_and_die_with_their_key(aws_endpoint: AwsEndpoint) -> None:
    from crowdform.engine.access_keys import AccessKeys

    credentials = aws_endpoint.client("sts").assume_role(RoleArn=ROLE, RoleSessionName="s1")["Credentials"]
    without_token = aws_endpoint.client("sts", access_key_id=credentials["AccessKeyId"],
                                        secret_access_key=credentials["SecretAccessKey"])
    assert _code(without_token.get_caller_identity) == "InvalidClientTokenId"
    forged = aws_endpoint.client("sts", access_key_id=credentials["AccessKeyId"],
                                 secret_access_key=credentials["SecretAccessKey"],
                                 session_token=credentials["SessionToken"][:-2] + "AA")
    assert _code(forged.get_caller_identity) == "InvalidClientTokenId"
    as_role = aws_endpoint.client("sts", access_key_id=credentials["AccessKeyId"],
                                  secret_access_key=credentials["SecretAccessKey"],
                                  session_token=credentials["SessionToken"])
    as_role.get_caller_identity()
    AccessKeys(aws_endpoint.runtime).revoke("tester")  # as `crowdform credentials revoke` does, from outside
    _wait_until_refused(as_role.get_caller_identity)
    assert _code(as_role.get_caller_identity) == "InvalidClientTokenId"
    assert _code(aws_endpoint.client("sts").get_caller_identity) == "InvalidClientTokenId"


@pytest.mark.parametrize("role, session, field", [
    ("arn:aws:iam::123456789012:user/alice", "s1", "RoleArn"),
    ("arn:aws:iam::1234:role/short-account", "s1", "RoleArn"),
    (ROLE, "bad name!", "RoleSessionName"),
])
def test_assume_role_refuses_bad_parameters_naming_them(aws_endpoint: AwsEndpoint, role: str, session: str,
                                                       field: str) -> None:
    with pytest.raises(ClientError) as refused:
        aws_endpoint.client("sts").assume_role(RoleArn=role, RoleSessionName=session)
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationError" and field in error["Message"]
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def _wait_until_refused(call: object) -> None:
    """A server trusts a key it checked for a few seconds (CHECK_CACHE_SECONDS): wait that out."""
    deadline = time.monotonic() + 4 * CHECK_CACHE_SECONDS
    while time.monotonic() < deadline:
        try:
            call()  # type: ignore[operator]
        except ClientError:
            return
        time.sleep(0.2)


def _code(call: object) -> str:
    with pytest.raises(ClientError) as refused:
        call()  # type: ignore[operator]
    return str(refused.value.response["Error"]["Code"])
