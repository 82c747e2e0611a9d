"""A request body on its way in: decoded (plain or aws-chunked), hashed, and checked when it ends.

Runs in a worker thread, fed the raw bytes a batch at a time, and hands the decoded bytes to a sink
(a temporary object, or the upstream store). What it checks, all at :meth:`Intake.finish`, before
anything is kept: the payload's SHA-256 against a signed ``x-amz-content-sha256``
(``XAmzContentSHA256Mismatch``), each chunk's and the trailer's signature, ``Content-MD5``
(``BadDigest``), the ``x-amz-checksum-*`` value sent in a header or a trailer (``BadDigest``), and the
length against ``x-amz-decoded-content-length``. An algorithm named without a value
(``x-amz-sdk-checksum-algorithm``) is computed and kept, as S3 does.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from crowdform.aws.errors import AwsError
from crowdform.aws.s3.chunked import ChunkedDecoder, ChunkError, ChunkSigner
from crowdform.aws.signature import AuthFailure, HttpRequest, Signature, signing_key
from crowdform.storage.buckets import checksums

_HEX_SHA256 = re.compile(r"^[0-9a-f]{64}$")
SIGNED_STREAMS = ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"


@dataclass(frozen=True)
class Checksum:
    algorithm: str
    value: str  # base64


def requested_checksum(http: HttpRequest) -> tuple[str | None, str | None]:
    """(algorithm, value sent in a header) of the request's checksum; the value is None when it comes
    in a trailer or is to be computed. Unsupported algorithms are refused by name."""
    algorithm, value = None, None
    for name, header in http.headers:
        if name.startswith("x-amz-checksum-") and name not in ("x-amz-checksum-algorithm", "x-amz-checksum-type",
                                                              "x-amz-checksum-mode"):
            algorithm, value = name[len("x-amz-checksum-"):].upper(), header.strip()
    trailer = http.header("x-amz-trailer")
    if algorithm is None and trailer and trailer.lower().startswith("x-amz-checksum-"):
        algorithm = trailer.strip()[len("x-amz-checksum-"):].upper()
    if algorithm is None:
        named = http.header("x-amz-sdk-checksum-algorithm") or http.header("x-amz-checksum-algorithm")
        algorithm = named.strip().upper() if named else None
    if algorithm is not None:
        check_algorithm(algorithm)
    return algorithm, value


def check_algorithm(algorithm: str) -> str:
    if algorithm not in checksums.SUPPORTED:
        raise AwsError("InvalidRequest", f"crowdform's S3 does not compute {algorithm} checksums: it supports "
                       f"{', '.join(checksums.SUPPORTED)}. Choose one of those (boto3: ChecksumAlgorithm='CRC32'), "
                       "or install nothing else: CRC32C and CRC64NVME need the AWS CRT")
    return algorithm


class Intake:
    """Decode, hash and check one request body; ``sink`` receives the decoded bytes."""

    def __init__(self, http: HttpRequest, signature: Signature | None, secret: str | None,
                 sink: Callable[[bytes], None], *, md5: bool = False) -> None:
        self.http = http
        self.sink = sink
        mode = http.header("x-amz-content-sha256") or ""
        self.claimed_sha256 = mode if _HEX_SHA256.match(mode) else None
        self.decoder: ChunkedDecoder | None = None
        if mode in SIGNED_STREAMS:
            if signature is None or secret is None or signature.presigned:
                raise AwsError("InvalidRequest", f"{mode} needs a request signed in the Authorization header")
            scope = f"{signature.amz_date[:8]}/{signature.region}/{signature.service}/aws4_request"
            key = signing_key(secret, signature.amz_date[:8], signature.region, signature.service)
            self.decoder = ChunkedDecoder(ChunkSigner(key, signature.amz_date, scope, signature.signature))
        elif mode == UNSIGNED_TRAILER or "aws-chunked" in (http.header("content-encoding") or ""):
            self.decoder = ChunkedDecoder()
        elif mode.startswith("STREAMING-"):
            raise AwsError("NotImplemented", f"crowdform's S3 does not accept {mode} bodies (SigV4a); "
                           "sign with Signature Version 4", 501)
        self.algorithm, self.claimed_checksum = requested_checksum(http)
        self.content_md5 = _content_md5(http.header("content-md5"))
        self._sha256 = hashlib.sha256() if self.claimed_sha256 else None
        self._md5 = hashlib.md5() if md5 or self.content_md5 is not None else None
        self._checksum = checksums.new(self.algorithm) if self.algorithm else None
        self.size = 0

    def feed(self, raw: bytes) -> None:
        if self.decoder is None:
            self._take(raw)
            return
        try:
            pieces = self.decoder.feed(raw)
        except ChunkError as error:
            raise _chunk_error(error) from None
        for piece in pieces:
            self._take(piece)

    def finish(self) -> Checksum | None:
        """Check everything; the object's checksum (given or computed), if any."""
        if self.decoder is not None:
            try:
                self.decoder.finish()
            except ChunkError as error:
                raise _chunk_error(error) from None
        declared = self.http.header("x-amz-decoded-content-length")
        if self.decoder is not None and declared is not None and declared.isdigit() and int(declared) != self.size:
            raise AwsError("IncompleteBody", f"The body holds {self.size} bytes, not the {declared} that "
                           "x-amz-decoded-content-length declares.")
        if self._sha256 is not None and self._sha256.hexdigest() != self.claimed_sha256:
            raise AuthFailure("payload", "The provided 'x-amz-content-sha256' header does not match what was computed.")
        if self.content_md5 is not None and self._md5 is not None and self._md5.digest() != self.content_md5:
            raise AwsError("BadDigest", "The Content-MD5 you specified did not match what we received.")
        if self._checksum is None or self.algorithm is None:
            return None
        computed = checksums.encode(self._checksum.digest())
        claimed = self.claimed_checksum
        if claimed is None and self.decoder is not None:
            claimed = self.decoder.trailers.get(f"x-amz-checksum-{self.algorithm.lower()}")
        if claimed is not None and claimed != computed:
            raise AwsError("BadDigest", f"The {self.algorithm} you specified did not match the calculated "
                           f"checksum ({claimed} sent, {computed} computed).")
        return Checksum(self.algorithm, computed)

    @property
    def md5(self) -> bytes:
        assert self._md5 is not None
        return self._md5.digest()

    def _take(self, data: bytes) -> None:
        if not data:
            return
        self.size += len(data)
        if self._sha256 is not None:
            self._sha256.update(data)
        if self._md5 is not None:
            self._md5.update(data)
        if self._checksum is not None:
            self._checksum.update(data)
        self.sink(data)


def _content_md5(value: str | None) -> bytes | None:
    if value is None:
        return None
    try:
        digest = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        digest = b""
    if len(digest) != 16:
        raise AwsError("InvalidDigest", f"The Content-MD5 you specified is not a base64-encoded MD5: {value[:40]!r}")
    return digest


def _chunk_error(error: ChunkError) -> Exception:
    if error.reason == "signature":
        return AuthFailure("mismatch", str(error))
    return AwsError("IncompleteBody", str(error))
