"""AWS request signatures: read them off a request, and check them with botocore's own signers.

Three forms reach the endpoint: Signature Version 4 in the ``Authorization`` header (every SDK
call), SigV4 in a presigned query (``X-Amz-Credential``...), and S3's query Signature Version 2
(``AWSAccessKeyId``, ``Signature``, ``Expires``), which boto3's ``generate_presigned_url`` for S3 still
makes by default. Checking a signature means computing the one the signer should have sent, so the
expected value comes from botocore's signer classes (the code that signed the request in the first
place), fed with exactly the headers the client listed as signed, the time it signed at, and its
query re-encoded the canonical way. Only parsing and the comparison are ours.

A refusal is an :class:`AuthFailure` whose ``reason`` each protocol turns into its own error code.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from calendar import timegm
from dataclasses import dataclass
from functools import lru_cache
from time import strptime
from typing import Iterable, Sequence
from urllib.parse import quote, unquote

MAX_CLOCK_SKEW_SECONDS = 15 * 60
MAX_PRESIGN_SECONDS = 7 * 24 * 3600
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
SIGV4_ALGORITHM = "AWS4-HMAC-SHA256"
_AUTH_FIELD = re.compile(r"(\w+)=([^,]*)")
_HEX_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class AuthFailure(Exception):
    """A request whose signature cannot be accepted. ``reason`` is one of: ``malformed`` (the
    signature's fields are missing or garbled; ``malformed-query`` when they are in the query),
    ``mismatch`` (computed differently), ``skewed``
    (signed too far from now), ``expired`` (a presigned URL past its expiry), ``payload`` (the body
    does not hash to the signed value), ``unsupported`` (a signing method crowdform does not check),
    and those of :class:`~crowdform.engine.access_keys.CredentialRefused` (``unknown``, ``revoked``,
    ``token-missing``, ``token-invalid``, ``token-expired``)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class HttpRequest:
    """The parts of an HTTP request a signature covers, as received (path still percent-encoded)."""

    method: str
    raw_path: str
    raw_query: str
    headers: Sequence[tuple[str, str]]  # names lower-cased, in order, repeats kept

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None

    @property
    def query(self) -> list[tuple[str, str]]:
        """The query's pairs, percent-decoded (``+`` is a plus sign, as in AWS's canonical form)."""
        pairs = []
        for part in self.raw_query.split("&"):
            if part:
                key, _, value = part.partition("=")
                pairs.append((unquote(key), unquote(value)))
        return pairs

    def query_value(self, name: str) -> str | None:
        for key, value in self.query:
            if key == name:
                return value
        return None


@dataclass(frozen=True)
class Signature:
    """A request's signature as sent: who claims to have signed it, when, for what, and the value."""

    version: str  # "v4" or "v2"
    presigned: bool
    access_key_id: str
    signature: str
    session_token: str | None
    amz_date: str = ""  # v4: the signing time, YYYYMMDD'T'HHMMSS'Z'
    region: str = ""
    service: str = ""
    signed_headers: tuple[str, ...] = ()
    expires: int = 0  # v4 presigned: seconds after amz_date; v2: the epoch second it ends

    @property
    def signed_at(self) -> int:
        return _amz_epoch(self.amz_date)


@lru_cache(maxsize=64)
def _amz_epoch(amz_date: str) -> int:
    """Epoch seconds of an X-Amz-Date (``ValueError`` if it is not one); cached, as ``strptime`` is slow
    and every request of a second carries the same date."""
    return timegm(strptime(amz_date, AMZ_DATE_FORMAT))


def is_signed(request: HttpRequest) -> bool:
    """Whether a request carries an AWS signature of any form (so it belongs to the AWS endpoint)."""
    authorization = request.header("authorization") or ""
    if authorization.startswith((SIGV4_ALGORITHM, "AWS ")):
        return True
    names = {key for key, _ in request.query}
    return "X-Amz-Credential" in names or ("AWSAccessKeyId" in names and "Signature" in names)


def read_signature(request: HttpRequest) -> Signature:
    """The signature of a request that :func:`is_signed`; :class:`AuthFailure` ``malformed`` if garbled."""
    authorization = request.header("authorization") or ""
    if authorization.startswith(SIGV4_ALGORITHM):
        fields = dict(_AUTH_FIELD.findall(authorization[len(SIGV4_ALGORITHM):]))
        return _v4(request, fields.get("Credential"), fields.get("SignedHeaders"), fields.get("Signature"),
                   request.header("x-amz-date") or _http_date_as_amz(request.header("date")),
                   request.header("x-amz-security-token"), presigned=False, expires=None)
    if authorization.startswith("AWS "):
        raise AuthFailure("unsupported", "Signature Version 2 in the Authorization header is not accepted; "
                          "sign requests with Signature Version 4 (every current AWS SDK does)")
    if request.query_value("X-Amz-Credential") is not None:
        algorithm = request.query_value("X-Amz-Algorithm")
        if algorithm != SIGV4_ALGORITHM:
            raise AuthFailure("malformed-query", f"X-Amz-Algorithm must be {SIGV4_ALGORITHM}, not {algorithm!r}")
        return _v4(request, request.query_value("X-Amz-Credential"), request.query_value("X-Amz-SignedHeaders"),
                   request.query_value("X-Amz-Signature"), request.query_value("X-Amz-Date"),
                   request.query_value("X-Amz-Security-Token"), presigned=True,
                   expires=request.query_value("X-Amz-Expires"))
    expires = request.query_value("Expires") or ""
    if not expires.isdigit():
        raise AuthFailure("malformed-query", "a query-string signature (AWSAccessKeyId, Signature) needs Expires, "
                          "in epoch seconds")
    return Signature("v2", True, request.query_value("AWSAccessKeyId") or "", request.query_value("Signature") or "",
                     request.query_value("x-amz-security-token"), expires=int(expires))


def check_time(signature: Signature, now: float) -> None:
    """The signing time is near enough to ``now``, and a presigned URL has not expired."""
    if signature.version == "v2":
        if now > signature.expires:
            raise AuthFailure("expired", "Request has expired")
        return
    signed_at = signature.signed_at
    if signature.presigned:
        if now > signed_at + signature.expires:
            raise AuthFailure("expired", "Request has expired")
        if signed_at - now > MAX_CLOCK_SKEW_SECONDS:
            raise AuthFailure("skewed", "The request was signed in the future: check the client's clock")
    elif abs(now - signed_at) > MAX_CLOCK_SKEW_SECONDS:
        raise AuthFailure("skewed", f"Signature expired: {signature.amz_date} is more than 15 minutes from the "
                          "server's time; check the client's clock")


def check_signature(signature: Signature, request: HttpRequest, host: str, secret_access_key: str, *,
                    body: bytes | None = None, v2_resource: str | None = None) -> None:
    """Compare the signature with the one ``secret_access_key`` gives. ``body`` is the payload of a
    request that does not sign its hash in a header (non-S3 services); ``v2_resource`` the
    ``/bucket/key`` path of a virtual-hosted S3 request signed with V2."""
    from botocore.credentials import Credentials  # type: ignore[import-untyped, unused-ignore]

    credentials = Credentials(signature.access_key_id, secret_access_key, signature.session_token)
    expected = (_v2_expected(signature, request, credentials, v2_resource) if signature.version == "v2"
                else _v4_expected(signature, request, host, credentials, body))
    if not hmac.compare_digest(expected.encode(), signature.signature.encode()):
        raise AuthFailure("mismatch", "The request signature we calculated does not match the signature you "
                          "provided. Check your key and signing method.")


def check_payload_hash(request: HttpRequest, body: bytes) -> None:
    """A buffered body matches the hash the client signed in ``x-amz-content-sha256`` (when a hash)."""
    claimed = request.header("x-amz-content-sha256")
    if claimed and _HEX_SHA256.match(claimed) and hashlib.sha256(body).hexdigest() != claimed:
        raise AuthFailure("payload", "The provided 'x-amz-content-sha256' header does not match what was computed.")


def signing_key(secret_access_key: str, date: str, region: str, service: str) -> bytes:
    """SigV4's derived key (for the per-chunk signatures of a streamed S3 upload)."""
    key = ("AWS4" + secret_access_key).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


# ---------------------------------------------------------------- internals
def _v4(request: HttpRequest, credential: str | None, signed_headers: str | None, value: str | None,
        amz_date: str | None, token: str | None, *, presigned: bool, expires: str | None) -> Signature:
    malformed = "malformed-query" if presigned else "malformed"
    if not credential or not signed_headers or not value:
        raise AuthFailure(malformed, "Authorization header requires 'Credential', 'SignedHeaders' and "
                          "'Signature' parameters")
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not parts[0]:
        raise AuthFailure(malformed, f"the Credential {credential!r} is not ACCESS_KEY/DATE/REGION/SERVICE/aws4_request")
    if not amz_date:
        raise AuthFailure(malformed, "the request carries neither X-Amz-Date nor Date")
    try:
        _amz_epoch(amz_date)
    except ValueError:
        raise AuthFailure(malformed, f"X-Amz-Date {amz_date!r} is not in the form YYYYMMDDTHHMMSSZ") from None
    if amz_date[:8] != parts[1]:
        raise AuthFailure(malformed, f"the Credential's date {parts[1]!r} is not the date of X-Amz-Date {amz_date!r}")
    seconds = 0
    if presigned:
        if not (expires or "").isdigit() or not 1 <= int(expires or 0) <= MAX_PRESIGN_SECONDS:
            raise AuthFailure(malformed, f"X-Amz-Expires must be a number of seconds from 1 to {MAX_PRESIGN_SECONDS}")
        seconds = int(expires or 0)
    return Signature("v4", presigned, parts[0], value.strip(), token, amz_date=amz_date, region=parts[2],
                     service=parts[3], signed_headers=tuple(h.strip().lower() for h in signed_headers.split(";")),
                     expires=seconds)


def _v4_expected(signature: Signature, request: HttpRequest, host: str, credentials: object,
                 body: bytes | None) -> str:
    from botocore.awsrequest import AWSRequest, HTTPHeaders  # type: ignore[import-untyped, unused-ignore]

    signed = signature.signed_headers
    headers = HTTPHeaders()
    for name, value in request.headers:
        if name in signed or name == "x-amz-content-sha256":
            headers[name] = value
    skip = {"X-Amz-Signature"} if signature.presigned else set()
    url = f"http://{host}{request.raw_path}?{_canonical_query(request.query, skip)}"
    aws_request = AWSRequest(method=request.method, url=url, data=body or b"")
    aws_request.headers = headers
    aws_request.context["timestamp"] = signature.amz_date
    aws_request.context["signed_headers"] = signed
    signer_class = _v4_signer(signature.service == "s3", signature.presigned)
    signer = (signer_class(credentials, signature.service, signature.region, expires=signature.expires)
              if signature.presigned else signer_class(credentials, signature.service, signature.region))
    canonical = signer.canonical_request(aws_request)
    return str(signer.signature(signer.string_to_sign(aws_request, canonical), aws_request))


@lru_cache(maxsize=None)
def _v4_signer(s3: bool, presigned: bool) -> type:
    """botocore's SigV4 signer for the request's kind, told to sign exactly the headers the client
    signed (``context["signed_headers"]``) and to reuse derived keys (made once per class, not per
    request: building them was most of a request's cost on the endpoint)."""
    from botocore.auth import (  # type: ignore[import-untyped, unused-ignore]
        S3SigV4Auth,
        S3SigV4QueryAuth,
        SigV4Auth,
        SigV4QueryAuth,
    )
    from botocore.awsrequest import AWSRequest, HTTPHeaders  # type: ignore[import-untyped, unused-ignore]

    base = (S3SigV4QueryAuth if s3 else SigV4QueryAuth) if presigned else (S3SigV4Auth if s3 else SigV4Auth)

    class Expected(base):  # type: ignore[misc, valid-type]
        def headers_to_sign(self, aws_request: AWSRequest) -> HTTPHeaders:
            chosen = HTTPHeaders()
            for name in aws_request.context["signed_headers"]:
                for value in aws_request.headers.get_all(name) or ():
                    chosen[name] = value
            return chosen

        def signature(self, string_to_sign: str, aws_request: AWSRequest) -> str:
            key = _signing_key(self.credentials.secret_key, aws_request.context["timestamp"][:8], self._region_name,
                               self._service_name)
            return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()

    return Expected


@lru_cache(maxsize=1024)
def _signing_key(secret_access_key: str, date: str, region: str, service: str) -> bytes:
    return signing_key(secret_access_key, date, region, service)


def _v2_expected(signature: Signature, request: HttpRequest, credentials: object, resource: str | None) -> str:
    from urllib.parse import urlsplit

    from botocore.auth import HmacV1QueryAuth  # type: ignore[import-untyped, unused-ignore]
    from botocore.awsrequest import HTTPHeaders  # type: ignore[import-untyped, unused-ignore]

    expires = str(signature.expires)

    class Expected(HmacV1QueryAuth):  # type: ignore[misc, valid-type]
        def _get_date(self) -> str:
            return expires

    query = dict(request.query)
    headers = HTTPHeaders()
    for name in ("content-md5", "content-type"):
        value = query.get(name, request.header(name))
        if value is not None:
            headers[name] = value
    for name, value in [*request.headers, *request.query]:
        if name.lower().startswith("x-amz-") and name.lower() != "x-amz-security-token":
            headers[name.lower()] = value
    split = urlsplit(f"http://host{request.raw_path}?{request.raw_query}")
    signer = Expected(credentials, expires=signature.expires)
    return str(signer.get_signature(request.method, split, headers, auth_path=resource))


def _canonical_query(pairs: Iterable[tuple[str, str]], skip: set[str]) -> str:
    """The query with each name and value encoded as SigV4 wants (RFC 3986 unreserved kept); botocore sorts."""
    return "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in pairs if k not in skip)


def _http_date_as_amz(date: str | None) -> str | None:
    """An HTTP ``Date`` header as SigV4's timestamp (when a client signs without X-Amz-Date)."""
    if not date:
        return None
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(date).strftime(AMZ_DATE_FORMAT)
    except (TypeError, ValueError):
        return None
