"""Autoescaping as Ground Truth does it: every output is escaped once unless its filters opt out."""

from __future__ import annotations

import json
from html.parser import HTMLParser

from tests.templating.rendering import body

ATTACK = {"text": "<script>alert('x')</script>", "html": "<b>bold</b> & <i>it</i>"}
ESCAPED_ATTACK = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"


class Attributes(HTMLParser):
    """The attribute values a browser would see, entities decoded."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.found: dict[str, str | None] = {}
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.update(attrs)


def test_a_script_in_the_task_input_is_text_in_content_and_attributes() -> None:
    source = '<p title="{{ task.input.text }}">{{ task.input.text }}</p><p title=\'{{ task.input.text }}\'></p>'
    assert body(source, ATTACK) == (
        f'<p title="{ESCAPED_ATTACK}">{ESCAPED_ATTACK}</p><p title=\'{ESCAPED_ATTACK}\'></p>'
    )


def test_echo_and_liquid_tags_are_escaped_like_output() -> None:
    assert body("{% echo task.input.text %}|{% liquid echo task.input.text %}", ATTACK) == f"{ESCAPED_ATTACK}|{ESCAPED_ATTACK}"


def test_an_opting_out_filter_anywhere_in_the_chain_means_no_second_escape() -> None:
    task = {"name": "Tom & Jerry"}
    assert body("{{ task.input.name | escape | upcase }}", task) == "TOM &AMP; JERRY"
    assert body("{{ task.input.name | upcase | escape }}", task) == "TOM &amp; JERRY"
    assert body('{{ task.input.name | skip_autoescape | append: "<br>" }}', task) == "Tom & Jerry<br>"
    assert body('{{ task.input.name | append: "<br>" }}', task) == "Tom &amp; Jerry&lt;br&gt;"


def test_an_assigned_opted_out_value_stays_raw_until_another_filter_changes_it() -> None:
    source = ("{% assign note = task.input.html | skip_autoescape %}{% assign plain = task.input.html %}"
              "{{ note }}|{{ plain }}|{{ note | upcase }}")
    assert body(source, ATTACK) == (
        "<b>bold</b> & <i>it</i>|&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;it&lt;/i&gt;|"
        "&lt;B&gt;BOLD&lt;/B&gt; &amp; &lt;I&gt;IT&lt;/I&gt;"
    )


def test_a_captured_block_is_escaped_once_while_it_renders() -> None:
    source = "{% capture card %}<b>{{ task.input.text }}</b>{% endcapture %}{{ card }}"
    assert body(source, ATTACK) == f"<b>{ESCAPED_ATTACK}</b>"


def test_both_aws_attribute_forms_give_the_element_valid_json() -> None:
    labels = ["Tom & Jerry's", 'say "hi"', "<none>"]
    source = ('<crowd-classifier a="{{ task.input.labels | to_json | escape }}" '
              "b='{{ task.input.labels | to_json }}' c=\"{{ task.input.labels }}\">")
    page = body(source, {"labels": labels})
    assert page == (
        '<crowd-classifier a="[&quot;Tom &amp; Jerry&#39;s&quot;, &quot;say \\&quot;hi\\&quot;&quot;, '
        '&quot;&lt;none&gt;&quot;]" b=\'[&quot;Tom &amp; Jerry&#39;s&quot;, &quot;say \\&quot;hi\\&quot;&quot;, '
        '&quot;&lt;none&gt;&quot;]\' c="[&quot;Tom &amp; Jerry&#39;s&quot;, &quot;say \\&quot;hi\\&quot;&quot;, '
        '&quot;&lt;none&gt;&quot;]">'
    )
    attributes = Attributes(page).found
    assert [json.loads(attributes[name] or "") for name in "abc"] == [labels, labels, labels]
