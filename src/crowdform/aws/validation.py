"""Check a JSON request against its operation's input shape in botocore's service model, as AWS does.

botocore checks little before it sends (required members, types, minimums), and a raw request checks
nothing; the service checks the rest. So does this module, with AWS's words: a value of the wrong
type is a ``SerializationException`` naming where it is; broken constraints (missing members,
lengths, ranges, patterns, enums) are one ``ValidationException`` listing each of them the way AWS
does (``1 validation error detected: Value 'x' at 'labelingJobName' failed to satisfy constraint:
Member must satisfy regular expression pattern: ...``), paths in AWS's lower camel case with
1-based list positions (``tags.1.member.key``).

On top of the model: integers must fit Java's ``int`` (or ``long``), numbers must be finite, and no
string may hold NUL or an unpaired surrogate (text no database column or UTF-8 reply can carry).
Members the model does not know are refused with the nearest known name, as boto3 itself does.
"""

from __future__ import annotations

import difflib
import math
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from crowdform.aws.errors import AwsError
from crowdform.aws.patterns import matcher

MAX_LISTED = 20  # violations listed in one message; the count says how many there were
_SHOWN_CHARS = 100
_INTEGER_BITS = {"integer": 32, "long": 64}
_JSON_TYPES = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
               float: "a number", type(None): "null"}


def validate(shape: Shape, request: Any, *, lenient_patterns: frozenset[str] = frozenset()) -> None:
    """Raise :class:`AwsError` unless ``request`` satisfies ``shape``; ``lenient_patterns`` names
    string shapes whose pattern is not enforced (where crowdform accepts more than AWS)."""
    checker = _Checker(lenient_patterns)
    checker.check(shape, request, "")
    if checker.violations:
        count = len(checker.violations)
        listed = "; ".join(checker.violations[:MAX_LISTED])
        more = f" (the first {MAX_LISTED} are listed)" if count > MAX_LISTED else ""
        raise AwsError("ValidationException",
                       f"{count} validation error{'s' if count != 1 else ''} detected{more}: {listed}")


class _Checker:
    def __init__(self, lenient_patterns: frozenset[str]) -> None:
        self.lenient_patterns = lenient_patterns
        self.violations: list[str] = []

    def check(self, shape: Shape, value: Any, path: str) -> None:
        kind = shape.type_name
        if kind == "structure":
            self._structure(shape, value, path)  # type: ignore[arg-type]
        elif kind == "list":
            self._list(shape, value, path)  # type: ignore[arg-type]
        elif kind == "map":
            self._map(shape, value, path)  # type: ignore[arg-type]
        elif kind == "string":
            self._string(shape, value, path)
        elif kind in _INTEGER_BITS:
            self._integer(shape, value, path)
        elif kind in ("float", "double", "timestamp"):
            self._number(shape, value, path)
        elif kind == "boolean":
            _expect(isinstance(value, bool), value, path, "a boolean")
        else:  # blobs and documents appear in no operation crowdform offers
            raise AwsError("SerializationException", f"crowdform cannot read a {kind} value at '{path}'")

    def _structure(self, shape: StructureShape, value: Any, path: str) -> None:
        _expect(isinstance(value, dict), value, path, "an object")
        for name, member in shape.members.items():
            here = _join(path, name)
            if value.get(name) is None:
                if name in shape.required_members:
                    self.violations.append(f"Value null at '{here}' failed to satisfy constraint: Member must not be null")
                continue
            self.check(member, value[name], here)
        for name in value:
            if name not in shape.members:
                guess = difflib.get_close_matches(str(name), list(shape.members), n=1, cutoff=0.6)
                hint = f"; did you mean '{guess[0]}'?" if guess else f"; known members: {', '.join(shape.members)}"
                where = f" at '{path}'" if path else ""
                self.violations.append(f"Member {_shown(name)}{where} is not a member of {shape.name}{hint}")

    def _list(self, shape: ListShape, value: Any, path: str) -> None:
        _expect(isinstance(value, list), value, path, "a list")
        self._bounds(shape, len(value), path, f"[{len(value)} items]", "length")
        for index, item in enumerate(value, start=1):
            self.check(shape.member, item, f"{path}.{index}.member")

    def _map(self, shape: MapShape, value: Any, path: str) -> None:
        _expect(isinstance(value, dict), value, path, "an object")
        self._bounds(shape, len(value), path, f"{{{len(value)} entries}}", "length")
        for key, item in value.items():
            self.check(shape.key, key, f"{path}.key")
            self.check(shape.value, item, f"{path}.{key}.value" if isinstance(key, str) else path)

    def _string(self, shape: Shape, value: Any, path: str) -> None:
        _expect(isinstance(value, str), value, path, "a string")
        if "\x00" in value or _has_lone_surrogate(value):
            self.violations.append(f"Value at '{path}' failed to satisfy constraint: Member must not contain "
                                   "NUL characters or unpaired surrogates")
            return
        self._bounds(shape, len(value), path, _shown(value), "length")
        enum = shape.metadata.get("enum")
        if enum and value not in enum:
            self.violations.append(f"Value {_shown(value)} at '{path}' failed to satisfy constraint: Member must "
                                   f"satisfy enum value set: [{', '.join(enum)}]")
        pattern = shape.metadata.get("pattern")
        if pattern and shape.name not in self.lenient_patterns and not matcher(pattern)(value):
            self.violations.append(f"Value {_shown(value)} at '{path}' failed to satisfy constraint: Member must "
                                   f"satisfy regular expression pattern: {pattern}")

    def _integer(self, shape: Shape, value: Any, path: str) -> None:
        _expect(isinstance(value, int) and not isinstance(value, bool), value, path, "an integer")
        bits = _INTEGER_BITS[shape.type_name]
        if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
            raise AwsError("SerializationException", f"The value at '{path}' does not fit a {bits}-bit "
                           f"{shape.type_name}: {_shown(value)}")
        self._bounds(shape, value, path, _shown(value), "value")

    def _number(self, shape: Shape, value: Any, path: str) -> None:
        what = "epoch seconds" if shape.type_name == "timestamp" else "a number"
        _expect(isinstance(value, (int, float)) and not isinstance(value, bool), value, path, what)
        if not math.isfinite(value):
            raise AwsError("SerializationException", f"The value at '{path}' must be a finite number")
        self._bounds(shape, value, path, _shown(value), "value")

    def _bounds(self, shape: Shape, measure: float, path: str, shown: str, what: str) -> None:
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if low is not None and measure < low:
            self.violations.append(f"Value {shown} at '{path}' failed to satisfy constraint: Member must have "
                                   f"{what} greater than or equal to {low}")
        if high is not None and measure > high:
            self.violations.append(f"Value {shown} at '{path}' failed to satisfy constraint: Member must have "
                                   f"{what} less than or equal to {high}")


def _expect(ok: bool, value: Any, path: str, expected: str) -> None:
    if not ok:
        got = _JSON_TYPES.get(type(value), type(value).__name__)
        raise AwsError("SerializationException", f"The value at '{path or 'the request'}' must be {expected}, "
                       f"not {got}")


def _join(path: str, member: str) -> str:
    name = member[:1].lower() + member[1:]
    return f"{path}.{name}" if path else name


def _shown(value: Any) -> str:
    """A value as an error message quotes it: at most 100 characters, unpaired surrogates escaped."""
    text = str(value)
    if len(text) > _SHOWN_CHARS:
        text = text[:_SHOWN_CHARS] + f"... ({len(text)} characters)"
    return "'" + text.encode("utf-8", "backslashreplace").decode("utf-8") + "'"


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
