"""Unique ids for request ids and temporary file names, without a system call each.

``uuid.uuid4()`` asks the kernel for 16 random bytes every time; on the S3 hot path (a request id
and one or two temporary names per request) that was about 5% of a GetObject's time on a busy
machine. Uniqueness is all these ids need: a random per-process prefix, drawn again in a forked
child, and a counter.
"""

from __future__ import annotations

import itertools
import os
import uuid

_prefix = ""
_counter: itertools.count[int] = itertools.count()


def _reseed() -> None:
    global _prefix, _counter
    _prefix = os.urandom(8).hex()
    _counter = itertools.count()


_reseed()
os.register_at_fork(after_in_child=_reseed)


def fresh_hex() -> str:
    """32 hex digits, unique across the processes of this machine (a random prefix and a counter)."""
    return f"{_prefix}{next(_counter):016x}"


def fresh_uuid() -> str:
    """The same, in a UUID's printed form (as AWS's request ids look)."""
    return str(uuid.UUID(hex=fresh_hex()))
