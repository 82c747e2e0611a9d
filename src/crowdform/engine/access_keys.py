"""Access keys for crowdform's AWS-compatible endpoint: long-term keys, and temporary ones from AssumeRole.

SigV4 is an HMAC under the secret access key, so the server needs the secret itself to check a
signature; a hash would not do. Rather than keep secrets in the database, every secret is derived:
``HMAC(credentials secret, key id)`` for a long-term key, ``HMAC(credentials secret, session token)``
for a temporary one. The credentials secret is the ``credentials_secret`` setting when set, else
one generated on first use into the database (``installation_secrets``), shared by every process
and host of the installation. So the ``access_keys`` table alone signs nothing; revoking a key is
marking its row; and a temporary credential needs no row at all: its session token carries the key
id, the role, the expiry and the long-term key it came from, under a MAC.

Every key can do everything (like an administrator's); hooks get temporary keys for the job's role.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import string
import threading
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from crowdform.engine.runtime import Runtime
from crowdform.errors import Conflict, InvalidInput, NotFound, Unauthorized
from crowdform.store.models import AccessKey, InstallationSecret

SECRET_NAME = "credentials"
KEY_NAME = re.compile(r"^[A-Za-z0-9._@+=,-]{1,64}$")
ROLE_SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(?P<account>\d{12}):role/(?:[\w+=,.@/-]*/)?(?P<name>[\w+=,.@-]{1,64})$")
MIN_SESSION_SECONDS, MAX_SESSION_SECONDS, DEFAULT_SESSION_SECONDS = 900, 43_200, 3600
CHAINED_SESSION_SECONDS = 3600  # AWS caps a session made with session credentials (role chaining) at one hour
CHECK_CACHE_SECONDS = 5.0  # how long a key found active is trusted without asking the database again
_ID_ALPHABET = string.ascii_uppercase + "234567"


class NeedsDatabase(Exception):
    """:meth:`AccessKeys.identify` with ``cached_only`` would have to ask the database."""


class CredentialRefused(Unauthorized):
    """A request's credentials are not (or no longer) valid. ``reason`` says which way, for the AWS
    error code of each protocol: ``unknown``, ``revoked``, ``token-missing``, ``token-invalid``,
    ``token-expired``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Identity:
    """Who signed a request, and the secret their signature is checked with."""

    access_key_id: str
    secret_access_key: str
    account: str
    arn: str
    user_id: str
    session_token: str | None = None
    expires_at: float | None = None
    root_key_id: str | None = None  # the long-term key a session descends from; None for the engine's own

    @property
    def is_session(self) -> bool:
        return self.session_token is not None


@dataclass(frozen=True)
class AccessKeyInfo:
    access_key_id: str
    name: str
    created_at: float
    revoked_at: float | None


@dataclass(frozen=True)
class Credentials:
    """A temporary credential, as STS's AssumeRole returns it."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expires_at: float
    assumed_role_arn: str
    assumed_role_id: str


class AccessKeys:
    """Create, list and revoke long-term keys; issue session credentials; identify a request's signer."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._master: bytes | None = None
        self._lock = threading.Lock()
        self._active: dict[str, tuple[str, float]] = {}  # key id -> (name, trusted until)

    # ---------------------------------------------------------------- long-term keys
    def create(self, name: str | None = None) -> tuple[AccessKeyInfo, str]:
        """A new key and its secret (shown once: it is not stored, and only this installation can derive it)."""
        key_id = "AKIA" + _random_id(16)
        name = name or key_id
        if not KEY_NAME.match(name):
            raise InvalidInput.one("--name", "is not a valid key name", value=name,
                                   hint="Use 1-64 letters, digits and ._@+=,- characters")
        now = self.runtime.clock.now()
        try:
            with self.runtime.database.write() as connection:
                connection.execute(insert(AccessKey).values(access_key_id=key_id, name=name, created_at=now))
        except IntegrityError:
            raise Conflict(f"An access key named {name!r} exists already. Choose another --name.") from None
        return AccessKeyInfo(key_id, name, now, None), self._derive("key", key_id)

    def list(self) -> list[AccessKeyInfo]:
        with self.runtime.database.read() as connection:
            rows = connection.execute(select(AccessKey).order_by(AccessKey.created_at, AccessKey.id)).all()
        return [AccessKeyInfo(r.access_key_id, r.name, r.created_at, r.revoked_at) for r in rows]

    def revoke(self, key: str) -> AccessKeyInfo:
        """Revoke a key by id or name; sessions made from it stop working too."""
        now = self.runtime.clock.now()
        with self.runtime.database.write() as connection:
            row = connection.execute(select(AccessKey).where(
                (AccessKey.access_key_id == key) | (AccessKey.name == key))).first()
            if row is None:
                raise NotFound(f"No access key has the id or name {key!r}. List them with: crowdform credentials list")
            if row.revoked_at is None:
                connection.execute(update(AccessKey).where(AccessKey.id == row.id).values(revoked_at=now))
        with self._lock:
            self._active.pop(row.access_key_id, None)
        return AccessKeyInfo(row.access_key_id, row.name, row.created_at, row.revoked_at or now)

    # ---------------------------------------------------------------- sessions
    def assume_role(self, caller: Identity, role_arn: str, session_name: str,
                    duration_seconds: int | None = None) -> Credentials:
        """STS AssumeRole for ``caller``: any role of this installation's account may be assumed."""
        limit = CHAINED_SESSION_SECONDS if caller.is_session else MAX_SESSION_SECONDS
        duration = DEFAULT_SESSION_SECONDS if duration_seconds is None else duration_seconds
        if not MIN_SESSION_SECONDS <= duration <= limit:
            raise InvalidInput.one("AssumeRole", f"must be between {MIN_SESSION_SECONDS} and {limit} seconds",
                                   field="DurationSeconds", value=duration,
                                   hint="A session made with session credentials (role chaining) lasts at most an hour"
                                   if caller.is_session else None)
        return self.issue_session(role_arn, session_name, duration, root_key_id=caller.root_key_id)

    def issue_session(self, role_arn: str, session_name: str, duration_seconds: int, *,
                      root_key_id: str | None = None) -> Credentials:
        """Temporary credentials for ``role_arn``; ``root_key_id`` None means the engine's own (a hook's)."""
        match = ROLE_ARN.match(role_arn or "")
        if match is None:
            raise InvalidInput.one("AssumeRole", "is not an IAM role ARN", field="RoleArn", value=role_arn,
                                   hint="Write arn:aws:iam::<12-digit account>:role/<name>")
        if not ROLE_SESSION_NAME.match(session_name or ""):
            raise InvalidInput.one("AssumeRole", "must be 2-64 letters, digits and _+=,.@- characters",
                                   field="RoleSessionName", value=session_name)
        key_id = "ASIA" + _random_id(16)
        expires_at = int(self.runtime.clock.now()) + duration_seconds
        claims = {"k": key_id, "r": role_arn, "s": session_name, "e": expires_at, "p": root_key_id}
        payload = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
        token = f"{payload}.{_b64(self._mac('token', payload))}"
        role_id = _role_id(role_arn)
        return Credentials(key_id, self._derive("session", token), token, float(expires_at),
                           _assumed_role_arn(match["account"], match["name"], session_name),
                           f"{role_id}:{session_name}")

    # ---------------------------------------------------------------- identify a signer
    def identify(self, access_key_id: str, session_token: str | None, *, cached_only: bool = False) -> Identity:
        """The signer of a request made with ``access_key_id`` (and its session token, if temporary).

        ``cached_only`` answers from memory alone or raises :class:`NeedsDatabase`, so the endpoint can
        identify most callers on its event loop and go to a thread only when the database is needed.
        """
        if cached_only and self._master is None:
            raise NeedsDatabase()
        account = self.runtime.settings.account_id
        if access_key_id.startswith("ASIA"):
            return self._session_identity(access_key_id, session_token, cached_only)
        name = self._active_key_name(access_key_id, cached_only)
        return Identity(access_key_id, self._derive("key", access_key_id), account,
                        f"arn:aws:iam::{account}:user/{name}", "AIDA" + _stable_id(access_key_id),
                        root_key_id=access_key_id)

    def _session_identity(self, access_key_id: str, token: str | None, cached_only: bool = False) -> Identity:
        if not token:
            raise CredentialRefused("token-missing", f"The access key {access_key_id} is temporary and the request "
                                    "carries no session token (X-Amz-Security-Token).")
        payload, _, mac = token.partition(".")
        try:
            valid = hmac.compare_digest(mac.encode("ascii"), _b64(self._mac("token", payload)).encode("ascii"))
            claims = json.loads(_unb64(payload)) if valid else None
        except (ValueError, UnicodeError, binascii.Error):
            valid, claims = False, None
        if not valid or not isinstance(claims, dict) or claims.get("k") != access_key_id:
            raise CredentialRefused("token-invalid", "The security token included in the request is invalid.")
        if claims["e"] <= self.runtime.clock.now():
            raise CredentialRefused("token-expired", "The security token included in the request is expired.")
        if claims.get("p"):
            self._active_key_name(claims["p"], cached_only)  # a session dies with the key it came from
        match = ROLE_ARN.match(claims["r"])
        assert match is not None  # only well-formed role ARNs are ever signed
        return Identity(access_key_id, self._derive("session", token), match["account"],
                        _assumed_role_arn(match["account"], match["name"], claims["s"]),
                        f"{_role_id(claims['r'])}:{claims['s']}", session_token=token,
                        expires_at=float(claims["e"]), root_key_id=claims.get("p"))

    def _active_key_name(self, access_key_id: str, cached_only: bool = False) -> str:
        now = self.runtime.clock.now()
        cached = self._active.get(access_key_id)
        if cached is not None and cached[1] > now:
            return cached[0]
        if cached_only:
            raise NeedsDatabase()
        with self.runtime.database.read() as connection:
            row = connection.execute(select(AccessKey.name, AccessKey.revoked_at)
                                     .where(AccessKey.access_key_id == access_key_id)).first()
        if row is None:
            raise CredentialRefused("unknown", f"The access key {access_key_id!r} does not exist in crowdform's "
                                    "records. Create one with: crowdform credentials create")
        if row.revoked_at is not None:
            raise CredentialRefused("revoked", f"The access key {access_key_id!r} has been revoked.")
        with self._lock:
            self._active[access_key_id] = (row.name, now + CHECK_CACHE_SECONDS)
        return str(row.name)

    # ---------------------------------------------------------------- the derivation
    def _derive(self, purpose: str, material: str) -> str:
        return base64.b64encode(self._mac(purpose, material)).decode("ascii")[:40]

    def _mac(self, purpose: str, material: str) -> bytes:
        return hmac.new(self._master_secret(), f"{purpose}\n{material}".encode(), hashlib.sha256).digest()

    def _master_secret(self) -> bytes:
        if self._master is None:
            configured = self.runtime.settings.credentials_secret
            self._master = (configured or installation_secret(self.runtime, SECRET_NAME)).encode()
        return self._master


def installation_secret(runtime: Runtime, name: str) -> str:
    """A secret stored in the database, generated by whichever process asks first (all then agree)."""
    with runtime.database.read() as connection:
        found = connection.execute(select(InstallationSecret.value).where(InstallationSecret.name == name)).scalar()
    if found is not None:
        return str(found)
    try:
        with runtime.database.write() as connection:
            connection.execute(insert(InstallationSecret).values(
                name=name, value=secrets.token_urlsafe(48), created_at=runtime.clock.now()))
    except IntegrityError:
        pass  # another process was first: use its secret
    with runtime.database.read() as connection:
        return str(connection.execute(select(InstallationSecret.value)
                                      .where(InstallationSecret.name == name)).scalar_one())


def _assumed_role_arn(account: str, role_name: str, session_name: str) -> str:
    return f"arn:aws:sts::{account}:assumed-role/{role_name}/{session_name}"


def _role_id(role_arn: str) -> str:
    return "AROA" + _stable_id(role_arn)


def _stable_id(text: str) -> str:
    """16 characters of AWS's id alphabet, the same for the same text (user and role ids are stable)."""
    digest = hashlib.sha256(text.encode()).digest()
    return "".join(_ID_ALPHABET[b % len(_ID_ALPHABET)] for b in digest[:16])


def _random_id(length: int) -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
