"""The few typed errors every layer raises, and that the API, console and CLI turn into messages.

A message says what was wrong, where, the offending value, and what to do about it. Raw library
exceptions (``KeyError``, SQL errors, ``botocore`` errors) are caught at the layer that knows what
they mean and re-raised as one of these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class CrowdformError(Exception):
    """Base class: ``str(error)`` is a complete sentence fit for a user."""

    status_code = 400
    code = "Error"

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.code, "message": str(self)}


class NotFound(CrowdformError):
    status_code = 404
    code = "ResourceNotFound"


class Forbidden(CrowdformError):
    status_code = 403
    code = "Forbidden"


class Unauthorized(CrowdformError):
    status_code = 401
    code = "Unauthorized"


class Conflict(CrowdformError):
    status_code = 409
    code = "ResourceInUse"


class LimitExceeded(CrowdformError):
    """A request would take a resource past a limit (more than 50 tags on one resource)."""

    status_code = 400
    code = "ResourceLimitExceeded"


class PayloadTooLarge(CrowdformError):
    """A request body over its route's limit, refused before it is read whole."""

    status_code = 413
    code = "PayloadTooLarge"


class TooManyRequests(CrowdformError):
    """Refused for now (too many sign-ins): try again after ``retry_after`` seconds, which the API
    sends as ``Retry-After``. Ground Truth's API names such a refusal ``ThrottlingException``."""

    status_code = 429
    code = "ThrottlingException"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class ServiceUnavailable(TooManyRequests):
    """The server, not the caller, is too busy (sign-ins queued past their limit, the database not
    answering): nothing was done; try again after ``retry_after`` seconds."""

    status_code = 503
    code = "ServiceUnavailable"


@dataclass
class Problem:
    """One thing wrong with an input: where it is, what it holds, and how to fix it."""

    message: str
    line: int | None = None
    field: str | None = None
    value: Any = None
    hint: str | None = None

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field {self.field!r}")
        text = f"{', '.join(where)}: {self.message}" if where else self.message
        if self.value is not None:
            try:
                shown = repr(self.value)  # repr escapes NUL and lone surrogates: a message can always be stored
            except RecursionError:
                shown = "(a value nested too deep to show)"
            text += f" (got {shown if len(shown) <= 80 else shown[:77] + '...'})"
        if self.hint:
            text += f". {self.hint}"
        return text


@dataclass
class InvalidInput(CrowdformError):
    """Bad user input. ``source`` names the input (a file, a request, a flag); ``problems`` the places.

    Raised with one problem for a single bad field, or several (for example the first 20 bad lines
    of a manifest) so a user can fix them all in one go.
    """

    source: str
    problems: list[Problem] = field(default_factory=list)
    total: int | None = None  # how many problems there were in all, when only some are listed

    status_code = 400
    code = "ValidationException"

    def __post_init__(self) -> None:
        super().__init__(str(self))

    @classmethod
    def one(
        cls,
        source: str,
        message: str,
        *,
        line: int | None = None,
        field: str | None = None,
        value: Any = None,
        hint: str | None = None,
    ) -> "InvalidInput":
        return cls(source, [Problem(message, line, field, value, hint)])

    def __str__(self) -> str:
        if len(self.problems) == 1 and not self.total:
            return f"{self.source}: {self.problems[0]}"
        count = self.total if self.total is not None else len(self.problems)
        head = f"{self.source}: {count} problem{'s' if count != 1 else ''}"
        if self.total is not None and self.total > len(self.problems):
            head += f" (the first {len(self.problems)} are listed)"
        return head + "\n" + "\n".join(f"  - {p}" for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": self.code,
            "message": str(self),
            "source": self.source,
            "problems": [
                {k: v for k, v in vars(p).items() if v is not None} for p in self.problems
            ],
        }


class HookError(CrowdformError):
    """A pre- or post-annotation hook failed: crashed, timed out, or replied with something unusable."""

    status_code = 502
    code = "HookFailed"
