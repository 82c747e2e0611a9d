"""Stream an input manifest (JSON Lines) into data objects, collecting every bad line (spec 1.1, 1.2).

:func:`read_manifest` yields each good line as soon as it is parsed, so the caller can insert lines
inside one database transaction while the file streams. Bad lines are not yielded; after the last
line, if there were any, it raises one :class:`~crowdform.errors.InvalidInput` naming the first
``max_problems`` of them (and the total when some are left out), so the caller rolls back and
nothing of the job exists. (A bad line therefore refuses the whole manifest rather than failing
only its object, as Appendix C 2 would have it: a job is never created from half a manifest.)

Rules (spec 1.1 unless stated):

* UTF-8, one JSON object per line; ``\\n`` or ``\\r\\n`` line endings. A UTF-8 byte order mark
  at the start of the first line is ignored.
* Blank or whitespace-only lines are skipped and get no ``datasetObjectId`` (Q1): the id is the
  0-based index among non-empty lines.
* A line is at most 100,000 characters; an attribute value at most 20,000 characters. A string value
  is measured by its length; any other value by the length of its JSON text as the output manifest
  writes it (``json.dumps(value, ensure_ascii=False)``).
* No top-level attribute name may start with ``$``.
* Each object holds ``source-ref`` (a string: the URI of the data) or ``source`` (the data itself).
* ``NaN`` and ``Infinity`` are not JSON and are rejected, and so is whatever
  :mod:`crowdform.untrusted` refuses: NUL (``\\u0000``) or a lone surrogate escape (``\\ud800``) in a
  value or a name, nesting deeper than 64 levels, an integer beyond 64 bits, a number beyond a double.
  (Stored, such a line failed far from here: PostgreSQL refuses NUL in text, a lone surrogate cannot
  be encoded, and the job stayed ``InProgress`` forever.)
* With ``refuse_value`` (the engine passes the storage's check for crowdform's private data folder,
  docs/decisions.md, "What may be served"), every string of the line, nested ones too, is offered to it; a refused one makes
  the line bad, naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from crowdform.untrusted import MAX_DEPTH, find_hostile, might_be_hostile
from crowdform.errors import InvalidInput, Problem
from crowdform.manifest import codec
from crowdform.manifest.codec import type_name

MAX_LINE_CHARS = 100_000
MAX_VALUE_CHARS = 20_000
DEFAULT_MAX_PROBLEMS = 20

# Serialising a non-string JSON value can make it longer than its text in the line, at worst 4.5
# times (the 4 characters ``1e15`` become ``1000000000000000.0``); a string value is never longer
# than its text. So no value of a line this short can exceed MAX_VALUE_CHARS, and the per-value
# check is skipped for it.
_NO_LONG_VALUE_UP_TO = MAX_VALUE_CHARS * 2 // 9

_EXAMPLE_LINE = '{"source-ref": "s3://bucket/images/0001.jpg"}'


@dataclass(frozen=True, slots=True)
class ManifestLine:
    """One data object of a manifest."""

    position: int
    """The ``datasetObjectId``: 0-based index among non-empty lines (Q1)."""
    line_number: int
    """1-based physical line number in the file, for messages."""
    text: str
    """The line as given, without its line terminator; stored and copied unchanged to output."""
    data: dict[str, Any]
    """The parsed JSON object (the ``dataObject`` of the pre-annotation event)."""


ValueCheck = Callable[[str], Problem | None]
"""Looks at one string of a line: a :class:`Problem` (without line or field) if it is refused."""


def read_manifest(
    lines: Iterable[bytes | str],
    *,
    source: str,
    max_problems: int = DEFAULT_MAX_PROBLEMS,
    refuse_value: ValueCheck | None = None,
) -> Iterator[ManifestLine]:
    """Yield the data objects of a manifest; raise :class:`InvalidInput` at the end if any line was bad.

    ``lines`` are the physical lines, as bytes (UTF-8) or text, with or without their terminators
    (iterating a file opened in either mode gives exactly that). ``source`` names the manifest in
    messages. A manifest with no data lines at all also raises. ``refuse_value`` sees every string
    value of every line (see the module docstring).
    """
    problems = _Problems(max_problems)
    position = 0
    line_number = 0
    scan = codec.scan
    decode = codec.decode
    bad = problems.add

    for raw in lines:
        line_number += 1
        if type(raw) is bytes:
            try:
                text = raw.rstrip(b"\r\n").decode()
            except UnicodeDecodeError as exc:
                position += 1
                bad(
                    line_number,
                    f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at byte {exc.start + 1})",
                    hint="Save the manifest as UTF-8 text",
                )
                continue
        elif isinstance(raw, str):
            text = raw.rstrip("\r\n")
        else:
            raise TypeError(f"manifest lines must be bytes or str, not {type(raw).__name__}")
        if line_number == 1 and text[:1] == "\ufeff":
            text = text[1:]
        if not text or text.isspace():
            continue
        this_position = position
        position += 1
        length = len(text)
        if length > MAX_LINE_CHARS:
            bad(
                line_number,
                f"is {length:,} characters long; a manifest line may have at most {MAX_LINE_CHARS:,}",
                hint="Shorten the line, for example by moving large data to a file and referring to "
                "it with source-ref",
            )
            continue
        try:
            # The C scanner directly (see codec.py); codec.decode handles surrounding whitespace
            # and reports errors with their usual messages.
            try:
                data, end = scan(text, 0)
            except StopIteration:
                end = -1
            if end != length:
                data = decode(text)
        except ValueError as exc:
            bad(
                line_number,
                _json_error_message(exc),
                value=_snippet(text),
                hint=_json_error_hint(text),
            )
            continue
        except RecursionError:
            bad(line_number, f"is nested more than {MAX_DEPTH} levels deep",
                hint=f"Flatten the data: arrays and objects may nest at most {MAX_DEPTH} levels")
            continue
        if might_be_hostile(text) and (hostile := find_hostile(data)) is not None:
            bad(line_number, hostile.message, field=hostile.path or None, hint=hostile.hint)
            continue
        if type(data) is not dict:
            bad(
                line_number,
                f"is {type_name(data)}, not an object",
                value=_snippet(text),
                hint=f"Each line must be one JSON object, for example {_EXAMPLE_LINE}",
            )
            continue
        if "source-ref" in data:
            if type(data["source-ref"]) is not str:
                bad(
                    line_number,
                    f"source-ref must be a string (a URI), not {type_name(data['source-ref'])}",
                    field="source-ref",
                    value=data["source-ref"],
                    hint='Write the URI of the data object in quotes, for example "s3://bucket/key.jpg"',
                )
                continue
        elif "source" not in data:
            bad(
                line_number,
                "has neither source-ref nor source",
                value=_snippet(text),
                hint='Add "source-ref" with the URI of the data object, or "source" with the data '
                f"itself (text), for example {_EXAMPLE_LINE}",
            )
            continue
        if ("$" in text or "\\u" in text) and _check_dollar_keys(data, line_number, problems):
            continue
        if length > _NO_LONG_VALUE_UP_TO and _check_value_lengths(data, line_number, problems):
            continue
        if refuse_value is not None and _check_values(data, line_number, problems, refuse_value):
            continue
        yield ManifestLine(this_position, line_number, text, data)

    if problems.total:
        # ``total`` only when some problems are left out (as errors.InvalidInput documents it).
        listed = problems.listed
        raise InvalidInput(source, listed, total=problems.total if problems.total > len(listed) else None)
    if position == 0:
        raise InvalidInput.one(
            source,
            "the manifest has no data lines",
            hint=f"Put one JSON object per line, for example {_EXAMPLE_LINE}",
        )


def is_already_labeled(data: dict[str, Any], label_attribute_name: str) -> bool:
    """True when a line already carries this label: both ``<LAN>`` and ``<LAN>-metadata`` (Q6).

    A chained job reusing the label attribute name skips such lines (spec 2.7).
    """
    return label_attribute_name in data and f"{label_attribute_name}-metadata" in data


class _Problems:
    """The first ``limit`` problems, and how many there were in all."""

    __slots__ = ("limit", "listed", "total")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.listed: list[Problem] = []
        self.total = 0

    def add(
        self, line: int, message: str, *, field: str | None = None, value: Any = None, hint: str
    ) -> None:
        self.total += 1
        if len(self.listed) < self.limit:
            self.listed.append(Problem(message, line=line, field=field, value=value, hint=hint))


def _check_dollar_keys(data: dict[str, Any], line: int, problems: _Problems) -> bool:
    found = False
    for key in data:
        if key.startswith("$"):
            problems.add(
                line,
                "has an attribute name starting with '$'",
                field=key,
                hint="Rename the attribute; names starting with $ are reserved",
            )
            found = True
    return found


def _check_value_lengths(data: dict[str, Any], line: int, problems: _Problems) -> bool:
    found = False
    for key, value in data.items():
        size = len(value) if type(value) is str else len(codec.encode(value))
        if size > MAX_VALUE_CHARS:
            problems.add(
                line,
                f"has a value of {size:,} characters; an attribute value may have at most "
                f"{MAX_VALUE_CHARS:,}",
                field=key,
                hint="Shorten the value, or move the data to a file and refer to it by URI",
            )
            found = True
    return found


def _check_values(data: dict[str, Any], line: int, problems: _Problems, refuse: ValueCheck) -> bool:
    """Offer every string of ``data`` to ``refuse``, in document order; record each refusal with its field."""
    found = False
    pending: list[tuple[str, Any]] = list(reversed(data.items()))  # walked without recursion: depth is the input's
    while pending:
        field, value = pending.pop()
        if type(value) is str:
            problem = refuse(value)
            if problem is not None:
                problems.add(line, problem.message, field=field, value=value, hint=problem.hint or "")
                found = True
        elif type(value) is dict:
            pending.extend((f"{field}.{key}", item) for key, item in reversed(value.items()))
        elif type(value) is list:
            pending.extend((f"{field}[{index}]", value[index]) for index in reversed(range(len(value))))
    return found


def _json_error_message(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"is not valid JSON: {exc.msg} at column {exc.colno}"
    return f"is not valid JSON: {exc}"


def _json_error_hint(text: str) -> str:
    stripped = text.strip()
    if stripped in ("[", "]") or stripped.startswith("[{"):
        return "A manifest is JSON Lines: one object per line, not a JSON array"
    if stripped in ("{", "}", "},", "{},") or stripped.endswith(("{", ",")):
        return (
            "Each object must be complete on one line; the file looks pretty-printed. "
            "Write one compact JSON object per line"
        )
    return f"Each line must be one complete JSON object, for example {_EXAMPLE_LINE}"


def _snippet(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
