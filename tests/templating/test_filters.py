"""Ground Truth's five filters, with the outputs of the contract's table (section 4.4)."""

from __future__ import annotations

import pytest

from crowdform.errors import InvalidInput, NotFound
from crowdform.templating import compile_template
from tests.templating.rendering import body


@pytest.mark.parametrize(("source", "printed"), [
    ('{{ "Tom & Jerry\'s" }}', "Tom &amp; Jerry&#39;s"),
    ('{{ "Tom & Jerry\'s" | escape }}', "Tom &amp; Jerry&#39;s"),
    ('{{ "Tom &amp; Jerry&#39;s" | escape_once }}', "Tom &amp; Jerry&#39;s"),
    ('{{ "Tom & Jerry\'s" | skip_autoescape }}', "Tom & Jerry's"),
    ("{{ task.input.dims | to_json }}", "{&quot;w&quot;: 4, &quot;h&quot;: [1, 2]}"),
    ("{{ task.input.dims | to_json | skip_autoescape }}", '{"w": 4, "h": [1, 2]}'),
])
def test_the_contract_table(source: str, printed: str) -> None:
    assert body(source, {"dims": {"w": 4, "h": [1, 2]}}) == printed


def test_to_json_serialises_every_json_value() -> None:
    task = {"s": "a \"quoted\" <word>", "n": 3, "f": 0.5, "t": True, "z": None, "a": [], "o": {}}
    source = "{% for key in task.input %}{{ key[1] | to_json | skip_autoescape }}|{% endfor %}{{ task.input.none | to_json }}"
    assert body(source, task) == '"a \\"quoted\\" <word>"|3|0.5|true|null|[]|{}|null'


def test_escape_and_escape_once_print_objects_as_escaped_json() -> None:
    task = {"labels": ["Tom & Jerry", "<b>"]}
    assert body("{{ task.input.labels | escape }}", task) == "[&quot;Tom &amp; Jerry&quot;, &quot;&lt;b&gt;&quot;]"
    assert body("{{ task.input.labels | escape_once }}", task) == "[&quot;Tom &amp; Jerry&quot;, &quot;&lt;b&gt;&quot;]"


def test_grant_read_access_signs_values_and_literals_and_its_url_is_escaped_once() -> None:
    source = ('<img src="{{ task.input.taskObject | grant_read_access }}">'
              '<img src="{{ "s3://bucket/static/legend.png" | grant_read_access }}">'
              '<img src="{{ task.input.taskObject | grant_read_access | skip_autoescape }}">')
    assert body(source, {"taskObject": "s3://bucket/cats/1.jpg"}) == (
        '<img src="https://files.test/get?uri=s3://bucket/cats/1.jpg&amp;sig=abc">'
        '<img src="https://files.test/get?uri=s3://bucket/static/legend.png&amp;sig=abc">'
        '<img src="https://files.test/get?uri=s3://bucket/cats/1.jpg&sig=abc">'
    )


def test_grant_read_access_of_a_captured_uri_as_in_aws_augmented_ai_samples() -> None:
    source = ("{% capture s3_uri %}http://s3.amazonaws.com/{{ task.input.bucket }}/{{ task.input.key }}{% endcapture %}"
              '<crowd-textract-analyze-document src="{{ s3_uri | grant_read_access }}">')
    assert body(source, {"bucket": "forms", "key": "w2/0001.png"}) == (
        '<crowd-textract-analyze-document '
        'src="https://files.test/get?uri=http://s3.amazonaws.com/forms/w2/0001.png&amp;sig=abc">'
    )


@pytest.mark.parametrize("task", [{}, {"taskObject": ""}, {"taskObject": None}], ids=["missing", "empty", "null"])
def test_grant_read_access_of_nothing_is_empty(task: dict[str, object]) -> None:
    assert body('<img src="{{ task.input.taskObject | grant_read_access }}">', task) == '<img src="">'


def test_grant_read_access_refuses_an_array_with_its_line() -> None:
    with pytest.raises(InvalidInput) as caught:
        body("<p>\n{{ task.input.images | grant_read_access }}</p>", {"images": ["s3://b/1.jpg"]})
    assert str(caught.value) == (
        "task.liquid.html: line 2: column 24: grant_read_access expects one URI, got an array "
        "(got '{{ task.input.images | grant_read_access }}'). The statement failed on this task input: "
        "check the value it works on and the filter's arguments"
    )


def test_a_refusal_from_the_signer_names_the_template_line_and_uri() -> None:
    def refuse(uri: str) -> str:
        raise NotFound(f"{uri} does not exist")

    template = compile_template('<img\n  src="{{ task.input.taskObject | grant_read_access }}">', "t.html")
    with pytest.raises(InvalidInput) as caught:
        template.render({"taskObject": "s3://b/gone.jpg"}, grant_read_access=refuse)
    problem = caught.value.problems[0]
    assert (problem.line, problem.message) == (
        2, "column 35: grant_read_access cannot give access to 's3://b/gone.jpg': s3://b/gone.jpg does not exist")
