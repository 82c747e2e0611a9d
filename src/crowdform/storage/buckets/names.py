"""Which bucket names and keys the embedded store accepts (pure: no I/O).

A bucket is a folder and a key is a path below it, so a name must be one S3 would take *and* one a
file system can hold without surprises: S3's bucket naming rules as written for new buckets today,
and keys whose ``/``-separated parts are real file names. Anything else is refused with an error
naming the value and the rule, never mapped to some other path.
"""

from __future__ import annotations

import re

from crowdform.storage.buckets.errors import InvalidBucketName, InvalidObjectKey, KeyTooLong

MAX_KEY_BYTES = 1024  # S3's own limit
MAX_PART_BYTES = 255  # a file name's limit on every common file system

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP_ADDRESS = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def check_bucket_name(name: str) -> str:
    """``name`` if S3 would create a bucket by that name today, else :class:`InvalidBucketName`."""
    if not _BUCKET.match(name):
        raise InvalidBucketName(name, "must be 3-63 characters of lower-case letters, digits, '.' and '-', "
                                "starting and ending with a letter or digit")
    if ".." in name:
        raise InvalidBucketName(name, "may not hold two periods in a row")
    if _IP_ADDRESS.match(name):
        raise InvalidBucketName(name, "may not be formatted as an IP address")
    if name.startswith(_RESERVED_PREFIXES) or name.endswith(_RESERVED_SUFFIXES):
        raise InvalidBucketName(name, "uses a prefix or suffix that S3 reserves")
    return name


def key_parts(key: str) -> tuple[list[str], bool]:
    """The folders and file name of ``key`` (``a/b/c`` -> ``["a", "b", "c"]``) and whether it is a
    folder marker (``a/b/``, whose parts are the folders ``["a", "b"]``).

    Refused, with :class:`InvalidObjectKey` naming the rule: an empty key, parts that are empty
    (``a//b``, ``/a``), ``.`` or ``..``, longer than 255 bytes, or holding NUL; and with
    :class:`KeyTooLong`, keys over 1024 bytes of UTF-8 as S3 itself refuses them.
    """
    if not key:
        raise InvalidObjectKey(key, "is empty")
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidObjectKey(key, "is not valid Unicode text") from None
    if size > MAX_KEY_BYTES:
        raise KeyTooLong(key, size)
    if "\x00" in key:
        raise InvalidObjectKey(key, "holds a NUL character")
    marker = key.endswith("/")
    parts = (key[:-1] if marker else key).split("/")
    for part in parts:
        if part in ("", ".", ".."):
            shown = "an empty part ('//', or a '/' at the start)" if not part else f"the part {part!r}"
            raise InvalidObjectKey(key, f"has {shown}, which cannot be a file name",
                                   hint="Keys here are paths of files: write them without empty, '.' or '..' parts")
        if len(part.encode("utf-8")) > MAX_PART_BYTES:
            raise InvalidObjectKey(key, f"has a part longer than {MAX_PART_BYTES} bytes ({part[:40]!r}...)",
                                   hint=f"Split long names with '/' so that no part exceeds {MAX_PART_BYTES} bytes")
    return parts, marker
