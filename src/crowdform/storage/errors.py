"""The one storage-specific error: the storage itself failed, not the caller's input.

A missing object is :class:`~crowdform.errors.NotFound`, a refused path or bad URI is
:class:`~crowdform.errors.InvalidInput`, refused credentials are :class:`~crowdform.errors.Forbidden`.
What is left -- S3 unreachable, a disk full, an unexpected S3 error code -- is this, so that no raw
``OSError`` or ``botocore`` exception reaches a user.
"""

from __future__ import annotations

from crowdform.errors import CrowdformError


class StorageError(CrowdformError):
    """Local disk or S3 failed; the message names the URI and what the store said."""

    status_code = 502
    code = "StorageError"
