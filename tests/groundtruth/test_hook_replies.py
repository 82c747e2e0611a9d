"""Hook replies: pre-annotation (spec 3.3, Q8, Q9; Appendix C 7) and consolidation (6.4, Q18, Appendix B)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from crowdform.errors import InvalidInput
from crowdform.groundtruth.hook_replies import (
    MAX_TASK_INPUT_CHARS,
    PostHookResult,
    PreHookResult,
    parse_post_hook_reply,
    parse_pre_hook_reply,
    quote,
)

SPEC_3_7_RESPONSE: dict[str, Any] = {
    "taskInput": {
        "taskObject": "s3://acme-scans/receipts/000173.png",
        "prompt": "Type the total amount printed on the receipt (EUR).",
        "store": "Kiosk 4",
    },
    "isHumanAnnotationRequired": True,
}


def pre_rejection(reply: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_pre_hook_reply(reply, source="pre-hook reply for object 7")
    assert caught.value.source == "pre-hook reply for object 7"
    assert len(caught.value.problems) == 1
    return caught.value


# --- pre-annotation -------------------------------------------------------------------------------


def test_the_spec_example_reply() -> None:
    result = parse_pre_hook_reply(SPEC_3_7_RESPONSE, source="s")
    assert result == PreHookResult(task_input=SPEC_3_7_RESPONSE["taskInput"], human_annotation_required=True)


@pytest.mark.parametrize("flag", [False, "false", "False", "FALSE"])
def test_false_in_any_form_suppresses_human_work(flag: object) -> None:
    """Appendix C 7."""
    result = parse_pre_hook_reply({"taskInput": {"a": 1}, "isHumanAnnotationRequired": flag}, source="s")
    assert result.human_annotation_required is False


@pytest.mark.parametrize("flag", [True, "true", "True", "TRUE"])
def test_true_in_any_form(flag: object) -> None:
    result = parse_pre_hook_reply({"taskInput": {}, "isHumanAnnotationRequired": flag}, source="s")
    assert result.human_annotation_required is True


def test_a_missing_or_null_flag_means_true() -> None:
    """Appendix C 7."""
    assert parse_pre_hook_reply({"taskInput": {}}, source="s").human_annotation_required is True
    assert parse_pre_hook_reply({"taskInput": {}, "isHumanAnnotationRequired": None},
                                source="s").human_annotation_required is True


def test_the_alias_is_accepted_and_the_is_form_wins() -> None:
    """Q8."""
    assert parse_pre_hook_reply({"taskInput": {}, "humanAnnotationRequired": "false"},
                                source="s").human_annotation_required is False
    both = {"taskInput": {}, "humanAnnotationRequired": False, "isHumanAnnotationRequired": True}
    assert parse_pre_hook_reply(both, source="s").human_annotation_required is True


def test_extra_keys_are_ignored() -> None:
    result = parse_pre_hook_reply({"taskInput": {"x": 1}, "debug": [1, 2], "statusCode": 200}, source="s")
    assert result.task_input == {"x": 1}


def test_task_input_may_be_left_out_only_when_no_human_is_needed() -> None:
    assert parse_pre_hook_reply({"isHumanAnnotationRequired": "false"}, source="s").task_input == {}
    error = pre_rejection({"isHumanAnnotationRequired": True})
    (problem,) = error.problems
    assert problem.field == "taskInput"
    assert problem.message == 'the reply has no taskInput; the hook replied {"isHumanAnnotationRequired": true}'
    assert problem.hint and "taskInput" in problem.hint


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (["taskInput"], 'the reply must be a JSON object; the hook replied ["taskInput"]'),
        (None, "the reply must be a JSON object; the hook replied null"),
        ({"taskInput": "text"}, 'taskInput must be a JSON object, not a string; the hook replied {"taskInput": "text"}'),
        ({"taskInput": {}, "isHumanAnnotationRequired": "no"},
         'isHumanAnnotationRequired must be true or false; the hook replied '
         '{"taskInput": {}, "isHumanAnnotationRequired": "no"}'),
        ({"taskInput": {}, "humanAnnotationRequired": 0},
         'humanAnnotationRequired must be true or false; the hook replied {"taskInput": {}, "humanAnnotationRequired": 0}'),
    ],
)
def test_unusable_replies_are_quoted(reply: Any, message: str) -> None:
    assert pre_rejection(reply).problems[0].message == message


def test_task_input_size_limit_is_128000_characters_serialised() -> None:
    """Q9."""
    def reply_of(size: int) -> dict[str, Any]:
        filler = size - len(json.dumps({"t": ""}))
        return {"taskInput": {"t": "x" * filler}}

    assert len(json.dumps(reply_of(MAX_TASK_INPUT_CHARS)["taskInput"])) == MAX_TASK_INPUT_CHARS
    assert parse_pre_hook_reply(reply_of(MAX_TASK_INPUT_CHARS), source="s").task_input
    error = pre_rejection(reply_of(MAX_TASK_INPUT_CHARS + 1))
    problem = error.problems[0]
    assert problem.field == "taskInput"
    assert "is 128,001 characters serialised; at most 128,000" in problem.message
    assert len(problem.message) < 800  # the reply is quoted, cut short
    assert problem.hint and "file" in problem.hint


def test_task_input_must_hold_json_values() -> None:
    error = pre_rejection({"taskInput": {"score": float("nan")}})
    assert "is not finite" in error.problems[0].message and error.problems[0].field == "taskInput.score"
    error = pre_rejection({"taskInput": {"when": object()}})
    assert error.problems[0].field == "taskInput"


def test_quote_cuts_long_replies_and_copes_with_non_json() -> None:
    assert quote({"a": "é"}) == '{"a": "é"}'
    long = quote({"k": "v" * 2_000})
    assert len(long) == 500 and long.endswith("...")
    assert quote({"s": {1}}) == '{"s": "{1}"}'


# --- consolidation --------------------------------------------------------------------------------

LAN = "receipt-totals"


def post(reply: Any, expected: list[str] | None = None) -> PostHookResult:
    return parse_post_hook_reply(reply, label_attribute_name=LAN, expected_ids=expected or ["173"],
                                 source="post-hook reply")


def post_rejection(reply: Any, expected: list[str] | None = None) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        post(reply, expected)
    assert caught.value.source == "post-hook reply"
    return caught.value


def entry(object_id: Any, content: Any) -> dict[str, Any]:
    return {"datasetObjectId": object_id, "consolidatedAnnotation": {"content": content}}


def test_the_spec_6_4_example() -> None:
    reply = [entry("173", {LAN: {"total": "18.40", "agreement": 1.0}})]
    result = post(reply)
    assert result == PostHookResult(labels={"173": {LAN: {"total": "18.40", "agreement": 1.0}}}, warnings=[])


def test_supplied_metadata_is_kept() -> None:
    """Built-in style consolidators put <LAN>-metadata in content (spec 6.4 [O])."""
    metadata = {"class-name": "legible", "confidence": 0.95}
    result = post([entry("173", {LAN: 0, f"{LAN}-metadata": metadata})])
    assert result.labels == {"173": {LAN: 0, f"{LAN}-metadata": metadata}}


def test_integer_ids_are_accepted() -> None:
    """Appendix B: datasetObjectId may be an integer."""
    result = post([entry(173, {LAN: "x"}), entry(5, {LAN: "y"})], expected=["5", "173"])
    assert result.labels == {"173": {LAN: "x"}, "5": {LAN: "y"}}
    assert result.warnings == []


def test_a_content_that_is_not_an_object_is_the_label() -> None:
    result = post([entry("173", "legible"), entry("4", [1, 2])], expected=["173", "4"])
    assert result.labels == {"173": {LAN: "legible"}, "4": {LAN: [1, 2]}}
    assert result.warnings == [f"content was not an object for datasetObjectId 173, 4; it was taken as the '{LAN}' label"]


def test_any_json_value_may_be_the_label() -> None:
    result = post([entry("0", {LAN: None}), entry("1", {LAN: False}), entry("2", {LAN: {}})],
                  expected=["0", "1", "2"])
    assert result.labels == {"0": {LAN: None}, "1": {LAN: False}, "2": {LAN: {}}}


def test_repeated_ids_last_one_wins_with_a_warning() -> None:
    result = post([entry("173", {LAN: "first"}), entry(173, {LAN: "second"})])
    assert result.labels == {"173": {LAN: "second"}}
    assert result.warnings == ["several entries for datasetObjectId 173; the last one of each was used"]


def test_ids_not_in_the_request_are_ignored_with_a_warning() -> None:
    result = post([entry("173", {LAN: 1}), entry("999", {LAN: 2})])
    assert result.labels == {"173": {LAN: 1}}
    assert result.warnings == ["ignored entries for objects not in this request: datasetObjectId 999"]


def test_extra_content_keys_are_ignored_with_one_warning() -> None:
    """Q18: only <LAN> and <LAN>-metadata are merged."""
    result = post([entry("173", {LAN: 1, "debug": 2, "score": 3}), entry("4", {LAN: 1, "debug": 0})],
                  expected=["173", "4"])
    assert result.labels == {"173": {LAN: 1}, "4": {LAN: 1}}
    assert result.warnings == [f"content keys other than '{LAN}' and '{LAN}-metadata' were ignored: debug, score"]


def test_metadata_that_is_not_an_object_is_dropped() -> None:
    result = post([entry("173", {LAN: 1, f"{LAN}-metadata": "high"})])
    assert result.labels == {"173": {LAN: 1}}
    assert result.warnings == [f"{LAN}-metadata was not an object for datasetObjectId 173; it was ignored"]


def test_missing_objects_are_named() -> None:
    """Q18: objects left out of the reply are the caller's to fail; the warning names them."""
    expected = [str(i) for i in range(15)]
    result = post([entry("3", {LAN: 1})], expected=expected)
    assert result.labels == {"3": {LAN: 1}}
    assert result.warnings == ["no label for datasetObjectId 0, 1, 2, 4, 5, 6, 7, 8, 9, 10 and 4 more"]


def test_unusable_entries_are_skipped_when_others_are_usable() -> None:
    reply = [
        entry("0", {LAN: "good"}),
        "not an entry",
        {"consolidatedAnnotation": {"content": {LAN: 1}}},
        entry(True, {LAN: 1}),
        {"datasetObjectId": "1"},
        entry("2", {"wrong-name": 1}),
        entry("3", {LAN: float("nan")}),
        entry("4", None),
    ]
    result = post(reply, expected=["0", "1", "2", "3", "4"])
    assert result.labels == {"0": {LAN: "good"}}
    warnings = result.warnings
    assert warnings[:5] == [
        "entry 1 is a string, not an object; skipped",
        "entry 2 has no datasetObjectId; skipped",
        "entry 3 has a datasetObjectId that is a boolean; skipped",
        "entry 4 (datasetObjectId '1') has no consolidatedAnnotation.content; skipped",
        f"entry 5 (datasetObjectId '2') has no '{LAN}' in its content (its keys: wrong-name); skipped",
    ]
    assert warnings[5].startswith("entry 6 (datasetObjectId '3'): the label holds a number that is not finite")
    assert warnings[5].endswith("; skipped")
    assert warnings[6] == "entry 7 (datasetObjectId '4') has no consolidatedAnnotation.content; skipped"
    assert len(warnings) == 8
    assert result.warnings[-1] == "no label for datasetObjectId 1, 2, 3, 4"


@pytest.mark.parametrize("reply", [{"datasetObjectId": "173"}, "[]", None, 42])
def test_a_reply_that_is_not_an_array_is_refused_and_quoted(reply: Any) -> None:
    error = post_rejection(reply)
    (problem,) = error.problems
    assert problem.message.startswith("the reply must be a JSON array, not ")
    assert problem.message.endswith(f"; the hook replied {quote(reply)}")
    assert problem.hint and '"consolidatedAnnotation"' in problem.hint and LAN in problem.hint


def test_a_reply_that_labels_nothing_is_refused_with_every_reason() -> None:
    reply = [entry("173", {"wrong-lan": {"total": "18.40"}}), entry("12", {LAN: 1})]
    error = post_rejection(reply)
    messages = [p.message for p in error.problems]
    assert messages[0] == f"the reply labels none of the 1 data objects sent; the hook replied {quote(reply)}"
    assert messages[1] == f"entry 0 (datasetObjectId '173') has no '{LAN}' in its content (its keys: wrong-lan)"
    assert messages[2] == "datasetObjectId values not in the request: 12"
    assert error.problems[1].hint == f"Put the label under the job's label attribute name '{LAN}'"
    assert error.problems[1].field == "[0].consolidatedAnnotation.content"


def test_an_empty_reply_is_refused_when_objects_were_sent() -> None:
    error = post_rejection([])
    assert error.problems[0].message == "the reply labels none of the 1 data objects sent; the hook replied []"
    empty = parse_post_hook_reply([], label_attribute_name=LAN, expected_ids=[], source="s")
    assert empty == PostHookResult(labels={}, warnings=[])


def test_a_long_reply_is_quoted_cut_short() -> None:
    reply = [entry("9", {"x": "y" * 5_000})]
    message = post_rejection(reply).problems[0].message
    assert message.endswith("...") and len(message) < 600


# --- what no later step could store -----------------------------------------------------------------

def storable(text: str) -> bool:
    """A message the job log can hold on PostgreSQL: encodable as UTF-8, without NUL."""
    text.encode("utf-8")
    return "\x00" not in text


@pytest.mark.parametrize(("task_input", "field", "words"), [
    ({"taskObject": "a\ud800"}, "taskInput.taskObject", "lone surrogate"),
    ({"taskObject": "a\x00b"}, "taskInput.taskObject", "NUL"),
    ({"a\x00": 1}, 'taskInput["a\\u0000"]', "NUL"),
    ({"n": 2**64}, "taskInput.n", "beyond 64 bits"),
    ({"deep": json.loads("[" * 80 + "]" * 80)}, "taskInput.deep" + "[0]" * 63, "nested more than 64"),
])
def test_a_pre_hook_task_input_no_later_step_can_store_is_refused_naming_the_object(
        task_input: dict[str, Any], field: str, words: str) -> None:
    error = pre_rejection({"taskInput": task_input})
    [problem] = error.problems
    assert problem.field == field and words in problem.message
    assert "for object 7" in str(error) and storable(str(error))


def test_a_post_hook_label_no_later_step_can_store_fails_that_object_only() -> None:
    reply = [entry("0", {LAN: "fine"}), entry("1", {LAN: "bad\ud800"}), entry("2", {LAN: {"x": "\x00"}}),
             entry("3\x00", {LAN: "x"}), entry("4", {LAN: "fine", "extra\ud800": 1})]
    result = post(reply, expected=["0", "1", "2", "3", "4"])
    assert set(result.labels) == {"0", "4"}
    text = "\n".join(result.warnings)
    assert "(datasetObjectId '1'): the label holds a lone surrogate" in text
    assert "(datasetObjectId '2'): the label holds the NUL character" in text
    assert "entry 3 has a datasetObjectId that holds the NUL character" in text
    assert "extra\\ud800" in text and "no label for datasetObjectId 1, 2, 3" in text
    assert storable(text)


def test_a_post_hook_reply_whose_every_label_is_refused_is_refused_whole_and_can_be_stored() -> None:
    error = post_rejection([entry("173", {LAN: "\udc00"})])
    assert "labels none of the 1 data objects" in str(error) and storable(str(error))
    assert any(p.field == f"[0].consolidatedAnnotation.content.{LAN}" for p in error.problems)
