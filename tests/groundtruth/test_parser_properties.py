"""Property tests of the parsers of what customers send: the CreateLabelingJob request and the pre- and
post-annotation hooks' replies. Whatever hostile value is put anywhere in them, each parser returns
something every later step can store, or refuses with ``InvalidInput`` whose message can be stored
too -- never another exception."""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from crowdform.errors import InvalidInput
from crowdform.groundtruth.hook_replies import parse_post_hook_reply, parse_pre_hook_reply
from crowdform.groundtruth.job_request import parse_create_labeling_job
from tests.groundtruth.test_job_request import minimal
from tests.hostile import FUZZ, any_values, hostile_text, json_values, storable, storable_text

LAN = "label"


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The paths of every leaf of a JSON value."""
    if isinstance(value, dict):
        return [p for key, child in value.items() for p in leaves(child, (*path, key))] or [path]
    if isinstance(value, list):
        return [p for index, child in enumerate(value) for p in leaves(child, (*path, index))] or [path]
    return [path]


def replaced(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, *rest = path
    copy = dict(body) if isinstance(body, dict) else list(body)
    copy[head] = replaced(body[head], tuple(rest), value)
    return copy


@FUZZ
@given(st.data(), any_values)
def test_a_request_with_any_hostile_value_anywhere_parses_to_storable_fields_or_is_refused(
        data: st.DataObject, value: Any) -> None:
    body = minimal()
    path = data.draw(st.sampled_from(leaves(body)))
    try:
        spec = parse_create_labeling_job(replaced(body, path, value), source="request")
    except InvalidInput as error:
        storable_text(str(error))
        return
    storable({field.name: str(getattr(spec, field.name)) for field in dataclasses.fields(spec)})


@FUZZ
@given(json_values | any_values)
def test_any_pre_hook_reply_gives_a_storable_task_input_or_is_refused(task_input: Any) -> None:
    for reply in ({"taskInput": task_input}, task_input, {"taskInput": {"x": task_input}, "isHumanAnnotationRequired": task_input}):
        try:
            result = parse_pre_hook_reply(reply, source="pre-annotation hook reply for data object 3")
        except InvalidInput as error:
            assert "data object 3" in str(error)
            storable_text(str(error))
            continue
        storable(result.task_input)


@FUZZ
@given(st.lists(st.tuples(hostile_text | st.integers(), any_values, hostile_text), max_size=5))
def test_any_post_hook_reply_gives_storable_labels_and_warnings_or_is_refused(entries: list[Any]) -> None:
    reply = [{"datasetObjectId": object_id, "consolidatedAnnotation": {"content": {LAN: label, extra: 1}}}
             for object_id, label, extra in entries]
    expected = [str(object_id) for object_id, _label, _extra in entries] + ["0"]
    try:
        result = parse_post_hook_reply(reply, label_attribute_name=LAN, expected_ids=expected, source="reply")
    except InvalidInput as error:
        storable_text(str(error))
        return
    storable(result.labels)
    for warning in result.warnings:
        storable_text(warning)
