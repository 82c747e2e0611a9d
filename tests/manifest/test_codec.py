"""The fast JSON codec gives exactly what json.loads / json.dumps(ensure_ascii=False) give."""

from __future__ import annotations

import json

import pytest

from crowdform.manifest.codec import decode, encode, type_name

SAMPLES = [
    '{"source-ref": "s3://b/img/000001.jpg"}',
    '  {"a": [1, 2.5, -0.0, 1e300, 1E15, true, false, null], "b": {"c": "\\u00e9\\n\\"q\\""}}  ',
    '{"deep": [[[[{"x": [{}]}]]]], "empty": [], "s": ""}',
    '"just a string"',
    "12345678901234567890123",
    "[]",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_decode_matches_json_loads(text: str) -> None:
    assert decode(text) == json.loads(text)


@pytest.mark.parametrize("text", SAMPLES)
def test_encode_matches_json_dumps(text: str) -> None:
    value = json.loads(text)
    assert encode(value) == json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Expecting value"),
        ("   ", "Expecting value"),
        ('{"a": 1} {"b": 2}', "Extra data"),
        ('{"a": 1,}', "Expecting property name"),
        ('{"a": "unterminated}', "Unterminated string"),
    ],
)
def test_decode_errors_are_the_usual_ones(text: str, message: str) -> None:
    with pytest.raises(json.JSONDecodeError, match=message):
        decode(text)


def test_decode_refuses_nan_and_infinity() -> None:
    for constant in ("NaN", "Infinity", "-Infinity"):
        with pytest.raises(ValueError, match=f"{constant} is not valid JSON"):
            decode(f'{{"x": {constant}}}')


def test_encode_refuses_nan_and_non_json_values() -> None:
    with pytest.raises(ValueError):
        encode({"x": float("inf")})
    with pytest.raises(TypeError):
        encode({"x": {1, 2}})


def test_type_names_for_messages() -> None:
    values: tuple[object, ...] = (None, True, 1, 1.5, "s", [], {}, (1,))
    assert [type_name(v) for v in values] == [
        "null", "a boolean", "a number", "a number", "a string", "an array", "an object", "a Python tuple",
    ]
