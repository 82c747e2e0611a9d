"""Label category files (spec 1.4): both version spellings, label rules, Appendix C 5."""

from __future__ import annotations

import json

import pytest

from crowdform.errors import InvalidInput
from crowdform.manifest.label_categories import (
    LabelCategoryConfig,
    min_labels_for,
    parse_label_category_config,
)

NER_FILE = """{
  "document-version": "2018-11-28",
  "labels": [
    {"label": "Person", "shortDisplayName": "per"},
    {"label": "Place", "shortDisplayName": "plc"}
  ],
  "instructions": {
    "shortInstruction": "<p>Highlight people and places.</p>",
    "fullInstruction": "<p>Include titles such as Dr. in the person span.</p>"
  }
}"""


def rejection(text: str, **kwargs: int) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_label_category_config(text, source="labels.json", **kwargs)
    assert caught.value.source == "labels.json"
    return caught.value


def test_the_spec_example_gives_labels_in_file_order() -> None:
    text = json.dumps(
        {"document-version": "2018-11-28",
         "labels": [{"label": "positive"}, {"label": "negative"}, {"label": "mixed"}]}
    )
    config = parse_label_category_config(text, source="labels.json")
    assert config == LabelCategoryConfig(
        labels=("positive", "negative", "mixed"), document=json.loads(text)
    )


def test_the_ner_form_is_preserved_whole() -> None:
    config = parse_label_category_config(NER_FILE, source="labels.json")
    assert config.labels == ("Person", "Place")
    assert config.document["instructions"]["shortInstruction"] == "<p>Highlight people and places.</p>"
    assert config.document["labels"][0]["shortDisplayName"] == "per"


def test_the_3d_and_video_form_with_document_version_is_accepted() -> None:
    text = json.dumps({
        "documentVersion": "2020-03-01",
        "labels": [{"label": "Car", "categoryAttributes": [{"name": "Color", "type": "string",
                                                              "enum": ["Red", "Blue"]}]},
                   {"label": "Pedestrian", "editsAllowed": "none"}],
        "annotationType": "BoundingBox",
        "frameAttributes": [{"name": "Weather", "type": "string", "description": "sky"}],
    })
    config = parse_label_category_config(text, source="labels.json")
    assert config.labels == ("Car", "Pedestrian")
    assert config.document["annotationType"] == "BoundingBox"


def test_a_file_without_a_version_key_is_accepted() -> None:
    assert parse_label_category_config('{"labels": [{"label": "a"}]}', source="l").labels == ("a",)


def test_a_byte_order_mark_is_ignored() -> None:
    assert parse_label_category_config('\ufeff{"labels": [{"label": "a"}]}', source="l").labels == ("a",)


def test_duplicate_labels_are_rejected_naming_the_first() -> None:
    """Appendix C 5."""
    error = rejection('{"labels": [{"label": "cat"}, {"label": "dog"}, {"label": "cat"}]}')
    (problem,) = error.problems
    assert problem.field == "labels[2].label"
    assert problem.value == "cat"
    assert problem.message == "repeats labels[0]"
    assert problem.hint and "must be different" in problem.hint


def test_labels_differing_in_case_are_different_labels() -> None:
    config = parse_label_category_config('{"labels": [{"label": "Cat"}, {"label": "cat"}]}', source="l")
    assert config.labels == ("Cat", "cat")


def test_classification_needs_two_labels() -> None:
    """Appendix C 5: fewer than two labels are rejected for single/multi-label image/text classification."""
    assert [min_labels_for(t) for t in ("ImageMultiClass", "TextMultiClassMultiLabel", "BoundingBox", None)] == [
        2, 2, 1, 1,
    ]
    error = rejection('{"labels": [{"label": "only"}]}', min_labels=min_labels_for("TextMultiClass"))
    (problem,) = error.problems
    assert problem.field == "labels"
    assert problem.message == "has 1 label; this task type needs at least 2 labels"
    assert parse_label_category_config('{"labels": [{"label": "only"}]}', source="l").labels == ("only",)


def test_an_empty_label_list_is_rejected() -> None:
    error = rejection('{"document-version": "2018-11-28", "labels": []}')
    assert error.problems[0].message == "has 0 labels; this task type needs at least one label"


def test_label_length_is_1_to_256_characters() -> None:
    ok = parse_label_category_config(json.dumps({"labels": [{"label": "x" * 256}]}), source="l")
    assert ok.labels == ("x" * 256,)
    error = rejection(json.dumps({"labels": [{"label": "y" * 257}, {"label": ""}]}))
    assert [(p.field, p.message) for p in error.problems] == [
        ("labels[0].label", "must have 1 to 256 characters, not 257"),
        ("labels[1].label", "must have 1 to 256 characters, not 0"),
    ]


def test_every_problem_is_reported_at_once() -> None:
    error = rejection(json.dumps({
        "document-version": 20181128,
        "labels": ["cat", {"name": "dog"}, {"label": 3}, {"label": "ok"}],
    }))
    assert [(p.field, p.message) for p in error.problems] == [
        ("document-version", "must be a string"),
        ("labels[0]", "must be an object with a label key, not a bare string"),
        ("labels[1]", "must be an object with a label key"),
        ("labels[2].label", "must be a string"),
    ]
    assert error.problems[1].hint == 'Write {"label": "cat"}'


def test_missing_or_malformed_labels() -> None:
    assert rejection('{"document-version": "2018-11-28"}').problems[0].field == "labels"
    error = rejection('{"labels": {"label": "cat"}}')
    assert (error.problems[0].field, error.problems[0].message) == (
        "labels", "must be an array of objects, not an object",
    )


def test_not_json_or_not_an_object() -> None:
    error = rejection('{"labels": [}')
    assert error.problems[0].message.startswith("is not valid JSON: ")
    assert "line 1, column 13" in error.problems[0].message
    assert error.problems[0].hint and "document-version" in error.problems[0].hint
    assert rejection('[{"label": "a"}]').problems[0].message == "must be a JSON object, not an array"
