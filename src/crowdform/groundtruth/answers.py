"""A worker's answer as Ground Truth stores it: canonical JSON text (crowd-elements spec 4.9).

Real Ground Truth payloads have keys sorted at every level, compact separators, whole pixel values
as integers (``401``, not ``401.0``) and non-ASCII text as UTF-8. Consumers sometimes compare or
diff the raw strings (``annotationData.content``), so every answer is stored in that form once, when
it is submitted, and written to files as stored.
"""

from __future__ import annotations

import json
from typing import Any

from crowdform.errors import InvalidInput

_SAFE_INTEGER = 2**53  # beyond this a float is not an exact integer in JavaScript either


def canonical_answer(answer: Any) -> str:
    """The answer (the form's ``answerContent``) as one line of canonical JSON."""
    if not isinstance(answer, dict):
        raise InvalidInput.one("submission", "the answer must be a JSON object (the form's answerContent)",
                               field="answer", value=answer, hint='Send {"answer": {...}}')
    try:
        return json.dumps(_integral(answer), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False)
    except ValueError:
        raise InvalidInput.one("submission", "the answer holds NaN or Infinity, which JSON cannot represent",
                               field="answer", hint="Send only finite numbers") from None


def _integral(value: Any) -> Any:
    """``value`` with whole floats (``401.0``) as integers, at every level."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= _SAFE_INTEGER:
        return int(value)
    if isinstance(value, dict):
        return {key: _integral(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integral(item) for item in value]
    return value
