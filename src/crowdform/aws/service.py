"""What every AWS service of the endpoint is: a signing name, a protocol's error shape, and a handler."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from starlette.responses import Response
from starlette.types import Receive

from crowdform.aws.errors import AwsError
from crowdform.aws.signature import AuthFailure, HttpRequest, Signature
from crowdform.engine.access_keys import Identity


@dataclass(frozen=True)
class AwsCall:
    """One verified request for a service: who signed it, and its body (buffered, or still to read)."""

    http: HttpRequest
    identity: Identity
    host: str
    signature: Signature  # as read and verified (streaming services check chunk signatures with it)
    request_id: str
    body: bytes  # the whole body; empty for a service that streams (read it from ``receive``)
    receive: Receive

    @property
    def region(self) -> str:
        """The region the client signed for."""
        return self.signature.region


class AwsService(ABC):
    """One AWS service. ``signing_name`` is the service in a SigV4 credential scope (``s3``, ``sts``...).

    A service that ``streams_body`` gets the body unread (S3 objects can be gigabytes) and checks its
    hash itself; the others get it read whole, at most ``max_body_bytes``, with the hash checked.
    """

    signing_name: ClassVar[str]
    streams_body: ClassVar[bool] = False
    max_body_bytes: ClassVar[int] = 2 * 1024 * 1024

    @abstractmethod
    async def handle(self, call: AwsCall) -> Response:
        """The reply to a verified request; errors are raised as :class:`AwsError`."""

    @abstractmethod
    def error_response(self, error: AwsError, request_id: str) -> Response:
        """``error`` in this service's protocol."""

    @abstractmethod
    def auth_error(self, failure: AuthFailure) -> AwsError:
        """A refused signature as this service names it (``SignatureDoesNotMatch``, ``InvalidSignatureException``...)."""

    def v2_resource(self, http: HttpRequest, host: str) -> str | None:
        """The ``/bucket/key`` a Signature Version 2 covers, when the bucket is in the host name (S3 only)."""
        return None
