"""The Liquid dialect AWS's documentation and sample templates use (contract section 4.3)."""

from __future__ import annotations

import pytest

from tests.templating.rendering import body

LINE = {
    "source-ref": "s3://bucket/frame-1.jpg",
    "full-video-source-ref": "s3://bucket/clip.mp4",
    "page-num": 7,
    "manifestLine": {
        "my-old-job": {"annotations": [{"class_id": 0, "left": 4}, {"class_id": 1, "left": 9}]},
        "my-old-job-metadata": {"class-map": {"0": "cat", "1": "dog"}, "internal-color-map": {
            "0": {"class-name": "BACKGROUND", "hex-color": "#ffffff"},
            "1": {"class-name": "Bird", "hex-color": "#2ca02c"},
        }},
    },
    "count": 3,
    "ticket": None,
}


@pytest.mark.parametrize(("source", "printed"), [
    ("{{ task.input.source-ref }} {{ task.input.full-video-source-ref }}", "s3://bucket/frame-1.jpg s3://bucket/clip.mp4"),
    ("{{ task.input['page-num'] }} {{ task.input[\"source-ref\"] }}", "7 s3://bucket/frame-1.jpg"),
    ("{{ task.input.manifestLine.my-old-job-metadata.class-map['1'] }}", "dog"),
    ("{% for box in task.input.manifestLine.my-old-job.annotations %}"
     "{% assign class_id = box.class_id | append: '' %}"
     "{{ task.input.manifestLine.my-old-job-metadata.class-map[class_id] }}@{{ box.left }};{% endfor %}",
     "cat@4;dog@9;"),
    ("{% assign n = task.input.count %}{% for i in (1..n) %}{{ forloop.index }}:{{ i }} {% endfor %}", "1:1 2:2 3:3 "),
    ("{% for i in (2..task.input.count) %}{{ i }}{% endfor %}", "23"),
])
def test_hyphenated_and_bracketed_keys_and_loops(source: str, printed: str) -> None:
    assert body(source, LINE) == printed


def test_for_over_an_object_yields_key_value_pairs_as_in_the_segmentation_initial_value_snippet() -> None:
    source = ("{% for color in task.input.manifestLine.my-old-job-metadata.internal-color-map %}"
              "{% if color[1]['class-name'] != 'BACKGROUND' %}"
              "'{{ color[1].class-name }}': {'color': '{{ color[1].hex-color }}'}, {{ color }}"
              "{% endif %}{% endfor %}")
    assert body(source, LINE) == (
        "'Bird': {'color': '#2ca02c'}, "
        "[&quot;1&quot;, {&quot;class-name&quot;: &quot;Bird&quot;, &quot;hex-color&quot;: &quot;#2ca02c&quot;}]"
    )


@pytest.mark.parametrize(("condition", "holds"), [
    ("task.input.ticket == null", True),
    ("task.input.ticket == nil", True),
    ("task.input.never-returned == nil", True),
    ("task.input.ticket != nil", False),
    ("task.input.count == nil", False),
    ("task.input.count != null", True),
    ("task.input.ticket", False),
    ("task.input.count > 2 and task.input.page-num == 7", True),
])
def test_comparisons_with_null_and_nil(condition: str, holds: bool) -> None:
    assert body(f"{{% if {condition} %}}yes{{% else %}}no{{% endif %}}", LINE) == ("yes" if holds else "no")


def test_standard_filters_and_control_flow() -> None:
    source = ("{{ 'Pick ONE' | downcase }}|{{ task.input.manifestLine.my-old-job.annotations | size }}|"
              "{% case task.input.page-num %}{% when 7 %}seven{% else %}other{% endcase %}|"
              "{% unless task.input.ticket %}no ticket{% endunless %}|"
              "{{ task.input.source-ref | split: '/' | last | replace: '.jpg', '' | upcase }}")
    assert body(source, LINE) == "pick one|2|seven|no ticket|FRAME-1"


def test_a_task_input_that_is_not_an_object() -> None:
    assert body("{{ task.input }}|{{ task.input.x }}|{{ task.input | size }}", ["a", "b"]) == (
        "[&quot;a&quot;, &quot;b&quot;]||2")
    assert body("{{ task.input }}", "just text") == "just text"
