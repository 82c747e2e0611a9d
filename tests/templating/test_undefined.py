"""Keys the task input lacks: empty text by default, every use listed in strict mode."""

from __future__ import annotations

import pytest

from crowdform.errors import InvalidInput
from tests.templating.rendering import body

TEMPLATE = """<crowd-form>
  <h1>{{ task.input.header }}</h1>
  {% if task.input.subtitle %}<h2>{{ task.input.subtitle }}</h2>{% endif %}
  <img src="{{ task.input.taskObject | grant_read_access }}" alt="{{ task.input.alt | default: 'image' }}">
  {% for label in task.input.labels %}<span>{{ label }}</span>{% endfor %}
  {% for i in (1..2) %}<p>{{ task.input['page-notes'][i] }}</p>{% endfor %}
  {% unless task.input.hidden == nil %}hidden{% endunless %}{{ task.input.labels | to_json }}
</crowd-form>"""


def test_keys_the_pre_hook_never_returned_render_as_empty_text() -> None:
    assert body(TEMPLATE, {"page-notes": ["a"]}) == """<crowd-form>
  <h1></h1>
  
  <img src="" alt="image">
  
  <p></p><p></p>
  null
</crowd-form>"""


def test_strict_mode_lists_every_undefined_value_used_with_its_line_and_column() -> None:
    with pytest.raises(InvalidInput) as caught:
        body(TEMPLATE, {"page-notes": ["a"]}, strict=True)
    problems = [(p.line, p.field, p.message) for p in caught.value.problems]
    assert problems == [
        (2, "task.input.header", "column 10: not in the task input"),
        (4, "task.input.taskObject", "column 16: not in the task input"),
        (5, "task.input.labels", "column 19: not in the task input"),
        (6, "task.input['page-notes'][i]", "column 30: index out of range (the list is shorter)"),
        (7, "task.input.labels", "column 64: not in the task input"),
    ]
    assert str(caught.value).startswith("task.liquid.html: 5 problems\n  - line 2, field 'task.input.header': "
                                        "column 10: not in the task input. Return the key from the pre-annotation "
                                        "hook's taskInput (or put it in the manifest line), or test it first with {% if %}")


def test_strict_mode_renders_a_complete_task_input_as_usual() -> None:
    task = {"header": "Cats", "taskObject": "s3://b/c.jpg", "labels": ["cat"], "page-notes": ["a", "b", "c"]}
    assert body(TEMPLATE, task, strict=True) == body(TEMPLATE, task)


def test_strict_mode_names_variables_that_do_not_exist_at_all() -> None:
    with pytest.raises(InvalidInput) as caught:
        body("{{ tsk.input.header }}", {"header": "x"}, strict=True)
    assert [(p.line, p.field, p.message) for p in caught.value.problems] == [(1, "tsk.input.header", "column 4: not defined")]
