"""The label category configuration file (``LabelCategoryConfigS3Uri``, spec 1.4).

Two spellings of the version key exist: ``document-version`` (``"2018-11-28"``, custom jobs and the
image/text built-ins) and ``documentVersion`` (``"2020-03-01"``, 3D point cloud and video frame
jobs). Both are accepted, as is a file with neither. The whole document is kept as given
(``instructions``, ``shortDisplayName``, ``categoryAttributes``, ... are preserved for templates and
built-ins); only ``labels[].label`` is checked and extracted, in file order, because that order
defines class indexes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from crowdform.errors import InvalidInput, Problem
from crowdform.manifest.codec import type_name

MAX_LABEL_CHARS = 256
VERSION_KEYS = ("document-version", "documentVersion")

# Single- and multi-label image/text classification need at least two labels (1.4); the names are
# the built-in function names without their PRE-/ACS- prefix (see crowdform.groundtruth.arns).
TWO_LABEL_TASKS = frozenset(
    {"ImageMultiClass", "ImageMultiClassMultiLabel", "TextMultiClass", "TextMultiClassMultiLabel"}
)

_EXAMPLE = '{"document-version": "2018-11-28", "labels": [{"label": "cat"}, {"label": "dog"}]}'


@dataclass(frozen=True)
class LabelCategoryConfig:
    labels: tuple[str, ...]
    """The ``label`` strings in file order (the ``labelCategories`` of the post-annotation event)."""
    document: dict[str, Any]
    """The parsed file, unchanged."""

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> LabelCategoryConfig:
        """A file that was checked before (as stored with a job)."""
        return cls(labels=tuple(item["label"] for item in document["labels"]), document=document)

    @property
    def label_objects(self) -> list[dict[str, Any]]:
        """The ``labels`` entries as given (``shortDisplayName`` and the like kept), for named entities."""
        return [item for item in self.document["labels"] if isinstance(item, dict)]

    @property
    def instructions(self) -> dict[str, str] | None:
        """``instructions`` (``shortInstruction``, ``fullInstruction``) when the file has string ones."""
        value = self.document.get("instructions")
        if not isinstance(value, dict):
            return None
        found = {k: v for k, v in value.items() if k in ("shortInstruction", "fullInstruction") and isinstance(v, str)}
        return found or None

    @property
    def audit_label_attribute_name(self) -> str | None:
        """``auditLabelAttributeName``: the label attribute an adjustment or verification job reviews."""
        value = self.document.get("auditLabelAttributeName")
        return value if isinstance(value, str) and value else None


def min_labels_for(task: str | None) -> int:
    """How many labels a task type needs: 2 for image/text classification, else 1 (spec 1.4)."""
    return 2 if task in TWO_LABEL_TASKS else 1


def parse_label_category_config(
    text: str, *, source: str, min_labels: int = 1
) -> LabelCategoryConfig:
    """Parse and check a label category file; every problem is reported in one :class:`InvalidInput`.

    Checks: a JSON object; a string version if one is given; ``labels`` an array of at least
    ``min_labels`` objects, each with a ``label`` string of 1 to 256 characters, all different
    (compared exactly: ``Cat`` and ``cat`` are two labels).
    """
    if text[:1] == "\ufeff":
        text = text[1:]
    try:
        document = json.loads(text)
    except ValueError as exc:
        where = f" at line {exc.lineno}, column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        message = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise InvalidInput.one(
            source,
            f"is not valid JSON: {message}{where}",
            hint=f"A label category file is one JSON object, for example {_EXAMPLE}",
        ) from None
    if not isinstance(document, dict):
        raise InvalidInput.one(
            source,
            f"must be a JSON object, not {type_name(document)}",
            hint=f"For example {_EXAMPLE}",
        )

    problems: list[Problem] = []
    for key in VERSION_KEYS:
        if key in document and not isinstance(document[key], str):
            problems.append(
                Problem(
                    "must be a string",
                    field=key,
                    value=document[key],
                    hint='Use "2018-11-28" (or "2020-03-01" with documentVersion for 3D and video jobs)',
                )
            )

    raw_labels = document.get("labels")
    if raw_labels is None:
        problems.append(
            Problem("is missing", field="labels", hint=f"List the labels, for example {_EXAMPLE}")
        )
        raise InvalidInput(source, problems)
    if not isinstance(raw_labels, list):
        problems.append(
            Problem(
                f"must be an array of objects, not {type_name(raw_labels)}",
                field="labels",
                value=raw_labels,
                hint='Write [{"label": "cat"}, {"label": "dog"}]',
            )
        )
        raise InvalidInput(source, problems)

    labels: list[str] = []
    first_index: dict[str, int] = {}
    for index, item in enumerate(raw_labels):
        where = f"labels[{index}]"
        if isinstance(item, str):
            problems.append(
                Problem(
                    "must be an object with a label key, not a bare string",
                    field=where,
                    value=item,
                    hint=f"Write {json.dumps({'label': item}, ensure_ascii=False)}",
                )
            )
            continue
        if not isinstance(item, dict) or "label" not in item:
            problems.append(
                Problem(
                    "must be an object with a label key",
                    field=where,
                    value=item,
                    hint='Write {"label": "cat"}',
                )
            )
            continue
        label = item["label"]
        if not isinstance(label, str):
            problems.append(
                Problem("must be a string", field=f"{where}.label", value=label, hint='Write "label": "cat"')
            )
            continue
        if not 1 <= len(label) <= MAX_LABEL_CHARS:
            problems.append(
                Problem(
                    f"must have 1 to {MAX_LABEL_CHARS} characters, not {len(label)}",
                    field=f"{where}.label",
                    value=label,
                    hint="Use a shorter, non-empty label",
                )
            )
            continue
        if label in first_index:
            problems.append(
                Problem(
                    f"repeats labels[{first_index[label]}]",
                    field=f"{where}.label",
                    value=label,
                    hint="Every label must be different; remove or rename the repeat",
                )
            )
            continue
        first_index[label] = index
        labels.append(label)

    if len(raw_labels) < min_labels:
        needed = "at least one label" if min_labels == 1 else f"at least {min_labels} labels"
        problems.append(
            Problem(
                f"has {len(raw_labels)} label{'s' if len(raw_labels) != 1 else ''}; this task type needs {needed}",
                field="labels",
                hint="Add labels to the file",
            )
        )
    if problems:
        raise InvalidInput(source, problems)
    return LabelCategoryConfig(labels=tuple(labels), document=document)
