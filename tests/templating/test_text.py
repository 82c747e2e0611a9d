"""Page text for Liquid values: JSON for objects and arrays, and the two HTML escapes."""

from __future__ import annotations

import pytest

from crowdform.templating.text import escape_html, escape_html_once, to_json, to_text


@pytest.mark.parametrize(("value", "text"), [
    ("Tom & Jerry", "Tom & Jerry"),
    (None, ""),
    (True, "true"),
    (False, "false"),
    (42, "42"),
    (2.5, "2.5"),
    ({"w": 4, "h": [1, 2]}, '{"w": 4, "h": [1, 2]}'),
    (["Cat", "Dög"], '["Cat", "Dög"]'),
    (("key", {"a": None}), '["key", {"a": null}]'),  # a `for` over an object yields (key, value) pairs
    (range(1, 4), "1..3"),
])
def test_values_print_as_liquid_text_and_containers_as_json(value: object, text: str) -> None:
    assert to_text(value) == text


def test_json_keeps_non_ascii_text_and_uses_json_dumps_separators() -> None:
    assert to_json({"label": "Éléphant 🐘", "n": [1, 2.5, None, True]}) == '{"label": "Éléphant 🐘", "n": [1, 2.5, null, true]}'
    assert to_json("say \"hi\"") == '"say \\"hi\\""'


def test_escape_replaces_the_five_html_characters() -> None:
    assert escape_html("""<a href="x">Tom & Jerry's</a>""") == "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
    assert escape_html("&amp;") == "&amp;amp;"


@pytest.mark.parametrize(("text", "escaped"), [
    ("Tom &amp; Jerry&#39;s", "Tom &amp; Jerry&#39;s"),
    ("Tom & Jerry's", "Tom &amp; Jerry&#39;s"),
    ("&frac12; &#x27; &#169; & &; &#xZZ; &amp", "&frac12; &#x27; &#169; &amp; &amp;; &amp;#xZZ; &amp;amp"),
    ('<b class="x">', "&lt;b class=&quot;x&quot;&gt;"),
])
def test_escape_once_leaves_existing_entities_alone(text: str, escaped: str) -> None:
    assert escape_html_once(text) == escaped
