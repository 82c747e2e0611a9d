"""Output manifest lines (spec 7.3, Appendix C 16)."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from crowdform.manifest import output_lines
from crowdform.manifest.output_lines import labeled_line_maker, output_line, split_label_text

META = {"type": "groundtruth/custom", "job-name": "tone", "human-annotated": "yes",
        "creation-date": "2024-03-05T11:22:33.456000"}


def test_input_keys_keep_their_order_and_label_then_metadata_are_appended() -> None:
    """Appendix C 16."""
    line = '{"source-ref": "s3://acme-data/pets/img-0042.jpg", "zeta": 1, "alpha": {"b": 2, "a": 1}}'
    out = output_line(line, "pet-kind", 2, META)
    assert list(json.loads(out)) == ["source-ref", "zeta", "alpha", "pet-kind", "pet-kind-metadata"]
    assert out == (
        '{"source-ref": "s3://acme-data/pets/img-0042.jpg", "zeta": 1, "alpha": {"b": 2, "a": 1}, '
        '"pet-kind": 2, "pet-kind-metadata": {"type": "groundtruth/custom", "job-name": "tone", '
        '"human-annotated": "yes", "creation-date": "2024-03-05T11:22:33.456000"}}'
    )


def test_an_existing_label_is_overwritten_in_place() -> None:
    line = '{"source": "a", "tone": 0, "tone-metadata": {"old": true}, "after": 1}'
    out = json.loads(output_line(line, "tone", 1, META))
    assert list(out) == ["source", "tone", "tone-metadata", "after"]
    assert out["tone"] == 1 and out["tone-metadata"] == META


def test_earlier_labels_under_other_names_are_kept() -> None:
    """A chained or verification job keeps the labels of the job it reviews."""
    line = '{"source-ref": "s3://b/k.jpg", "products": {"annotations": []}, "products-metadata": {"x": 1}}'
    out = json.loads(output_line(line, "products-check", "0", META))
    assert out["products"] == {"annotations": []} and out["products-metadata"] == {"x": 1}
    assert list(out)[-2:] == ["products-check", "products-check-metadata"]


def test_utf8_without_escapes_and_without_a_newline() -> None:
    out = output_line('{"source": "caf\\u00e9 \\u6771\\u4eac"}', "tone", {"note": "très"}, META)
    assert '"source": "café 東京"' in out
    assert '"tone": {"note": "très"}' in out
    assert "\n" not in out and not out.endswith(" ")


def test_values_are_re_serialised_with_default_separators() -> None:
    out = output_line('{"source":"a","n":[1,2],"m":{"k":1.50}}', "lab", None, {})
    assert out == '{"source": "a", "n": [1, 2], "m": {"k": 1.5}, "lab": null, "lab-metadata": {}}'


def test_control_characters_stay_escaped() -> None:
    out = output_line('{"source": "line one\\nline two\\ttab"}', "lab", "x\ny", {})
    assert json.loads(out)["source"] == "line one\nline two\ttab"
    assert "\n" not in out


def test_values_json_cannot_hold_are_refused() -> None:
    with pytest.raises(ValueError):
        output_line('{"source": "a"}', "lab", float("nan"), {})
    with pytest.raises(ValueError, match="must be a JSON object"):
        output_line('["source"]', "lab", 1, {})


# ------------------------------------------------------------------ splicing the stored label texts
# ``labeled_line_maker`` builds the line from the stored texts without decoding the label. It must give
# exactly what decoding and re-encoding gives, for every input line and label.

def reference_line(line_text: str, lan: str, label_text: str) -> str:
    """The straightforward way: decode both, set the two keys, encode with json.dumps."""
    value, metadata = json.loads(label_text)
    data = json.loads(line_text)
    data[lan] = value
    data[lan + "-metadata"] = metadata
    return json.dumps(data, ensure_ascii=False, allow_nan=False)


def stored_label(value: Any, metadata: dict[str, Any]) -> str:
    """The label column as consolidation writes it."""
    return json.dumps([value, metadata], ensure_ascii=False)


TRICKY_LINES = [
    '{"source-ref": "s3://acme-data/pets/img-0042.jpg"}',
    '{"source-ref":"s3://b/k.jpg","zeta":1,"alpha":{"b":2,"a":1}}',  # compact: re-serialised
    '{ "source" :  "a" ,\t"n" : [ 1 , 2 ] , "m" : { "k" : 1.50 } }',  # whitespace inside
    '  {"source": "leading whitespace"}',
    '{"source": "trailing whitespace"}  \t',
    '{"source": "caf\\u00e9 \\u6771\\u4eac \\ud83d\\ude00", "raw": "café 東京 😀"}',
    '{"source": "q\\"uote \\\\ back\\/slash \\n\\t\\r\\b\\f \\u0000 \\u001f \\u007f \\u2028"}',
    '{"source": "a, {\\"b\\": 1}]", "x, {": "}, {", "y": "[\\"\\", {}]"}',  # separators inside strings
    '{"source-ref": "s3://x", "deep": {"a": [{"b": {"c": [1, 2, {"d": null}]}}, {}], "e": true}, "f": []}',
    '{"source": "n", "big": 123456789012345678901234567890, "f": 1e15, "g": -0.0, "h": 2.5E-3}',
    '{"source": "a", "source": "duplicate key: the last one wins"}',
    '{"source": "a", "lab": 0, "lab-metadata": {"old": true}, "after": 1}',  # overwritten in place
    '{"source": "a", "lab": {"old": [1]}, "after": 1}',  # only the label: replaced in place
    '{"source": "a", "lab-metadata": {"old": true}, "after": 1}',  # only the metadata
    '{"source": "a", "l\\u0061b": 7}',  # the label key, written with an escape
    '{"source": "a", "lab-check": 1, "lab-check-metadata": {}, "LAB": 2}',  # similar names are kept
]
TRICKY_LABELS: list[tuple[Any, dict[str, Any]]] = [
    (2, {"type": "groundtruth/custom", "job-name": "tone", "human-annotated": "yes",
         "creation-date": "2024-03-05T11:22:33.456000"}),
    ({}, {}),
    (None, {"a": None}),
    ([], {"objects": [{"confidence": 0.9}, {"confidence": 1}], "class-map": {"0": "a, {b}"}}),
    ("x, {\"a\": 1}", {"k": "v, {\"w\": [1, {}]}"}),
    ({"annotatedResult": {"boundingBoxes": [{"height": 38, "label": "eye", "left": 64, "top": 96, "width": 80},
                                            {"height": 53, "label": "nose", "left": 192, "top": 192, "width": 58}],
                          "inputImageProperties": {"height": 480, "width": 640}}},
     {"type": "groundtruth/custom", "worker-response-ref": "s3://b/out/worker-response/iteration-1/0/x.json"}),
    ({", {": [", {", {"}": "]"}], "é": "東京 😀 \u2028"}, {", {\"x\": 1}": {", {": {}}, "\\": "\"]"}),
    ([{"a": 1}, {"b": [{"c": {}}, {}]}], {"m": [{}, {"n": [{}]}]}),
    ("]", {"}": "]"}),
    (1.5e300, {"n": -0.0, "big": 123456789012345678901234567890}),
]


@pytest.mark.parametrize("line", TRICKY_LINES)
@pytest.mark.parametrize("value,metadata", TRICKY_LABELS)
def test_splicing_the_stored_texts_gives_the_re_encoded_line(line: str, value: Any, metadata: dict[str, Any]) -> None:
    label = stored_label(value, metadata)
    out = labeled_line_maker("lab")(line, label)
    assert out == output_line(line, "lab", *json.loads(label)) == reference_line(line, "lab", label)


@pytest.mark.parametrize("value,metadata", TRICKY_LABELS)
def test_the_stored_label_splits_into_the_texts_json_dumps_writes(value: Any, metadata: dict[str, Any]) -> None:
    parts = split_label_text(stored_label(value, metadata))
    assert parts == (json.dumps(value, ensure_ascii=False), json.dumps(metadata, ensure_ascii=False))


@pytest.mark.parametrize("text", [
    "", "[]", "[1]", "[1, 2]", '[{"a": 1}, 2]', '{"a": 1}', '[{"a": 1}]', '[1,{"a": 1}]',
    '[1, {"a": 1}', '1, {"a": 1}]', '[1, {"a": 1}] ', '[1, {"a": NaN}]', '[1, {"a": 1}x]',
])
def test_texts_of_another_shape_do_not_split(text: str) -> None:
    assert split_label_text(text) is None


def test_ordinary_lines_never_take_the_decoding_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The speed-up is real: only lines that already have the label keys (or odd whitespace) decode the label."""
    make = labeled_line_maker("lab")
    fast = [line for line in TRICKY_LINES if not line[0].isspace() and not line[-1].isspace()
            and '"lab"' not in line and '"lab-metadata"' not in line and "\\u0061" not in line]
    assert len(fast) == len(TRICKY_LINES) - 6
    expected = {(line, stored_label(*label)): output_line(line, "lab", *label) for line in fast for label in TRICKY_LABELS}

    def refuse(*args: Any) -> str:
        raise AssertionError("decoded the label")
    monkeypatch.setattr(output_lines, "output_line", refuse)  # the decoding path ends there
    for (line, label), out in expected.items():
        assert make(line, label) == out


def test_splicing_keeps_the_errors_of_the_decoding_path() -> None:
    make = labeled_line_maker("lab")
    label = stored_label(1, {})
    with pytest.raises(ValueError, match="must be a JSON object"):
        make('["source"]', label)
    with pytest.raises(ValueError):  # 1e400 decodes to infinity, which JSON cannot hold
        make('{"source": "a", "x": 1e400}', label)
    with pytest.raises(ValueError):  # a stored label that is not JSON at all
        make('{"source": "a"}', "[1, {")


def test_label_attribute_names_are_json_encoded_keys() -> None:
    line = '{"source": "a"}'
    for lan in ("tone", "a-b-c", "x" * 127):
        label = stored_label({"k": [1]}, {"m": 1})
        assert labeled_line_maker(lan)(line, label) == reference_line(line, lan, label)


def random_json(rng: random.Random, depth: int = 0) -> Any:
    """Values whose texts are full of what could confuse a splitter: separators, brackets, quotes, escapes."""
    pieces = [", {", "}, {", "]", "[", '"', "\\", ", ", ": ", "{}", "é", "東", "😀", "\n", "\u2028", "a", " "]
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.randrange(-10**20, 10**20)
    if kind == 3:
        return rng.choice([0.1, -2.5, 1e300, 3.14159, -0.0])
    if kind in (4, 5):
        return "".join(rng.choice(pieces) for _ in range(rng.randrange(6)))
    if kind in (6, 7):
        return {"".join(rng.choice(pieces) for _ in range(rng.randrange(4))): random_json(rng, depth + 1)
                for _ in range(rng.randrange(4))}
    return [random_json(rng, depth + 1) for _ in range(rng.randrange(4))]


def test_random_lines_and_labels_splice_like_they_re_encode() -> None:
    rng = random.Random(20261126)
    make = labeled_line_maker("lab")
    for _ in range(3000):
        data = {"source-ref": "s3://b/k.jpg"}
        data.update({f"k{i}": random_json(rng) for i in range(rng.randrange(3))})
        line = json.dumps(data, ensure_ascii=rng.random() < 0.5,
                          separators=rng.choice([(", ", ": "), (",", ":"), (" , ", " : ")]))
        metadata = random_json(rng)
        label = stored_label(random_json(rng), metadata if isinstance(metadata, dict) else {"m": metadata})
        assert make(line, label) == reference_line(line, "lab", label)
