"""read_manifest: streaming, ids (Q1), every rejection rule of spec 1.1 with its message, first 20 of n."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from crowdform.errors import InvalidInput
from crowdform.groundtruth.layout import JobLayout
from crowdform.manifest.reader import (
    MAX_LINE_CHARS,
    MAX_VALUE_CHARS,
    ManifestLine,
    is_already_labeled,
    read_manifest,
)


def read_all(lines: list[bytes] | list[str]) -> list[ManifestLine]:
    return list(read_manifest(lines, source="input.manifest"))


def rejection(lines: list[bytes] | list[str], **kwargs: int) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        list(read_manifest(lines, source="input.manifest", **kwargs))
    return caught.value


def test_good_lines_in_order_with_positions_line_numbers_text_and_data() -> None:
    lines = [
        b'{"source-ref": "s3://acme-data/shelves/aisle-07.jpg", "store-id": 44}\n',
        b'{"source": "Battery died after one hour of use.", "ticket": "T-1881"}\r\n',
    ]
    got = read_all(lines)
    assert got == [
        ManifestLine(0, 1, '{"source-ref": "s3://acme-data/shelves/aisle-07.jpg", "store-id": 44}',
                     {"source-ref": "s3://acme-data/shelves/aisle-07.jpg", "store-id": 44}),
        ManifestLine(1, 2, '{"source": "Battery died after one hour of use.", "ticket": "T-1881"}',
                     {"source": "Battery died after one hour of use.", "ticket": "T-1881"}),
    ]


def test_text_lines_with_or_without_terminators_give_the_same_result() -> None:
    with_ends = ['{"source": "a"}\n', '{"source": "b"}\r\n']
    without = ['{"source": "a"}', '{"source": "b"}']
    assert read_all(with_ends) == read_all(without)
    assert [line.text for line in read_all(with_ends)] == without


def test_text_is_kept_as_given_for_copying_to_output() -> None:
    line = '{ "source" : "caf\\u00e9",   "n": 1.50 }'
    (got,) = read_all([line])
    assert got.text == line
    assert got.data == {"source": "café", "n": 1.5}


def test_blank_lines_are_skipped_and_get_no_dataset_object_id() -> None:
    """Appendix C 3 and Q1: the k-th non-empty line has datasetObjectId k-1; blank lines don't count."""
    lines = ['{"source": "zero"}', "", "   \t", '{"source": "one"}', "\r\n", '{"source": "two"}']
    got = read_all(lines)
    assert [(line.position, line.line_number, line.data["source"]) for line in got] == [
        (0, 1, "zero"),
        (1, 4, "one"),
        (2, 6, "two"),
    ]


def test_duplicate_lines_get_their_own_ids() -> None:
    got = read_all(['{"source-ref": "s3://b/1.jpg"}'] * 3)
    assert [line.position for line in got] == [0, 1, 2]


def test_dataset_object_id_is_the_worker_response_directory_name() -> None:
    """Appendix C 3: the directory under worker-response/iteration-N/ is the id of the line."""
    lines = [f'{{"source-ref": "s3://b/{k}.jpg"}}' for k in range(1, 13)]
    layout = JobLayout("s3://out/jobs", "birds")
    for k, line in enumerate(read_all(lines), start=1):
        assert line.position == k - 1
        uri = layout.worker_response(1, line.position, "2024-03-05_11:04:52")
        assert uri.split("/")[-2] == str(k - 1)


def test_lines_are_yielded_while_the_input_streams() -> None:
    consumed: list[int] = []

    def source() -> Iterator[str]:
        for i in range(1_000):
            consumed.append(i)
            yield f'{{"source": "{i}"}}'

    reader = read_manifest(source(), source="stream")
    first = next(reader)
    assert first.position == 0
    assert consumed == [0]


def test_a_byte_order_mark_on_the_first_line_is_ignored() -> None:
    got = read_all(['\ufeff{"source": "a"}', '{"source": "b"}'])
    assert got[0].text == '{"source": "a"}'
    assert got[0].data == {"source": "a"}
    bytes_got = read_all([b'\xef\xbb\xbf{"source": "a"}\n'])
    assert bytes_got[0].data == {"source": "a"}


def test_utf8_text_is_decoded() -> None:
    (got,) = read_all(['{"source": "Ærøskøbing — 東京"}'.encode()])
    assert got.data["source"] == "Ærøskøbing — 東京"


def line_of(total: int) -> str:
    """A valid manifest line of exactly ``total`` characters whose values stay under 20,000 each."""
    data: dict[str, str] = {"source": "x"}
    index = 0
    while len(json.dumps(data)) < total:
        data[f"k{index}"] = "v" * 15_000
        index += 1
    last = f"k{index - 1}"
    data[last] = data[last][: len(data[last]) - (len(json.dumps(data)) - total)]
    return json.dumps(data)


def test_a_line_of_100000_characters_is_accepted_and_100001_rejected() -> None:
    """Appendix C 1 (line length), with the limit exactly at 100,000."""
    assert len(line_of(MAX_LINE_CHARS)) == MAX_LINE_CHARS
    assert len(read_all([line_of(MAX_LINE_CHARS)])) == 1
    error = rejection([line_of(MAX_LINE_CHARS + 1)])
    (problem,) = error.problems
    assert problem.line == 1
    assert "100,001 characters long" in problem.message and "100,000" in problem.message
    assert problem.hint and "source-ref" in problem.hint


def test_an_attribute_of_20000_characters_is_accepted_and_20001_rejected() -> None:
    """Appendix C 1 (attribute length): a string value is measured by its characters."""
    ok = json.dumps({"source": "s" * MAX_VALUE_CHARS})
    assert read_all([ok])[0].data["source"] == "s" * MAX_VALUE_CHARS
    error = rejection(['{"source": "short"}', json.dumps({"source": "x", "notes": "n" * (MAX_VALUE_CHARS + 1)})])
    (problem,) = error.problems
    assert (problem.line, problem.field) == (2, "notes")
    assert "20,001 characters" in problem.message and "20,000" in problem.message
    assert problem.hint and "Shorten" in problem.hint


def test_a_non_string_attribute_is_measured_serialised() -> None:
    values = [1] * 6_700  # "[1, 1, ...]" serialises to 20,100 characters, its text is 13,401
    compact = '{"source": "x", "votes": [' + ",".join("1" * len(values)) + "]}"
    assert len(json.dumps(values)) > MAX_VALUE_CHARS > len(compact)
    error = rejection([compact])
    assert error.problems[0].field == "votes"
    assert f"{len(json.dumps(values)):,} characters" in error.problems[0].message


def test_short_numbers_that_serialise_long_are_measured_too() -> None:
    """1e15 is 4 characters in the line but 18 once serialised: the cheap length bound must allow for it."""
    count = 1_200  # ~6,000 characters of text, ~24,000 serialised
    line = '{"source": "x", "big": [' + ",".join(["1e15"] * count) + "]}"
    error = rejection([line])
    assert error.problems[0].field == "big"


def test_a_key_starting_with_dollar_is_rejected() -> None:
    """Appendix C 1 ($ keys), including one spelled with a \\u escape."""
    error = rejection(['{"source": "a", "$meta": 1}', '{"source": "b", "\\u0024ref": 2}', '{"source": "c", "a$": 3}'])
    assert [(p.line, p.field) for p in error.problems] == [(1, "$meta"), (2, "$ref")]
    assert "'$'" in error.problems[0].message
    assert error.problems[0].hint and "Rename" in error.problems[0].hint


def test_a_line_without_source_or_source_ref_is_rejected_with_a_hint() -> None:
    error = rejection(['{"source": "fine"}', '{"image": "s3://b/k.jpg"}'])
    (problem,) = error.problems
    assert problem.line == 2
    assert problem.message == "has neither source-ref nor source"
    assert problem.value == '{"image": "s3://b/k.jpg"}'
    assert problem.hint and '"source-ref"' in problem.hint and '"source"' in problem.hint


def test_source_ref_must_be_a_string() -> None:
    error = rejection(['{"source-ref": 17}'])
    (problem,) = error.problems
    assert (problem.line, problem.field, problem.value) == (1, "source-ref", 17)
    assert "a number" in problem.message


def test_invalid_json_is_reported_with_its_column() -> None:
    error = rejection(['{"source": "a"}', '{"source": "b",}'])
    (problem,) = error.problems
    assert problem.line == 2
    assert problem.message.startswith("is not valid JSON: ")
    assert "column 16" in problem.message
    assert problem.value == '{"source": "b",}'
    assert problem.hint and "one complete JSON object" in problem.hint


def test_a_pretty_printed_file_gets_a_specific_hint() -> None:
    error = rejection(["{", '  "source": "a"', "}"])
    assert error.problems[0].hint and "pretty-printed" in error.problems[0].hint
    array = rejection(['[{"source": "a"},', '{"source": "b"}]'])
    assert array.problems[0].hint and "not a JSON array" in array.problems[0].hint


def test_json_that_is_not_an_object_is_rejected() -> None:
    error = rejection(['["source", "a"]', '"source"', "42", "null"])
    assert [p.message for p in error.problems] == [
        "is an array, not an object",
        "is a string, not an object",
        "is a number, not an object",
        "is null, not an object",
    ]
    assert [p.line for p in error.problems] == [1, 2, 3, 4]


def test_nan_and_infinity_are_not_json() -> None:
    error = rejection(['{"source": "a", "score": NaN}', '{"source": "b", "score": -Infinity}'])
    assert [p.line for p in error.problems] == [1, 2]
    assert "NaN is not valid JSON" in error.problems[0].message
    assert "-Infinity is not valid JSON" in error.problems[1].message


def test_invalid_utf8_is_rejected_with_the_byte() -> None:
    error = rejection([b'{"source": "ok"}\n', b'{"source": "caf\xe9"}\n'])
    (problem,) = error.problems
    assert problem.line == 2
    assert "not valid UTF-8" in problem.message and "0xe9" in problem.message
    assert problem.hint and "UTF-8" in problem.hint


def test_good_lines_are_yielded_but_bad_ones_raise_after_the_last_line() -> None:
    yielded: list[int] = []
    with pytest.raises(InvalidInput) as caught:
        for line in read_manifest(['{"source": "a"}', "oops", '{"source": "c"}'], source="m"):
            yielded.append(line.position)
    assert yielded == [0, 2]
    assert [p.line for p in caught.value.problems] == [2]


def test_only_the_first_20_problems_are_listed_with_the_total() -> None:
    lines = ['{"source": "good"}'] + ["not json"] * 25
    error = rejection(lines)
    assert len(error.problems) == 20
    assert error.total == 25
    assert [p.line for p in error.problems] == list(range(2, 22))
    message = str(error)
    assert message.startswith("input.manifest: 25 problems (the first 20 are listed)")
    assert "line 2: is not valid JSON" in message


def test_max_problems_can_be_changed() -> None:
    error = rejection(["x"] * 7, max_problems=3)
    assert (len(error.problems), error.total) == (3, 7)


def test_an_empty_manifest_is_rejected() -> None:
    for lines in ([], ["", "  ", "\n"]):
        error = rejection(lines)
        (problem,) = error.problems
        assert problem.message == "the manifest has no data lines"
        assert problem.hint and "one JSON object per line" in problem.hint
        assert str(error).startswith("input.manifest: the manifest has no data lines")


def test_one_bad_line_reads_as_one_sentence() -> None:
    error = rejection(['{"no": "source"}'])
    assert str(error).startswith("input.manifest: line 1: has neither source-ref nor source")


def test_lines_of_other_types_are_a_programming_error() -> None:
    with pytest.raises(TypeError, match="bytes or str"):
        list(read_manifest([42], source="m"))  # type: ignore[list-item]


def test_already_labeled_needs_both_the_label_and_its_metadata() -> None:
    """Q6: a chained job skips a line only when <LAN> and <LAN>-metadata are both present."""
    assert is_already_labeled({"source": "a", "tone": 1, "tone-metadata": {}}, "tone")
    assert not is_already_labeled({"source": "a", "tone": 1}, "tone")
    assert not is_already_labeled({"source": "a", "tone-metadata": {}}, "tone")
    assert not is_already_labeled({"source": "a", "tone-review": 1, "tone-review-metadata": {}}, "tone")


def test_when_every_problem_is_listed_there_is_no_separate_total() -> None:
    error = rejection(["oops", '{"no": "source"}'])
    assert (len(error.problems), error.total) == (2, None)
    assert str(error).startswith("input.manifest: 2 problems\n  - line 1: is not valid JSON")


@pytest.mark.parametrize(("line", "field", "words"), [
    (r'{"source": "a\ud800b"}', "source", "lone surrogate"),
    (r'{"source": "x", "meta": {"\udfff": 1}}', "meta[\"\\udfff\"]", "lone surrogate"),
    (r'{"source-ref": "s3://b/a\u0000.jpg"}', "source-ref", "NUL"),
    ('{"source": "x", "n": 9223372036854775808}', "n", "beyond 64 bits"),
    ('{"source": "x", "n": 1e999}', "n", "not finite"),
    ('{"source": "x", "deep": ' + "[" * 70 + "]" * 70 + "}", "deep" + "[0]" * 63, "nested more than 64"),
    ('{"source": "x", "deep": ' + "[" * 5000 + "]" * 5000 + "}", None, "nested more than 64"),
])
def test_values_no_later_step_can_store_are_refused_with_their_line_number(line: str, field: str | None,
                                                                           words: str) -> None:
    """Stored, a lone surrogate cannot be encoded, PostgreSQL refuses NUL, and the job stayed InProgress
    forever; deep nesting overflowed the parser's stack."""
    error = rejection(['{"source-ref": "s3://b/ok.jpg"}', line])
    [problem] = error.problems
    assert problem.line == 2 and problem.field == field and words in problem.message
    assert "\x00" not in str(error) and str(error).encode("utf-8")  # it quotes nothing it complains of


def test_a_surrogate_pair_and_64_levels_of_nesting_are_fine() -> None:
    [line] = read_all([r'{"source": "\ud83d\ude00", "deep": ' + "[" * 63 + "]" * 63 + ', "n": -9223372036854775807}'])
    assert line.data["source"] == "\U0001f600"
