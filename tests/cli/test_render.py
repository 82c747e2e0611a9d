"""``crowdform render``: the page a worker gets, its file URLs accepted by a server on the same data folder."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.cli.test_main import open_cli_runtime, run_crowdform
from tests.fixtures.servers import start_server

TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-image-classifier name="animal" src="{{ task.input.taskObject | grant_read_access }}"
      categories="{{ task.input.labels | to_json | escape }}" header="{{ task.input.header }}">
  </crowd-image-classifier>
</crowd-form>
"""


def write(tmp_path: Path, template: str, task_input: object) -> None:
    (tmp_path / "template.liquid.html").write_text(template)
    (tmp_path / "task.json").write_text(json.dumps(task_input))


def test_render_prints_the_page_and_its_file_urls_work_on_a_server(tmp_path: Path) -> None:
    (tmp_path / "owl.jpg").write_bytes(b"owl bytes")
    write(tmp_path, TEMPLATE, {"taskObject": "owl.jpg", "labels": ["owl", "fox"], "header": "Which <animal>?"})
    run = run_crowdform(tmp_path, "render", "template.liquid.html", "--input", "task.json")
    assert run.code == 0 and run.err == "", run
    url = re.search(r'src="(/files/[^"]+)"', run.out)
    assert url is not None, run
    assert run.out == f"""<script src="/static/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-image-classifier name="animal" src="{url[1]}"
      categories="[&quot;owl&quot;, &quot;fox&quot;]" header="Which &lt;animal&gt;?">
  </crowd-image-classifier>
</crowd-form>
"""
    runtime = open_cli_runtime(tmp_path)
    server = start_server(runtime.settings, runtime)
    try:
        with server.client() as client:
            reply = client.get(url[1])
    finally:
        server.stop()
        runtime.close()
    assert (reply.status_code, reply.content) == (200, b"owl bytes")


def test_syntax_errors_go_to_stderr_with_line_and_column(tmp_path: Path) -> None:
    write(tmp_path, "<crowd-form>\n  {% for label in task.input.labels %}\n    {{ label }}\n</crowd-form>\n", {})
    run = run_crowdform(tmp_path, "render", "template.liquid.html", "--input", "task.json")
    assert run.error() == (
        "error: template.liquid.html: line 2: column 6: expected tag endfor, found end of expression "
        "(got '{% for label in task.input.labels %}'). Close the block with {% endfor %}\n"
    )
    assert run.out == ""


def test_strict_lists_the_keys_the_task_input_lacks(tmp_path: Path) -> None:
    write(tmp_path, TEMPLATE, {"labels": ["owl"]})
    lax = run_crowdform(tmp_path, "render", "template.liquid.html", "--input", "task.json")
    assert lax.code == 0 and 'src=""' in lax.out and 'header=""' in lax.out, lax
    strict = run_crowdform(tmp_path, "render", "template.liquid.html", "--input", "task.json", "--strict")
    hint = ("Return the key from the pre-annotation hook's taskInput (or put it in the manifest line), "
            "or test it first with {% if %}")
    assert strict.error() == (
        "error: template.liquid.html: 2 problems\n"
        f"  - line 3, field 'task.input.taskObject': column 49: not in the task input. {hint}\n"
        f"  - line 4, field 'task.input.header': column 74: not in the task input. {hint}\n"
    )
    assert strict.out == ""


def test_unreadable_inputs_are_named(tmp_path: Path) -> None:
    write(tmp_path, TEMPLATE, {})
    (tmp_path / "broken.json").write_text('{\n  "labels": [\n}')
    broken = run_crowdform(tmp_path, "render", "template.liquid.html", "--input", "broken.json")
    assert broken.error() == (
        "error: broken.json: line 3: not valid JSON: Expecting value (column 1). "
        "The file must hold the task input as one JSON value\n"
    )
    missing = run_crowdform(tmp_path, "render", "nope.html", "--input", "task.json")
    assert missing.error() == "error: nope.html: cannot read the template file: No such file or directory\n"
