"""crowdform.untrusted: what is refused in data from outside, and that nothing hostile gets through it.

Property-based (hypothesis): whatever JSON text is thrown at :func:`loads` -- lone surrogates, NUL,
deep nesting, huge numbers, long strings, garbage -- it returns a value or raises ``InvalidInput``,
never anything else; and what it returns can be encoded as UTF-8, stored as text by PostgreSQL (no
NUL) and written back as JSON.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crowdform import untrusted
from crowdform.errors import InvalidInput
from tests.hostile import FUZZ, as_json_text, hostile_text, json_values, storable


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(("text", "field", "words"), [
    ('{"v": "\\ud800"}', "answer.v", "lone surrogate (\\ud800)"),
    ('{"v": "a\\u0000"}', "answer.v", "NUL character"),
    ('{"\\u0000": 1}', 'answer["\\u0000"]', "a key that holds the NUL character"),
    ('{"v": [1, 2, {"w": 9223372036854775808}]}', "answer.v[2].w", "beyond 64 bits"),
    ('{"v": 1e400}', "answer.v", "not finite"),
    ('{"v": NaN}', "answer", "NaN is not a JSON number"),
    ('{"v": Infinity}', "answer", "Infinity is not a JSON number"),
    (nested(5000), "answer", "nested more than 64 levels"),
    (nested(65), "answer" + "[0]" * 64, "nested more than 64 levels"),
    ("1" * 5000, "answer", "more than 4,300 digits"),
    ('{"v": ', "answer", "is not valid JSON: Expecting value at line 1 column 7"),
])
def test_loads_refuses_what_no_later_step_can_store_naming_the_place(text: str, field: str, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        untrusted.loads(text, source="POST /x", field="answer")
    [problem] = caught.value.problems
    assert caught.value.source == "POST /x" and problem.field == field and words in problem.message and problem.hint


def test_loads_accepts_the_edges_of_what_is_allowed() -> None:
    value = untrusted.loads(
        '{"smile": "\\ud83d\\ude00", "tab": "a\\tb", "big": 9223372036854775807, "small": -9223372036854775807, '
        '"tiny": 5e-324, "large": 1.7e308, "deep": ' + nested(63) + "}", source="s")
    assert value["smile"] == "\U0001f600" and value["big"] == untrusted.MAX_INTEGER


def test_bytes_must_be_utf8_and_encoded_surrogates_are_not() -> None:
    assert untrusted.loads('{"é": 1}'.encode(), source="s") == {"é": 1}
    for bad in (b'{"a": "\xff"}', b'{"a": "\xed\xa0\x80"}'):  # not UTF-8; a UTF-8-encoded surrogate
        with pytest.raises(InvalidInput, match="is not UTF-8"):
            untrusted.loads(bad, source="s")


def test_string_lengths_are_limited_when_asked() -> None:
    assert untrusted.loads('["abc"]', source="s", max_string=3) == ["abc"]
    with pytest.raises(InvalidInput, match="is 4 characters long; at most 3"):
        untrusted.loads('{"k": ["abcd"]}', source="s", max_string=3)


def test_paths_quote_odd_keys_as_ascii_and_cut_long_ones() -> None:
    hostile = untrusted.find_hostile({"a b": {"x" * 100: "\x00"}})
    assert hostile is not None and hostile.path == '["a b"]["' + "x" * 37 + '..."]'
    assert untrusted.join("answer", "[2].x") == "answer[2].x" and untrusted.join(None, "x") == "x"


@FUZZ
@given(json_values)
def test_find_hostile_passes_only_what_can_be_stored(value: Any) -> None:
    if untrusted.find_hostile(value) is None:
        storable(value)


@FUZZ
@given(json_values)
def test_loads_of_any_json_text_returns_a_storable_value_or_refuses(value: Any) -> None:
    text = as_json_text(value)  # surrogates and NUL travel as escapes, as an attacker sends them
    if text is None:
        return
    try:
        parsed = untrusted.loads(text, source="s")
    except InvalidInput as error:
        str(error).encode("utf-8")  # the refusal itself can always be shown and stored
        return
    storable(parsed)


@FUZZ
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_loads_of_arbitrary_bytes_never_raises_anything_but_invalid_input(data: bytes) -> None:
    try:
        storable(untrusted.loads(data, source="s"))
    except InvalidInput:
        pass


@FUZZ
@given(st.integers(min_value=0, max_value=3000), st.sampled_from(["[", '{"a":']))
def test_any_nesting_depth_is_accepted_up_to_the_limit_and_refused_beyond(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    text = opener * depth + "0" + closer * depth
    if depth <= untrusted.MAX_DEPTH:
        untrusted.loads(text, source="s")
    else:
        with pytest.raises(InvalidInput, match="nested more than 64 levels"):
            untrusted.loads(text, source="s")


@FUZZ
@given(hostile_text)
def test_might_be_hostile_never_misses_what_find_hostile_refuses(text: str) -> None:
    """The screen that lets the manifest reader and the hot path skip the walk is never wrong."""
    for encoded in (json.dumps({"k": [text]}, ensure_ascii=False), json.dumps({"k": [text]}, ensure_ascii=True)):
        if untrusted.find_hostile(json.loads(encoded)) is not None:
            assert untrusted.might_be_hostile(encoded)
