"""What crowdform refuses in data from outside, in one place: request bodies, form fields, manifest
lines and hook replies all pass these checks before anything of them is stored.

JSON and Python can hold values that no later step can handle, and each failed far from where it came
in: a lone surrogate (``"\\ud800"``) cannot be encoded as UTF-8, so the database driver raised while
committing a whole group of answers; PostgreSQL refuses NUL in text; JSON nested thousands deep
overflows the parser's stack (``RecursionError``); an integer beyond 4,300 digits cannot be turned back
into text, one beyond 64 bits into a database integer, and ``1e999`` reads as infinity, which JSON
cannot write. :func:`find_hostile` walks a decoded value without recursion and names the first such
place; :func:`loads` parses untrusted JSON text and refuses all of these as
:class:`~crowdform.errors.InvalidInput` (400) naming the field, never as a stray exception.

Pure: the standard library and ``crowdform.errors`` only, so every layer may use it.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from crowdform.errors import InvalidInput

MAX_DEPTH = 64
"""Deepest nesting of arrays and objects accepted. Ground Truth's answers, requests and manifest
lines nest a handful of levels; the limit leaves ample room and stays far from the parser's stack."""
MAX_INTEGER = 2**63 - 1
"""Largest integer magnitude accepted: what a 64-bit database integer and most JSON readers hold."""
MAX_ID = 2**31 - 1
"""Largest id or position a request may name (a log entry's id, a ``datasetObjectId``): they are
32-bit columns on PostgreSQL, which refuses a query comparing one with a larger number."""

_SURROGATE = re.compile("[\ud800-\udfff]")
# Text that may decode to something find_hostile refuses: an escape (\u0000, \ud800), 19 digits in a
# row (an integer beyond 2**63 or a long mantissa) or a three-digit exponent (1e999). Raw NUL is not
# JSON and raw surrogates are checked separately; other text cannot hold anything refused.
_SUSPECT = re.compile(r"\\u|\d{19}|[eE][+-]?\d{3}")
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$-]*")

NUL_HINT = "Remove the NUL character (\\u0000): text may not contain it"
SURROGATE_HINT = ("Send text as valid Unicode: a surrogate escape such as \\ud83d must be followed by its low "
                  "half (\\ude00), or write the character itself")


@dataclass(frozen=True)
class Hostile:
    """Where a value holds something refused, what it is, and how to fix it."""

    path: str
    """The place inside the value, as ``labels[3].name`` (empty for the value itself)."""
    message: str
    hint: str


def text_problem(text: str, *, max_chars: int | None = None) -> tuple[str, str] | None:
    """(message, hint) if ``text`` holds NUL or a lone surrogate or is longer than ``max_chars``, else None."""
    if "\x00" in text:
        return "holds the NUL character (\\u0000)", NUL_HINT
    if not text.isascii() and (found := _SURROGATE.search(text)):
        return f"holds a lone surrogate (\\u{ord(found.group()):04x}), which is not a character", SURROGATE_HINT
    if max_chars is not None and len(text) > max_chars:
        return f"is {len(text):,} characters long; at most {max_chars:,} are allowed", "Send a shorter text"
    return None


def find_hostile(value: Any, *, max_depth: int = MAX_DEPTH, max_string: int | None = None) -> Hostile | None:
    """The first place in a decoded JSON value that crowdform refuses, or None.

    Refused: NUL or a lone surrogate in a string or a key, a string longer than ``max_string``
    characters, nesting deeper than ``max_depth``, an integer beyond :data:`MAX_INTEGER` and a number
    that is not finite (NaN, infinity, or a float literal too large for a double). The walk uses its own
    stack, so no nesting makes it recurse.
    """
    stack: list[tuple[Any, int, tuple[Any, ...]]] = [(value, 0, ())]
    while stack:
        item, depth, trail = stack.pop()
        kind = type(item)
        if kind is str:
            if (problem := text_problem(item, max_chars=max_string)) is not None:
                return Hostile(_path(trail), *problem)
        elif kind is dict or kind is list:
            if depth >= max_depth:
                return Hostile(_path(trail), f"is nested more than {max_depth} levels deep",
                               f"Flatten the data: arrays and objects may nest at most {max_depth} levels")
            if kind is dict:
                for key, child in item.items():
                    if type(key) is str and (problem := text_problem(key, max_chars=max_string)) is not None:
                        message, hint = problem
                        return Hostile(_path((trail, key)), f"has a key that {message}", hint)
                    stack.append((child, depth + 1, (trail, key)))
            else:
                stack.extend((child, depth + 1, (trail, index)) for index, child in enumerate(item))
        elif kind is int:
            if not -MAX_INTEGER <= item <= MAX_INTEGER:
                return Hostile(_path(trail), f"holds an integer beyond 64 bits (more than {MAX_INTEGER:,} either way)",
                               "Send numbers within 64 bits, or large ones as a string")
        elif kind is float and not math.isfinite(item):
            return Hostile(_path(trail), "holds a number that is not finite (NaN, Infinity, or beyond a 64-bit "
                                         "float, such as 1e999)", "Send only finite numbers")
    return None


def might_be_hostile(text: str, *, max_depth: int = MAX_DEPTH) -> bool:
    """A fast screen of JSON text: False means :func:`find_hostile` finds nothing in what it decodes to
    (with no ``max_string`` limit), so the walk can be skipped; True means walk it."""
    return bool(_SUSPECT.search(text) or text.count("[") + text.count("{") > max_depth
                or (not text.isascii() and _SURROGATE.search(text)))


def loads(data: bytes | str, *, source: str, field: str | None = None, max_depth: int = MAX_DEPTH,
          max_string: int | None = None) -> Any:
    """Parse untrusted JSON: the value, or :class:`InvalidInput` naming ``source`` and the field.

    Bytes must be UTF-8. Refused besides malformed JSON: ``NaN`` and ``Infinity``, and whatever
    :func:`find_hostile` refuses (``field`` prefixes the place it names).
    """
    def refuse(message: str, hint: str, path: str = "") -> InvalidInput:
        return InvalidInput.one(source, message, field=join(field, path) or None, hint=hint)

    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise refuse(f"is not UTF-8 (byte 0x{data[exc.start]:02x} at byte {exc.start + 1})",
                         "Send JSON as UTF-8 text") from None
    else:
        text = data
    try:
        value = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise refuse(f"is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                     "Send one JSON value, as application/json") from None
    except RecursionError:
        raise refuse(f"is nested more than {max_depth} levels deep",
                     f"Flatten the data: arrays and objects may nest at most {max_depth} levels") from None
    except ValueError as exc:  # NaN or Infinity, or an integer too long for Python to read
        message = "holds an integer of more than 4,300 digits" if "digits" in str(exc) else f"is not valid JSON: {exc}"
        raise refuse(message, "Send only finite numbers, within 64 bits") from None
    if max_string is not None or might_be_hostile(text, max_depth=max_depth):
        hostile = find_hostile(value, max_depth=max_depth, max_string=max_string)
        if hostile is not None:
            raise refuse(hostile.message, hostile.hint, hostile.path)
    return value


def check(value: Any, *, source: str, field: str | None = None, line: int | None = None,
          max_depth: int = MAX_DEPTH, max_string: int | None = None) -> None:
    """Raise :class:`InvalidInput` naming the first place :func:`find_hostile` refuses in ``value``."""
    hostile = find_hostile(value, max_depth=max_depth, max_string=max_string)
    if hostile is not None:
        raise InvalidInput.one(source, hostile.message, line=line, field=join(field, hostile.path) or None,
                               hint=hostile.hint)


def check_text(text: str, *, source: str, field: str, max_chars: int | None = None) -> None:
    """Raise :class:`InvalidInput` naming ``field`` if ``text`` holds NUL, a lone surrogate, or is too long."""
    problem = text_problem(text, max_chars=max_chars)
    if problem is not None:
        raise InvalidInput.one(source, problem[0], field=field, hint=problem[1])


def join(field: str | None, path: str) -> str:
    """``field`` and a path inside it: ``answer`` + ``labels[0]`` is ``answer.labels[0]``."""
    if not field or not path:
        return field or path
    return f"{field}{path}" if path.startswith("[") else f"{field}.{path}"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _path(trail: tuple[Any, ...]) -> str:
    """``labels[3].name`` from the linked trail ``((((), 'labels'), 3), 'name')``; keys that are not
    plain names are quoted as ASCII JSON, so a path never carries the character it complains of."""
    keys = []
    while trail:
        trail, key = trail
        keys.append(key)
    parts = []
    for key in reversed(keys):
        if type(key) is int:
            parts.append(f"[{key}]")
        elif len(key) <= 40 and _IDENTIFIER.fullmatch(key):
            parts.append(f".{key}" if parts else key)
        else:
            parts.append(f"[{json.dumps(key if len(key) <= 40 else key[:37] + '...')}]")
    return "".join(parts)
