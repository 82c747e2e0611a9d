"""Strict, fast JSON for manifest lines: one decoder and one encoder shared by the hot paths.

``json.loads`` and ``json.dumps(..., ensure_ascii=False)`` spend most of their time on a short line
in per-call set-up (argument checks, whitespace regexes, building a new C encoder each call). These
two functions call the C scanner and encoder from the standard library's ``json`` module directly,
with identical results:

* :func:`decode` is ``json.loads`` except that ``NaN``, ``Infinity`` and ``-Infinity`` are
  rejected (they are not JSON). Errors are ``json.JSONDecodeError`` (a ``ValueError``) with the
  usual message and position; a rejected constant is a plain ``ValueError``.
* :func:`encode` is ``json.dumps(value, ensure_ascii=False, allow_nan=False)``: default separators
  ``", "`` and ``": "``, no pretty-printing, non-ASCII characters written as themselves. It does not
  check for circular references (values come from JSON, so they have none).
"""

from __future__ import annotations

import json
import json.encoder
import json.scanner
from typing import Any, Callable, cast


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
#: The C scanner behind :func:`decode`: ``scan(text, 0)`` returns ``(value, end)`` for the JSON value
#: starting at position 0, or raises ``StopIteration`` when there is none there.
# (typeshed types make_scanner as a class whose argument is itself; it takes the decoder.)
scan: Callable[[str, int], tuple[Any, int]] = cast(Any, json.scanner.make_scanner)(_DECODER)
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)


def decode(text: str) -> Any:
    """Parse one JSON text (surrounding whitespace allowed)."""
    try:
        value, end = scan(text, 0)
    except StopIteration:
        # Nothing parseable at position 0 (leading whitespace, or not JSON): the full decoder skips
        # the whitespace or raises its usual error.
        return _DECODER.decode(text)
    if end != len(text):
        return _DECODER.decode(text)  # trailing whitespace is fine; "Extra data" is reported
    return value


def _make_encode() -> Callable[[Any], str]:
    make_encoder = getattr(json.encoder, "c_make_encoder", None)
    if make_encoder is None:  # an interpreter without the C accelerator
        return _ENCODER.encode
    iterencode = make_encoder(
        None,  # no circular-reference markers
        _ENCODER.default,
        json.encoder.encode_basestring,  # ensure_ascii=False
        None,  # indent
        ": ",
        ", ",
        False,  # sort_keys
        False,  # skipkeys
        False,  # allow_nan
    )

    def encode(value: Any) -> str:
        if isinstance(value, str):
            return json.encoder.encode_basestring(value)
        return "".join(iterencode(value, 0))

    return encode


#: Serialise a value exactly as ``json.dumps(value, ensure_ascii=False, allow_nan=False)`` does.
encode: Callable[[Any], str] = _make_encode()


def type_name(value: Any) -> str:
    """The JSON type of a value with its article, for messages: ``"an array"``, ``"null"``, ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a Python {type(value).__name__}"
