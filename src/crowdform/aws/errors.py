"""An error as an AWS service reports it: a code, a message and an HTTP status."""

from __future__ import annotations


class AwsError(Exception):
    """A refusal in AWS's terms. ``code`` is the error code SDKs raise (``ValidationException``,
    ``NoSuchKey``...); ``sender`` is False when the fault is the server's (query protocol's ``Type``)."""

    def __init__(self, code: str, message: str, status: int = 400, *, sender: bool = True) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.sender = sender

    def __repr__(self) -> str:
        return f"AwsError({self.code!r}, {self.message!r}, {self.status})"
