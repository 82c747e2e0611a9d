"""The checksums S3 clients send and ask for, computed with the standard library.

boto3 sends ``x-amz-checksum-crc32`` with PutObject and UploadPart by default, and may be asked for
SHA-1, SHA-256, SHA-512 or MD5. CRC32C, CRC64NVME and the XXHASH family need the AWS CRT, which is
not installed with crowdform; they are refused by name (:data:`UNSUPPORTED`) rather than stored
unchecked. Values travel base64-encoded, as in the headers.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from typing import Protocol


class Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...

    def digest(self) -> bytes: ...


class Crc32:
    """CRC-32 (zlib's, the one S3 means) with hashlib's interface."""

    def __init__(self) -> None:
        self.value = 0

    def update(self, data: bytes, /) -> None:
        self.value = zlib.crc32(data, self.value)

    def digest(self) -> bytes:
        return self.value.to_bytes(4, "big")


_FACTORIES = {
    "CRC32": Crc32,
    "SHA1": hashlib.sha1,
    "SHA256": hashlib.sha256,
    "SHA512": hashlib.sha512,
    "MD5": hashlib.md5,
}
SUPPORTED = tuple(_FACTORIES)
UNSUPPORTED = ("CRC32C", "CRC64NVME", "XXHASH64", "XXHASH3", "XXHASH128")
_DIGEST_SIZES = {"CRC32": 4, "SHA1": 20, "SHA256": 32, "SHA512": 64, "MD5": 16}


def new(algorithm: str) -> Hasher:
    """A fresh hasher for a supported algorithm name (upper case, as S3 writes them)."""
    return _FACTORIES[algorithm]()  # type: ignore[no-any-return]


def encode(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def decode(algorithm: str, value: str) -> bytes | None:
    """The digest a header's base64 value holds, or None if it is not one of ``algorithm``'s size."""
    try:
        digest = base64.b64decode(value, validate=True)
    except ValueError:
        return None
    return digest if len(digest) == _DIGEST_SIZES[algorithm] else None


def composite(algorithm: str, part_digests: list[bytes]) -> str:
    """S3's checksum of a multipart object made of parts: the checksum of the parts' checksums, ``-N``."""
    hasher = new(algorithm)
    for digest in part_digests:
        hasher.update(digest)
    return f"{encode(hasher.digest())}-{len(part_digests)}"


def multipart_etag(part_md5s: list[bytes]) -> str:
    """S3's ETag of a multipart object: the MD5 of the parts' MD5s, ``-N`` (without quotes)."""
    return f"{hashlib.md5(b''.join(part_md5s)).hexdigest()}-{len(part_md5s)}"
