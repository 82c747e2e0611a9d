"""Hypothesis strategies for hostile input, shared by the property tests of every parser and request body:
text with lone surrogates, NUL and other controls; numbers past 64 bits, NaN and infinities; deep
nesting; long strings -- beside ordinary values, so that both what must pass and what must be refused
are drawn."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Few examples each, so that the whole fuzz set stays well under a minute in `make test`.
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

hostile_text = st.text(
    alphabet=st.one_of(st.characters(codec="utf-8"), st.sampled_from("\x00\ud800\udbff\udc00\udfff\x7f\u2028")),
    max_size=30,
)
long_text = st.integers(min_value=20_000, max_value=200_000).map(lambda n: "x" * n)
numbers = st.one_of(st.integers(min_value=-(2**80), max_value=2**80), st.floats(allow_nan=True, allow_infinity=True))
scalars = st.none() | st.booleans() | numbers | hostile_text
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(hostile_text, children, max_size=4),
    max_leaves=25,
)


def nested_list(depth: int) -> Any:
    """``[[[...]]]`` ``depth`` levels deep, built without recursion."""
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


deep_values = st.integers(min_value=60, max_value=3000).map(nested_list)
any_values = json_values | deep_values | long_text


def as_json_text(value: Any) -> str | None:
    """JSON text as a hostile client writes it (surrogates and NUL as escapes, NaN as NaN), or None if
    Python cannot write it (nesting past its stack)."""
    try:
        return json.dumps(value, ensure_ascii=True)
    except (ValueError, RecursionError):
        return None


def storable(value: Any) -> None:
    """What a database and a JSON writer accept: UTF-8 text without NUL, finite numbers."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    text.encode("utf-8")
    assert "\\u0000" not in text and "\x00" not in text


def storable_text(text: str) -> None:
    """A message the job log can hold on PostgreSQL: encodable as UTF-8, without NUL."""
    text.encode("utf-8")
    assert "\x00" not in text
