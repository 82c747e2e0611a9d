"""The AWS-compatible endpoint: an ASGI layer in front of the app, on the server's own address.

A request carrying an AWS signature (an ``AWS4-HMAC-SHA256`` Authorization header, or a presigned
query) goes to the service its credential scope names (``s3``, ``sagemaker``, ``sts``; S3 for
Signature Version 2), once the signature checks out against the signer's key; everything else goes
to the app unchanged. So ``AWS_ENDPOINT_URL=http://crowdform:8080`` is all a boto3 script needs.

Every refusal is rendered in the protocol of the service asked (JSON for SageMaker, XML for S3 and
STS), with the error codes the SDKs know, and a request id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from crowdform.aws import json_protocol, query_protocol
from crowdform.aws.errors import AwsError
from crowdform.aws.service import AwsCall, AwsService
from crowdform.aws.signature import (
    AuthFailure,
    HttpRequest,
    Signature,
    check_payload_hash,
    check_signature,
    check_time,
    is_signed,
    read_signature,
)
from crowdform.engine.access_keys import AccessKeys, CredentialRefused, NeedsDatabase
from crowdform.engine.clock import Clock
from crowdform.errors import Conflict, CrowdformError, Forbidden, InvalidInput, NotFound, Unauthorized
from crowdform.unique_ids import fresh_uuid

_logger = logging.getLogger("crowdform.aws")


@dataclass
class AwsServices:
    """The services one app offers on its AWS endpoint, by signing name, and what checks their callers."""

    access_keys: AccessKeys
    clock: Clock
    by_name: dict[str, AwsService]

    def service_for(self, signature: Signature) -> AwsService:
        name = "s3" if signature.version == "v2" else signature.service
        service = self.by_name.get(name)
        if service is None:
            offered = ", ".join(sorted(self.by_name))
            raise AwsError("InvalidAction", f"crowdform does not offer the AWS service {name!r} (it offers {offered}). "
                           f"Point that service's client at its own endpoint with AWS_ENDPOINT_URL_{name.upper()}.")
        return service


class AwsEndpoint:
    """ASGI middleware: signed requests to the AWS services, the rest to ``app``."""

    def __init__(self, app: ASGIApp, services_of: Callable[[Scope], AwsServices]) -> None:
        self.app = app
        self.services_of = services_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        http = http_request(scope)
        if not is_signed(http):
            if http.header("x-amz-target") is None:
                await self.app(scope, receive, send)
                return
            error = AwsError("MissingAuthenticationTokenException", "Missing Authentication Token: sign the request "
                             "with an access key from `crowdform credentials create`.", 403)
            await json_protocol.error_response(error, fresh_uuid())(scope, receive, send)
            return
        response = await self._answer(http, scope, receive)
        await response(scope, receive, send)

    async def _answer(self, http: HttpRequest, scope: Scope, receive: Receive) -> Response:
        request_id = fresh_uuid()
        services = self.services_of(scope)
        service: AwsService = _Unknown(http)
        try:
            signature = read_signature(http)
            service = services.service_for(signature)
            call = await self._verified_call(services, service, signature, http, scope, receive, request_id)
            return await service.handle(call)
        except AuthFailure as failure:
            if isinstance(service, _Unknown):  # a garbled signature: still answer in its service's protocol
                service = services.by_name.get(_signed_for(http), service)
            return service.error_response(service.auth_error(failure), request_id)
        except AwsError as error:
            return service.error_response(error, request_id)
        except CrowdformError as error:
            return service.error_response(service_error(error), request_id)
        except Exception:  # a bug: logged with its traceback, and still an answer in the protocol
            _logger.exception("AWS request %s %s failed", http.method, http.raw_path)
            error = AwsError("InternalFailure", "The request failed because of an error inside crowdform "
                             f"(request id {request_id}, in the server's log).", 500, sender=False)
            return service.error_response(error, request_id)

    async def _verified_call(self, services: AwsServices, service: AwsService, signature: Signature,
                             http: HttpRequest, scope: Scope, receive: Receive, request_id: str) -> AwsCall:
        try:
            try:  # a key checked in the last few seconds is known without the database: no thread hop
                identity = services.access_keys.identify(signature.access_key_id, signature.session_token,
                                                         cached_only=True)
            except NeedsDatabase:
                identity = await run_in_threadpool(services.access_keys.identify, signature.access_key_id,
                                                   signature.session_token)
        except CredentialRefused as refused:
            raise AuthFailure(refused.reason, str(refused)) from None
        check_time(signature, services.clock.now())
        host = http.header("host") or _server_host(scope)
        body = b"" if service.streams_body else await read_body(receive, service.max_body_bytes, http)
        check_signature(signature, http, host, identity.secret_access_key,
                        body=None if service.streams_body else body,
                        v2_resource=service.v2_resource(http, host) if signature.version == "v2" else None)
        if not service.streams_body:
            check_payload_hash(http, body)
        return AwsCall(http, identity, host, signature, request_id, body, receive)


def http_request(scope: Scope) -> HttpRequest:
    raw_path = scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else scope["path"]
    return HttpRequest(
        method=scope["method"], raw_path=path.partition("?")[0],
        raw_query=scope.get("query_string", b"").decode("latin-1"),
        headers=[(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"]],
    )


async def read_body(receive: Receive, limit: int, http: HttpRequest) -> bytes:
    """The whole body, refused with 413 as soon as it passes ``limit`` (never read further)."""
    declared = http.header("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise AwsError("IncompleteBody", "The client closed the connection before sending the whole body.")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def service_error(error: CrowdformError) -> AwsError:
    """An engine error in AWS's usual terms (services with codes of their own translate first)."""
    if isinstance(error, InvalidInput):
        return AwsError("ValidationException", str(error))
    if isinstance(error, NotFound):
        return AwsError("ResourceNotFound", str(error))
    if isinstance(error, Conflict):
        return AwsError("ResourceInUse", str(error))
    if isinstance(error, (Forbidden, Unauthorized)):
        return AwsError("AccessDeniedException", str(error), 403)
    return AwsError(error.code, str(error), error.status_code, sender=error.status_code < 500)


def _too_large(limit: int) -> AwsError:
    return AwsError("RequestEntityTooLarge", f"The request body is larger than {limit} bytes.", 413)


def _signed_for(http: HttpRequest) -> str:
    """The service a request's credential scope names, read leniently (its signature may be garbled)."""
    credential = http.query_value("X-Amz-Credential") or (http.header("authorization") or "").partition("Credential=")[2]
    parts = credential.split(",")[0].split("/")
    if len(parts) >= 4:
        return parts[3]
    return "s3" if http.query_value("AWSAccessKeyId") is not None else ""


def _server_host(scope: Scope) -> str:
    host, port = scope.get("server") or ("localhost", 80)
    return f"{host}:{port}"


class _Unknown(AwsService):
    """The error shape for a request whose service is not known yet (or not offered): JSON when it
    names an ``X-Amz-Target``, the query protocol's XML otherwise."""

    signing_name = ""

    def __init__(self, http: HttpRequest) -> None:
        self.json = http.header("x-amz-target") is not None

    async def handle(self, call: AwsCall) -> Response:  # pragma: no cover - never routed to
        raise AwsError("InvalidAction", "unknown service")

    def error_response(self, error: AwsError, request_id: str) -> Response:
        if self.json:
            return json_protocol.error_response(error, request_id)
        return query_protocol.error_response(error, request_id, "https://crowdform.invalid/doc/")

    def auth_error(self, failure: AuthFailure) -> AwsError:
        return json_protocol.auth_error(failure) if self.json else query_protocol.auth_error(failure)
