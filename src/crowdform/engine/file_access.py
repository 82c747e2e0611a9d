"""Signed, expiring URLs for the files a task shows: what a template's ``grant_read_access`` returns.

Ground Truth turns ``s3://bucket/key`` into a short-lived presigned HTTPS URL. crowdform does the
same for every object its storage can read (decision Q12):

* ``s3://`` URIs, and S3 object URLs such as ``https://s3.amazonaws.com/bucket/key`` (AWS's own
  samples pass those): a presigned S3 GET URL with ``presign_s3_urls``; otherwise a crowdform URL,
  and crowdform reads the object for the browser (S3 need not be reachable from workers).
* Local paths and ``file://`` URIs inside the storage roots: a crowdform URL. Anything outside the
  roots is refused here, when the page is rendered, and again when the file is served.
* Any other URL (``https://example.com/cat.jpg``, ``data:...``) is returned unchanged: the browser
  fetches it itself.

A crowdform URL is ``<base path>/<token>``, the token holding the URI, its expiry and an
HMAC-SHA256 of both under a key derived from the runtime's secret, so checking one needs no
database and every server process sharing the data folder accepts it. ``crowdform secrets rotate``
replaces the secret, and every link signed before stops working.

Whatever a token says, the storage refuses the data folder's private files (database, secrets) and
hidden names when the page is rendered and again when the file is served (docs/decisions.md, "What may be served").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from urllib.parse import urlsplit

from crowdform.engine.clock import Clock
from crowdform.errors import Forbidden, InvalidInput
from crowdform.secrets import SigningSecret
from crowdform.settings import Settings
from crowdform.storage import Storage

FILES_PATH = "/files"
# Derives the signing key from the runtime's secret, so a file token is never valid as anything else
# signed with that secret (sessions), nor the other way round.
_PURPOSE = b"crowdform file URL v1"


class FileAccess:
    """Grants (``grant``) and checks (``verify``) read access to single files by signed URL."""

    def __init__(self, secret: str | bytes | SigningSecret, storage: Storage, clock: Clock, *,
                 ttl_seconds: int = 3600, base_path: str = FILES_PATH, presign_s3: bool = False) -> None:
        if ttl_seconds < 1:
            raise InvalidInput.one("settings", "must be at least 1 second", field="signed_url_ttl_seconds",
                                   value=ttl_seconds)
        self._secret = secret
        self._keys: tuple[str | bytes, bytes] | None = None  # (secret, the key derived from it)
        self._storage = storage
        self._clock = clock
        self.ttl_seconds = ttl_seconds
        self.base_path = base_path.rstrip("/")
        self.presign_s3 = presign_s3

    @classmethod
    def from_settings(cls, settings: Settings, *, secret: str | SigningSecret, storage: Storage,
                      clock: Clock) -> "FileAccess":
        return cls(secret, storage, clock, ttl_seconds=settings.signed_url_ttl_seconds,
                   presign_s3=settings.presign_s3_urls)

    def grant(self, uri: str) -> str:
        """A URL the worker's browser may fetch ``uri`` from for the next ``ttl_seconds``."""
        scheme = urlsplit(uri).scheme.lower()
        if scheme in ("http", "https"):
            try:
                uri = self._storage.normalize(uri)  # an S3 object URL becomes s3://bucket/key
            except InvalidInput:
                return uri  # a web address outside S3: the browser fetches it itself
            scheme = "s3"
        if scheme == "s3":
            url = self._storage.presign(uri, self.ttl_seconds) if self.presign_s3 else None
            return url or self._signed(self._storage.normalize(uri))  # None: the embedded store
        if scheme in ("", "file"):
            self._storage.local_path(uri)  # refuses a path outside the storage roots
            return self._signed(self._storage.normalize(uri))
        return uri

    def verify(self, token: str) -> str:
        """The URI a token grants access to; :class:`Forbidden` if it was tampered with or has expired."""
        return self.verify_with_expiry(token)[0]

    def verify_with_expiry(self, token: str) -> tuple[str, int]:
        """The URI and the expiry (epoch seconds) of a valid token, for responses that cache until then."""
        encoded_uri, _, rest = token.partition(".")
        expires_text, _, signature = rest.partition(".")
        try:
            uri = _decode(encoded_uri).decode("utf-8")
            expires_at = int(expires_text)
            # Compared as text: base64's unused low bits would let several spellings decode to one MAC.
            valid = hmac.compare_digest(signature.encode("ascii"), _encode(self._mac(uri, expires_at)).encode("ascii"))
        except (ValueError, binascii.Error):  # not base64, not UTF-8, not a number, not ASCII
            valid = False
        if not valid:
            raise Forbidden("This file link is not valid (it was changed or cut short). Reload the task page for a new one.")
        if self._clock.now() >= expires_at:
            raise Forbidden("This file link has expired. Reload the task page for a new one.")
        return uri, expires_at

    def _signed(self, uri: str) -> str:
        expires_at = int(self._clock.now()) + self.ttl_seconds
        token = f"{_encode(uri.encode())}.{expires_at}.{_encode(self._mac(uri, expires_at))}"
        return f"{self.base_path}/{token}"

    def _mac(self, uri: str, expires_at: int) -> bytes:
        return hmac.new(self._key(), f"{expires_at}\n{uri}".encode(), hashlib.sha256).digest()

    def _key(self) -> bytes:
        """The key derived from the secret in force: after a rotation, links signed before fail to verify."""
        secret = self._secret.value if isinstance(self._secret, SigningSecret) else self._secret
        keys = self._keys
        if keys is None or keys[0] != secret:
            secret_bytes = secret.encode() if isinstance(secret, str) else secret
            keys = self._keys = (secret, hmac.new(secret_bytes, _PURPOSE, hashlib.sha256).digest())
        return keys[1]


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    if not text:
        raise ValueError("empty")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
