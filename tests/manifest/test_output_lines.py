"""Output manifest lines (spec 7.3, Appendix C 16)."""

from __future__ import annotations

import json

import pytest

from crowdform.manifest.output_lines import output_line

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
