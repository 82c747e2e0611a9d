"""The embedded store's refusals: crowdform's typed errors, each carrying the S3 error code it is.

The engine sees ``NotFound``, ``Conflict`` and ``InvalidInput`` as from any store; the S3 API sends
``code`` and ``status_code`` to its clients as they are (``NoSuchKey``, ``BucketNotEmpty``...).
"""

from __future__ import annotations

from crowdform.errors import Conflict, CrowdformError, InvalidInput, NotFound, Problem

RULES_HINT = "See 'Keys in the embedded S3 store' in docs/decisions.md"


class NoSuchBucket(NotFound):
    code = "NoSuchBucket"

    def __init__(self, bucket: str) -> None:
        super().__init__(f"The bucket {bucket!r} does not exist. Create it first (boto3: create_bucket; "
                         f"aws s3 mb s3://{bucket}).")
        self.bucket = bucket


class NoSuchKey(NotFound):
    code = "NoSuchKey"

    def __init__(self, bucket: str, key: str) -> None:
        super().__init__(f"s3://{bucket}/{key} does not exist (the bucket has no object with that key)")


class NoSuchUpload(NotFound):
    code = "NoSuchUpload"

    def __init__(self, upload_id: str) -> None:
        super().__init__(f"The multipart upload {upload_id!r} does not exist: it was completed or aborted, "
                         "or the upload id, bucket or key is wrong.")


class BucketAlreadyOwnedByYou(Conflict):
    code = "BucketAlreadyOwnedByYou"

    def __init__(self, bucket: str) -> None:
        super().__init__(f"The bucket {bucket!r} exists already (and it is yours).")


class BucketNotEmpty(Conflict):
    code = "BucketNotEmpty"

    def __init__(self, bucket: str) -> None:
        super().__init__(f"The bucket {bucket!r} is not empty: delete its objects first.")


class _Refused(InvalidInput):
    """An input S3 would name by ``code``; ``source`` is the offending name itself."""

    def __init__(self, source: str, message: str, hint: str | None = RULES_HINT) -> None:
        super().__init__(source, [Problem(message, hint=hint)])


class InvalidBucketName(_Refused):
    code = "InvalidBucketName"

    def __init__(self, bucket: str, rule: str) -> None:
        super().__init__(f"bucket name {bucket!r}", rule, "S3's bucket naming rules apply")


class InvalidObjectKey(_Refused):
    code = "InvalidArgument"

    def __init__(self, key: str, rule: str, hint: str | None = RULES_HINT) -> None:
        super().__init__(f"key {key!r}", rule, hint)


class KeyTooLong(_Refused):
    code = "KeyTooLongError"

    def __init__(self, key: str, size: int) -> None:
        super().__init__(f"key {key[:60]!r}...", f"is {size} bytes long; S3 keys are at most 1024 bytes of UTF-8")


class KeyConflict(_Refused):
    """A key that would be a file where a folder of other keys is, or the other way round."""

    code = "InvalidArgument"

    def __init__(self, bucket: str, key: str, reason: str) -> None:
        super().__init__(f"s3://{bucket}/{key}", f"cannot be stored: {reason}",
                         "In the embedded store a key cannot be both an object and a folder of other keys "
                         "(delete one of them, or use another key)")


class InvalidPart(_Refused):
    code = "InvalidPart"

    def __init__(self, message: str) -> None:
        super().__init__("CompleteMultipartUpload", message, None)


class InvalidPartOrder(_Refused):
    code = "InvalidPartOrder"

    def __init__(self, message: str) -> None:
        super().__init__("CompleteMultipartUpload", message, "List the parts in ascending order of PartNumber")


class EntityTooSmall(_Refused):
    code = "EntityTooSmall"

    def __init__(self, part_number: int, size: int, minimum: int) -> None:
        super().__init__("CompleteMultipartUpload",
                         f"part {part_number} is {size} bytes; every part but the last must be at least "
                         f"{minimum} bytes", None)


class BadDigest(_Refused):
    code = "BadDigest"

    def __init__(self, source: str, message: str) -> None:
        super().__init__(source, message, None)


class PreconditionFailed(CrowdformError):
    """A conditional request whose condition does not hold (If-Match, If-None-Match...)."""

    status_code = 412
    code = "PreconditionFailed"

    def __init__(self, condition: str) -> None:
        super().__init__(f"At least one of the pre-conditions you specified did not hold ({condition}).")
