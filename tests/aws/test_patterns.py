"""The service model's patterns (Java regular expressions) read as AWS reads them."""

from __future__ import annotations

from typing import Any

import pytest

from crowdform.aws.patterns import matcher
from crowdform.aws.sagemaker.service import OPERATIONS
from crowdform.aws.service_model import operation_models


def _patterns(shape: Any, seen: set[str]) -> set[str]:
    if shape is None or shape.name in seen:
        return set()
    seen.add(shape.name)
    found = {shape.metadata["pattern"]} if "pattern" in shape.metadata else set()
    children = list(getattr(shape, "members", {}).values())
    children += [getattr(shape, part) for part in ("member", "key", "value") if hasattr(shape, part)]
    for child in children:
        found |= _patterns(child, seen)
    return found


def test_every_pattern_of_the_offered_operations_is_understood() -> None:
    seen: set[str] = set()
    patterns = set()
    for model in operation_models("sagemaker", OPERATIONS).values():
        patterns |= _patterns(model.input_shape, seen) | _patterns(model.output_shape, seen)
    assert len(patterns) > 20 and any("\\p{" in pattern for pattern in patterns)
    for pattern in patterns:
        matcher(pattern)("probe")  # compiles, and runs


@pytest.mark.parametrize("pattern, value, matches", [
    (".+", "one line", True),
    (".+", "two\nlines", False),  # Java's dot stops at every line terminator
    (".+", "carriage\rreturn", False),
    (".+", "line\u2028separator", False),
    (r"\d{12}", "123456789012", True),
    (r"\d{12}", "١٢٣٤٥٦٧٨٩٠١٢", False),  # Java's \d is ASCII
    (r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}", "tone-review", True),
    (r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}", "tone-review-", False),  # the whole value must match
    (r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)", "Équipe 7: a-b_c@d", True),
    (r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)", "", True),
    (r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)", "no<tags>", False),
    (r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+", "data_labelers+€", True),
    (r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+", "two words", False),
    (r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+", "", False),
    (r"[\t\n\r -\uD7FF\uE000-\uFFFD]*", "Title\twith tab", True),
    (r"[\t\n\r -\uD7FF\uE000-\uFFFD]*", "bell\x07", False),
])
def test_java_semantics(pattern: str, value: str, matches: bool) -> None:
    assert matcher(pattern)(value) is matches


def test_a_range_in_a_category_class_is_refused_rather_than_misread() -> None:
    with pytest.raises(ValueError):
        matcher(r"[\p{L}a-z]+")
