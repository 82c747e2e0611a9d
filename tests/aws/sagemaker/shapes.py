"""Replies checked against the service model's output shapes, member by member, on the raw JSON.

boto3 parses what it knows and drops the rest silently, so checking parsed replies would miss extra
members and wrong types; this walks the JSON the server sent instead: required members present, no
member the model lacks, each value of its shape's type (timestamps as epoch numbers), enums, lengths,
ranges and patterns.
"""

from __future__ import annotations

from typing import Any

from botocore.model import Shape

from crowdform.aws.patterns import matcher
from crowdform.aws.sagemaker.service import LENIENT_PATTERNS

_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "integer": (int,), "long": (int,), "boolean": (bool,),
                                       "float": (int, float), "double": (int, float), "timestamp": (int, float),
                                       "structure": (dict,), "map": (dict,), "list": (list,)}


def reply_problems(shape: Shape | None, document: Any, path: str = "") -> list[str]:
    """Where ``document`` departs from ``shape`` (an empty list when it conforms)."""
    if shape is None:
        return [] if document in ({}, None) else [f"{path or 'reply'}: the operation returns nothing, got {document!r}"]
    kind = shape.type_name
    if not isinstance(document, _TYPES[kind]) or (kind != "boolean" and isinstance(document, bool)):
        return [f"{path}: expected {kind}, got {type(document).__name__} {document!r}"]
    problems: list[str] = []
    if kind == "structure":
        for name in shape.required_members:
            if name not in document:
                problems.append(f"{path}.{name}: required, missing")
        for name, value in document.items():
            member = shape.members.get(name)
            if member is None:
                problems.append(f"{path}.{name}: not a member of {shape.name}")
            else:
                problems += reply_problems(member, value, f"{path}.{name}")
    elif kind == "list":
        problems += _bounds(shape, len(document), path)
        for index, item in enumerate(document):
            problems += reply_problems(shape.member, item, f"{path}[{index}]")
    elif kind == "map":
        for key, value in document.items():
            problems += reply_problems(shape.key, key, f"{path}.<key>") + reply_problems(shape.value, value, f"{path}.{key}")
    elif kind == "string":
        problems += _bounds(shape, len(document), path)
        enum, pattern = shape.metadata.get("enum"), shape.metadata.get("pattern")
        if enum and document not in enum:
            problems.append(f"{path}: {document!r} is not one of {enum}")
        if pattern and shape.name not in LENIENT_PATTERNS and not matcher(pattern)(document):
            problems.append(f"{path}: {document!r} does not match {pattern}")
    elif kind in ("integer", "long", "float", "double"):
        problems += _bounds(shape, document, path)
    return problems


def _bounds(shape: Shape, measure: float, path: str) -> list[str]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and measure < low:
        return [f"{path}: {measure} is below the minimum {low}"]
    if high is not None and measure > high:
        return [f"{path}: {measure} is above the maximum {high}"]
    return []
