"""Storage URIs: parse what users write into one canonical form, and join keys onto it.

Users name objects in many ways: ``data/manifest.jsonl``, ``file:///srv/data/manifest.jsonl``,
``s3://bucket/key`` and the https object URLs the S3 console shows. Everything downstream (the
stores, the engine, the output manifests) sees exactly two canonical forms, so a URI can be
compared, joined and routed as a plain string:

* ``file:///abs/path`` -- an absolute local path, lexically normalised (``.``, ``..`` and doubled
  slashes removed, like :func:`os.path.abspath`). Symlinks are *not* resolved here: that is the
  local store's job, which checks the real path against the storage roots on every access.
* ``s3://bucket/key`` -- exactly as given (the scheme lower-cased).

Like ``s3://`` URIs (and the AWS CLI), ``file://`` URIs carry the path verbatim -- no
percent-encoding -- so joining a key onto either is the same string operation and a file name with
a space or a ``%`` round-trips unchanged. Only the https S3 URLs are percent-decoded, because that
is how browsers and the S3 console encode keys in them.

Pure: no I/O, and the working directory is passed in rather than read here.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from crowdform.errors import InvalidInput

_FORMS_HINT = (
    "Use a local path, a file:///absolute/path URI, an s3://BUCKET/KEY URI, "
    "or an S3 object URL such as https://BUCKET.s3.amazonaws.com/KEY"
)

# Anything that starts like "scheme:" is a URI, not a relative file name. Two characters at least,
# so a Windows drive letter ("C:") would still read as a path.
_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]+):")

# S3 API hosts: s3.amazonaws.com, s3.REGION.amazonaws.com, s3-REGION.amazonaws.com,
# s3.dualstack.REGION.amazonaws.com, each optionally prefixed by "BUCKET." (virtual-hosted style),
# and the .amazonaws.com.cn variants of the China regions.
_S3_HOST = re.compile(
    r"^(?:(?P<bucket>.+)\.)?s3(?:[.\-](?:dualstack\.)?[a-z0-9\-]+)?\.amazonaws\.com(?:\.cn)?$"
)

# Permissive on purpose (legacy buckets allow capitals and underscores); this only catches typos
# such as a space, a query string or an empty name, S3 itself rejects the rest.
_BUCKET = re.compile(r"^[A-Za-z0-9._\-]+$")


@dataclass(frozen=True)
class LocalLocation:
    """A file on this machine. ``path`` is absolute and lexically normalised, not yet resolved."""

    path: str

    @property
    def uri(self) -> str:
        return "file://" + self.path


@dataclass(frozen=True)
class S3Location:
    """An object (or, with an empty key, a whole bucket) in S3."""

    bucket: str
    key: str
    uri: str


Location = LocalLocation | S3Location


def parse(uri: str, cwd: str) -> Location:
    """Parse any accepted form of ``uri``; relative local paths are taken relative to ``cwd``."""
    if not isinstance(uri, str) or not uri.strip():
        raise InvalidInput.one(repr(uri), "is not a storage URI", hint=_FORMS_HINT)
    if "\x00" in uri:
        raise InvalidInput.one(repr(uri), "contains a NUL character", hint=_FORMS_HINT)
    match = _SCHEME.match(uri)
    if match is None:
        return _local(uri, cwd)
    scheme = match["scheme"].lower()
    rest = uri[match.end():]
    if scheme == "file":
        return _file_uri(uri, rest)
    if scheme == "s3":
        return _s3_uri(uri, rest)
    if scheme in ("http", "https"):
        return _s3_web_url(uri)
    raise InvalidInput.one(
        uri,
        f"uses the unsupported scheme {scheme!r}",
        hint=_FORMS_HINT + " (a local file whose name contains ':' can be written as ./NAME)",
    )


def scheme_of(uri: str) -> str | None:
    """The lower-cased scheme of ``uri`` (``s3``, ``file``, ``https``), or None for a plain path."""
    match = _SCHEME.match(uri)
    return None if match is None else match["scheme"].lower()


def normalize(uri: str, cwd: str) -> str:
    """The canonical form of ``uri`` (see the module docstring)."""
    return parse(uri, cwd).uri


def is_s3(uri: str, cwd: str) -> bool:
    return isinstance(parse(uri, cwd), S3Location)


def join(base: Location, *parts: str) -> str:
    """``base`` and ``parts`` joined with exactly one ``/`` between each, whatever their edges hold.

    Empty parts (and parts that are only slashes) are skipped. ``..`` in a part is kept verbatim in
    S3 keys (where it is just two characters) and collapsed when a local URI is next parsed; the
    local store then refuses the result if it lands outside the storage roots.
    """
    pieces = [part.strip("/") for part in parts]
    pieces = [piece for piece in pieces if piece]
    if not pieces:
        return base.uri
    head = base.uri.rstrip("/")
    if isinstance(base, LocalLocation) and base.path == "/":
        head = "file://"
    return "/".join([head, *pieces])


def _local(path: str, cwd: str) -> LocalLocation:
    absolute = os.path.abspath(os.path.join(cwd, os.path.expanduser(path)))
    # POSIX lets a leading "//" mean something special, and abspath keeps it; we never want that.
    return LocalLocation("/" + absolute.lstrip("/"))


def _file_uri(uri: str, rest: str) -> LocalLocation:
    if rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        if authority not in ("", "localhost"):
            raise InvalidInput.one(
                uri,
                f"names the host {authority!r}; file URIs can only name this machine",
                hint="Write file:///absolute/path (three slashes), or a plain path",
            )
        rest = slash + path
    if not rest.startswith("/"):
        raise InvalidInput.one(
            uri,
            "is not an absolute file URI",
            hint="Write file:///absolute/path (three slashes), or a plain relative path without file:",
        )
    return _local(rest, "/")


def _s3_uri(uri: str, rest: str) -> S3Location:
    if not rest.startswith("//"):
        raise InvalidInput.one(uri, "is not a valid s3 URI", hint="Write s3://BUCKET/KEY")
    bucket, _, key = rest[2:].partition("/")
    _check_bucket(uri, bucket)
    return S3Location(bucket, key, "s3:" + rest)


def _s3_web_url(uri: str) -> S3Location:
    parts = urlsplit(uri)
    host = (parts.hostname or "").lower()
    match = _S3_HOST.match(host)
    if match is None:
        raise InvalidInput.one(
            uri,
            "is a web address that is not an S3 object URL; crowdform does not download from the web",
            hint="Copy the file to S3 or under a storage root and use that URI instead",
        )
    path = unquote(parts.path)
    if match["bucket"]:
        bucket, key = match["bucket"], path[1:]
    else:
        bucket, _, key = path[1:].partition("/")
    _check_bucket(uri, bucket)
    return S3Location(bucket, key, f"s3://{bucket}/{key}")


def _check_bucket(uri: str, bucket: str) -> None:
    if not bucket:
        raise InvalidInput.one(uri, "does not name a bucket", hint="Write s3://BUCKET/KEY")
    if not _BUCKET.match(bucket):
        raise InvalidInput.one(
            uri,
            "does not name a valid bucket",
            value=bucket,
            hint="Bucket names hold only letters, digits, '.', '-' and '_'",
        )
