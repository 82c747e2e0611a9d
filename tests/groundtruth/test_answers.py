"""Answers are stored as canonical JSON text, as Ground Truth's own payloads are (spec 4.9)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from crowdform.errors import InvalidInput
from crowdform.groundtruth.answers import canonical_answer


def test_answer_lines_are_canonical_json() -> None:
    answer = {"b": {"z": 1.0, "y": [2.5, 3.0]}, "a": "Æsop", "c": True, "d": None, "huge": 1e300}
    assert canonical_answer(answer) == '{"a":"Æsop","b":{"y":[2.5,3],"z":1},"c":true,"d":null,"huge":1e+300}'
    assert canonical_answer({}) == "{}"


@pytest.mark.parametrize(("answer", "message"), [
    (["x"], "submission: field 'answer': the answer must be a JSON object (the form's answerContent) (got ['x']). "
            "Send {\"answer\": {...}}"),
    ({"x": math.nan}, "submission: field 'answer': the answer holds NaN or Infinity, which JSON cannot represent. "
                      "Send only finite numbers"),
])
def test_answers_json_cannot_hold_as_a_line_are_refused(answer: Any, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        canonical_answer(answer)
    assert str(caught.value) == message
