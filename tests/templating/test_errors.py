"""Template errors name the template, the line and column, the statement, and what to do."""

from __future__ import annotations

import pytest

from crowdform.errors import InvalidInput
from crowdform.templating import compile_template

_SYNTAX_HINT = ("Check the statement against Liquid's syntax: values look like task.input.key, "
                "task.input['key-name'] or task.input.items[0], filters like {{ task.input.labels | to_json }}")


def compile_error(source: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        compile_template(source, "s3://acme/templates/boxes.liquid.html")
    assert caught.value.source == "s3://acme/templates/boxes.liquid.html"
    return caught.value


@pytest.mark.parametrize(("source", "line", "message", "value", "hint"), [
    pytest.param("<crowd-form>\n  {% if task.input.x %}\n  <p>x</p>\n</crowd-form>", 2,
                 "column 6: expected tag endif, found end of expression", "{% if task.input.x %}",
                 "Close the block with {% endif %}", id="unclosed-block"),
    pytest.param("<p>\n  {{ task.input.x | }}</p>", 2,
                 "column 6: expected word, found end of expression", "{{ task.input.x | }}",
                 _SYNTAX_HINT, id="filter-name-missing"),
    pytest.param("<p>\n\n   {% endiff %}", 3, "column 7: unexpected tag 'endiff'", "{% endiff %}",
                 "Did you mean 'endif'?", id="misspelt-end-tag"),
    pytest.param("{% for label in task.input.labels %}{{ label }}{% endfor %}\n{% endfor %}", 2,
                 "column 4: unexpected tag 'endfor'", "{% endfor %}",
                 "{% endfor %} is not inside a block it belongs to: check how the blocks above are nested",
                 id="end-tag-too-many"),
    pytest.param("{% for label in task.input.labels %}\n  {% if label %}{{ label }}\n{% endfor %}", 3,
                 "column 4: unexpected tag 'endfor'", "{% endfor %}",
                 "The {% if %} on line 2 is never closed: add {% endif %}", id="inner-block-not-closed"),
    pytest.param("a\n{% iff task.input.x %}b{% endif %}", 2, "column 4: unexpected tag 'iff'",
                 "{% iff task.input.x %}", "Did you mean 'if'?", id="misspelt-tag"),
    pytest.param('<p>{{ task.input.x \n</p>', 1, "column 4: expected '}}', found end of file", "{{ task.input.x",
                 "Close the statement: {{ ... }} for a value, {% ... %} for a tag", id="output-not-closed"),
    pytest.param('{% include "header.html" %}', 1, "column 4: unexpected tag 'include'", '{% include "header.html" %}',
                 "Ground Truth templates are one file: paste the other template's text in instead", id="include"),
    pytest.param("{% if task.input.a %}a\n{% elsif task.input.b == %}b{% endif %}", 2,
                 "column 10: expected a primitive expression, found end of expression",
                 "{% elsif task.input.b == %}", _SYNTAX_HINT, id="elsif-expression-cut-short"),
    pytest.param("{% case task.input.kind %}\n  {% when task.input. %}x{% endcase %}", 2,
                 "column 11: expected an identifier, found end of expression",
                 "{% when task.input. %}", _SYNTAX_HINT, id="when-expression-cut-short"),
    pytest.param("<p>{% liquid\n  assign total = \n%}</p>", 2,
                 "column 3: expected a primitive expression, found end of expression",
                 "{% liquid\n  assign total = \n%}", _SYNTAX_HINT, id="liquid-tag-line-cut-short"),
    pytest.param('{% case task.input.kind %}\n{% when %}{% endcase %}', 2, "column 4: missing expression",
                 "{% when %}", _SYNTAX_HINT, id="when-without-value"),
])
def test_syntax_errors(source: str, line: int, message: str, value: str, hint: str) -> None:
    error = compile_error(source)
    [problem] = error.problems
    assert (problem.line, problem.message, problem.value, problem.hint) == (line, message, value, hint)


def test_the_message_reads_as_one_sentence() -> None:
    assert str(compile_error("<p>\n\n   {% endiff %}")) == (
        "s3://acme/templates/boxes.liquid.html: line 3: column 7: unexpected tag 'endiff' (got '{% endiff %}'). "
        "Did you mean 'endif'?"
    )


def test_unknown_filters_are_refused_when_compiling_every_one_of_them() -> None:
    error = compile_error("{{ task.input.labels | to_jsn }}\n<p>{{ task.input.html | safe }}</p>\n"
                          "{{ task.input.x | qqq }}")
    assert [(p.line, p.message, p.value, p.hint) for p in error.problems] == [
        (1, "column 24: unknown filter 'to_jsn'", "{{ task.input.labels | to_jsn }}", "Did you mean 'to_json'?"),
        (2, "column 25: unknown filter 'safe'", "{{ task.input.html | safe }}", "Did you mean 'skip_autoescape'?"),
        (3, "column 19: unknown filter 'qqq'", "{{ task.input.x | qqq }}",
         "Ground Truth adds grant_read_access, to_json, escape, escape_once and skip_autoescape to Liquid's "
         "standard filters (https://shopify.github.io/liquid/filters/)"),
    ]


def test_errors_while_rendering_name_the_statement() -> None:
    template = compile_template("<p>\n  {{ task.input.total | divided_by: task.input.count }}</p>", "t.html")
    with pytest.raises(InvalidInput) as caught:
        template.render({"total": 10, "count": 0}, grant_read_access=str)
    assert str(caught.value) == (
        "t.html: line 2: column 25: divided_by: can't divide by 0 "
        "(got '{{ task.input.total | divided_by: task.input.count }}'). "
        "The statement failed on this task input: check the value it works on and the filter's arguments"
    )


def test_a_task_input_cannot_make_a_template_loop_for_ever() -> None:
    template = compile_template("{% for i in (1..task.input.n) %}{{ i }}{% endfor %}", "t.html")
    assert template.render({"n": 3}, grant_read_access=str).endswith("123")
    with pytest.raises(InvalidInput) as caught:
        template.render({"n": 1_000_000_000}, grant_read_access=str)
    [problem] = caught.value.problems
    assert (problem.line, problem.message, problem.hint) == (
        1, "column 4: loop iteration limit reached",
        "A page may run 100,000 loop iterations and be 16,777,216 characters long at most")
