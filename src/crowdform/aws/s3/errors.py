"""S3's error replies: ``<Error><Code>`` XML (no body for HEAD), and the codes refusals map to."""

from __future__ import annotations

from starlette.responses import Response

from crowdform.aws.errors import AwsError
from crowdform.aws.signature import AuthFailure
from crowdform.aws.xml import to_xml
from crowdform.errors import CrowdformError, Forbidden, InvalidInput, NotFound
from crowdform.storage import StorageError

XML_TYPE = "application/xml"

# How a refused signature is reported by S3 (the codes S3 itself sends).
AUTH_CODES = {
    "malformed": ("AuthorizationHeaderMalformed", 400),
    "malformed-query": ("AuthorizationQueryParametersError", 400),
    "unsupported": ("InvalidRequest", 400),
    "mismatch": ("SignatureDoesNotMatch", 403),
    "skewed": ("RequestTimeTooSkewed", 403),
    "expired": ("AccessDenied", 403),
    "payload": ("XAmzContentSHA256Mismatch", 400),
    "unknown": ("InvalidAccessKeyId", 403),
    "revoked": ("InvalidAccessKeyId", 403),
    "token-missing": ("InvalidToken", 400),
    "token-invalid": ("InvalidToken", 400),
    "token-expired": ("ExpiredToken", 400),
}


def auth_error(failure: AuthFailure) -> AwsError:
    code, status = AUTH_CODES.get(failure.reason, ("AccessDenied", 403))
    return AwsError(code, failure.message, status)


def from_crowdform(error: CrowdformError) -> AwsError:
    """An error of the store or the engine as S3 names it: the store's own codes pass through."""
    code = error.code
    if isinstance(error, StorageError):
        return AwsError("InternalError", str(error), 500, sender=False)
    if isinstance(error, Forbidden):
        return AwsError("AccessDenied", str(error), 403)
    if isinstance(error, NotFound) and code == NotFound.code:
        code = "NoSuchKey"
    elif isinstance(error, InvalidInput) and code == InvalidInput.code:
        code = "InvalidArgument"
    return AwsError(code, str(error), error.status_code, sender=error.status_code < 500)


def error_response(error: AwsError, request_id: str, *, head: bool = False) -> Response:
    headers = {"x-amz-request-id": request_id, "x-amz-id-2": request_id}
    if head:  # a HEAD reply has no body: clients read the status alone
        return Response(status_code=error.status, headers=headers)
    body = to_xml("Error", {"Code": error.code, "Message": error.message, "RequestId": request_id})
    return Response(body, status_code=error.status, media_type=XML_TYPE, headers=headers)
