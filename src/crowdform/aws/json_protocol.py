"""AWS's JSON protocol (SageMaker speaks 1.1): ``X-Amz-Target: Prefix.Operation``, JSON in and out.

Errors are the status, ``x-amzn-ErrorType`` and ``{"__type": code, "message": ...}``, which botocore
parses into ``ClientError`` codes. Timestamps go out as epoch seconds, as the protocol has them.
"""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.responses import Response

from crowdform.aws.errors import AwsError
from crowdform.aws.signature import AuthFailure

JSON_TYPE = "application/x-amz-json-1.1"
MAX_DEPTH = 64  # far deeper than any request shape of the services offered

# How a refused signature is reported by JSON-protocol services.
AUTH_CODES = {
    "malformed": ("IncompleteSignatureException", 400),
    "malformed-query": ("IncompleteSignatureException", 400),
    "unsupported": ("IncompleteSignatureException", 400),
    "mismatch": ("InvalidSignatureException", 403),
    "skewed": ("InvalidSignatureException", 403),
    "expired": ("InvalidSignatureException", 403),
    "payload": ("InvalidSignatureException", 403),
    "unknown": ("UnrecognizedClientException", 403),
    "revoked": ("UnrecognizedClientException", 403),
    "token-missing": ("UnrecognizedClientException", 403),
    "token-invalid": ("UnrecognizedClientException", 403),
    "token-expired": ("ExpiredTokenException", 400),
}


def operation(target: str | None, prefix: str) -> str:
    """The operation named by ``X-Amz-Target`` (``SageMaker.DescribeLabelingJob`` -> ``DescribeLabelingJob``)."""
    service, dot, name = (target or "").partition(".")
    if service != prefix or not dot or not name:
        raise AwsError("UnknownOperationException", f"X-Amz-Target must be {prefix}.<Operation>, not {target!r}")
    return name


def parse_body(body: bytes) -> dict[str, Any]:
    """The request's JSON object; a body that is no JSON object (or nests absurdly, or holds a number
    no service takes: NaN, Infinity, an overflowing float, an integer of thousands of digits) is a
    SerializationException."""
    if not body.strip():
        return {}
    try:
        value = loads(body)
    except (ValueError, RecursionError) as error:  # ValueError covers JSONDecodeError and UnicodeDecodeError
        raise AwsError("SerializationException", f"The request body is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise AwsError("SerializationException", "The request body must be a JSON object.")
    return value


def result_response(result: dict[str, Any], request_id: str) -> Response:
    return Response(json.dumps(result, ensure_ascii=False, allow_nan=False).encode(), media_type=JSON_TYPE,
                    headers={"x-amzn-RequestId": request_id})


def error_response(error: AwsError, request_id: str) -> Response:
    # ASCII: a message may quote the request, and text sent in a request is not always valid Unicode
    body = json.dumps({"__type": error.code, "message": error.message}).encode()
    return Response(body, status_code=error.status, media_type=JSON_TYPE,
                    headers={"x-amzn-RequestId": request_id, "x-amzn-ErrorType": f"{error.code}:"})


def auth_error(failure: AuthFailure) -> AwsError:
    code, status = AUTH_CODES.get(failure.reason, ("AccessDeniedException", 403))
    return AwsError(code, failure.message, status)


def loads(text: str | bytes) -> Any:
    """JSON as the services read it: NaN, Infinity, floats that overflow to infinity and nesting
    deeper than ``MAX_DEPTH`` raise ``ValueError``, as do integers of more than 4,300 digits
    (Python's own limit); nesting past the interpreter's limit raises ``RecursionError``."""
    value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    if _depth(value) > MAX_DEPTH:
        raise ValueError(f"it nests deeper than {MAX_DEPTH} levels")
    return value


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is too large")
    return value


def _depth(value: Any) -> int:
    stack, deepest = [(value, 1)], 1
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest
