"""AWS's query protocol (STS, and SNS's subset later): form-encoded requests, XML replies and errors."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import Response

from crowdform.aws.errors import AwsError
from crowdform.aws.signature import AuthFailure
from crowdform.aws.xml import to_xml

XML_TYPE = "text/xml"

# How a refused signature is reported by query-protocol services (as STS reports it).
AUTH_CODES = {
    "malformed": ("IncompleteSignature", 400),
    "malformed-query": ("IncompleteSignature", 400),
    "unsupported": ("IncompleteSignature", 400),
    "mismatch": ("SignatureDoesNotMatch", 403),
    "skewed": ("SignatureDoesNotMatch", 403),
    "expired": ("SignatureDoesNotMatch", 403),
    "payload": ("SignatureDoesNotMatch", 403),
    "unknown": ("InvalidClientTokenId", 403),
    "revoked": ("InvalidClientTokenId", 403),
    "token-missing": ("InvalidClientTokenId", 403),
    "token-invalid": ("InvalidClientTokenId", 403),
    "token-expired": ("ExpiredToken", 400),
}


def parse_parameters(body: bytes, query: list[tuple[str, str]]) -> dict[str, str]:
    """The request's parameters: the form body (POST, as SDKs send them), else the query string (GET)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise AwsError("MalformedQueryString", "The request body is not UTF-8 form data.") from None
    pairs = parse_qsl(text, keep_blank_values=True) if text else query
    return dict(pairs)


def result_response(action: str, result: dict[str, Any], request_id: str, namespace: str) -> Response:
    """``<ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>`` as the SDKs parse it."""
    body = {f"{action}Result": result, "ResponseMetadata": {"RequestId": request_id}}
    return Response(to_xml(f"{action}Response", body, namespace=namespace), media_type=XML_TYPE,
                    headers={"x-amzn-RequestId": request_id})


def error_response(error: AwsError, request_id: str, namespace: str) -> Response:
    body = {"Error": {"Type": "Sender" if error.sender else "Receiver", "Code": error.code, "Message": error.message},
            "RequestId": request_id}
    return Response(to_xml("ErrorResponse", body, namespace=namespace), status_code=error.status,
                    media_type=XML_TYPE, headers={"x-amzn-RequestId": request_id})


def auth_error(failure: AuthFailure) -> AwsError:
    code, status = AUTH_CODES.get(failure.reason, ("AccessDenied", 403))
    return AwsError(code, failure.message, status)
