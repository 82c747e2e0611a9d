"""STS on the endpoint: GetCallerIdentity and AssumeRole (query protocol).

A post-annotation Lambda often assumes the job's role (``event["roleArn"]``) before it reads the
payload; AssumeRole hands out temporary credentials that the other services accept, with role
chaining as AWS limits it (a session made from session credentials lasts at most an hour).
"""

from __future__ import annotations

import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from crowdform.aws import query_protocol
from crowdform.aws.errors import AwsError
from crowdform.aws.service import AwsCall, AwsService
from crowdform.aws.signature import AuthFailure
from crowdform.engine.access_keys import AccessKeys
from crowdform.errors import InvalidInput

NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"


class StsService(AwsService):
    signing_name = "sts"

    def __init__(self, access_keys: AccessKeys) -> None:
        self.access_keys = access_keys

    async def handle(self, call: AwsCall) -> Response:
        parameters = query_protocol.parse_parameters(call.body, call.http.query)
        action = parameters.get("Action")
        if action == "GetCallerIdentity":
            identity = call.identity
            result: dict[str, Any] = {"Arn": identity.arn, "UserId": identity.user_id, "Account": identity.account}
        elif action == "AssumeRole":
            result = await run_in_threadpool(self._assume_role, call, parameters)
        else:
            raise AwsError("InvalidAction", f"crowdform's STS does not offer the action {action!r}; "
                           "it offers GetCallerIdentity and AssumeRole")
        return query_protocol.result_response(str(action), result, call.request_id, NAMESPACE)

    def _assume_role(self, call: AwsCall, parameters: dict[str, str]) -> dict[str, Any]:
        duration = parameters.get("DurationSeconds")
        if duration is not None and not duration.isdigit():
            raise AwsError("ValidationError", f"DurationSeconds must be a whole number of seconds, not {duration!r}")
        try:
            credentials = self.access_keys.assume_role(
                call.identity, parameters.get("RoleArn", ""), parameters.get("RoleSessionName", ""),
                None if duration is None else int(duration))
        except InvalidInput as error:
            raise AwsError("ValidationError", str(error)) from None
        return {
            "AssumedRoleUser": {"Arn": credentials.assumed_role_arn, "AssumedRoleId": credentials.assumed_role_id},
            "Credentials": {
                "AccessKeyId": credentials.access_key_id,
                "SecretAccessKey": credentials.secret_access_key,
                "SessionToken": credentials.session_token,
                "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(credentials.expires_at)),
            },
            "PackedPolicySize": 0,
        }

    def error_response(self, error: AwsError, request_id: str) -> Response:
        return query_protocol.error_response(error, request_id, NAMESPACE)

    def auth_error(self, failure: AuthFailure) -> AwsError:
        return query_protocol.auth_error(failure)
