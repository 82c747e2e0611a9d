#!/usr/bin/env python3
"""Template rendering benchmark: renders/s of a typical worker task template.

The template is a ``crowd-bounding-box`` task as Ground Truth users write them: the AWS script tag
(rewritten to our bundle on every render), a ``grant_read_access``'d image, labels through
``to_json | escape``, a header from the task input, a loop over instructions, and full and short
instructions. It is compiled once; then each render gets a different task input (image URI, labels,
header, instructions) and a real :class:`~crowdform.engine.file_access.FileAccess` signing ``s3://``
URIs (HMAC only: no S3 call, no file system). Runs for ``--seconds`` (5) after a short warm-up,
single-threaded, and prints renders/s. Target: at least 2,000 renders/s.

    .venv/bin/python bench/render.py
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from crowdform.engine.clock import SystemClock
from crowdform.engine.file_access import FileAccess
from crowdform.storage import Storage
from crowdform.templating import compile_template

TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>

<crowd-form>
  <crowd-bounding-box
    name="boundingBox"
    src="{{ task.input.taskObject | grant_read_access }}"
    header="{{ task.input.header }}"
    labels="{{ task.input.labels | to_json | escape }}"
  >
    <full-instructions header="Bounding box instructions">
      <p>Draw one tight box around each object of these kinds:</p>
      <ul>
        {% for label in task.input.labels %}<li><strong>{{ label }}</strong>{% if forloop.last %}.{% else %};{% endif %}</li>
        {% endfor %}
      </ul>
      {% if task.input.notes %}<p>{{ task.input.notes }}</p>{% endif %}
      <p>Boxes must touch the edges of the object; do not box objects cut off by more than half.</p>
    </full-instructions>
    <short-instructions>
      Box every {{ task.input.labels | join: ", " }} you can see.
    </short-instructions>
  </crowd-bounding-box>
</crowd-form>
"""

LABEL_SETS = [["car", "truck", "bus"], ["cat", "dog"], ["pedestrian", "cyclist", "traffic light", "sign"]]


def task_input(i: int) -> dict[str, object]:
    return {
        "taskObject": f"s3://acme-images/batch-{i % 7}/{i:06d}.jpg",
        "labels": LABEL_SETS[i % len(LABEL_SETS)],
        "header": f"Box every object in image {i} (\"street\" & 'park' scenes)",
        "notes": "Ignore reflections." if i % 2 else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to render for (default 5)")
    args = parser.parse_args()

    access = FileAccess("bench-secret", Storage([Path.cwd()]), SystemClock())
    template = compile_template(TEMPLATE, "bench-template.liquid.html")
    inputs = [task_input(i) for i in range(1_000)]
    for item in inputs[:200]:  # warm-up
        template.render(item, grant_read_access=access.grant)

    renders = 0
    started = time.perf_counter()
    deadline = started + args.seconds
    while time.perf_counter() < deadline:
        for item in inputs[renders % len(inputs):][:100]:
            template.render(item, grant_read_access=access.grant)
        renders += 100
    elapsed = time.perf_counter() - started
    page = template.render(inputs[0], grant_read_access=access.grant)
    print(f"{renders / elapsed:,.0f} renders/s ({renders:,} renders in {elapsed:.1f} s, "
          f"{1e6 * elapsed / renders:.0f} µs each, page of {len(page):,} characters)")


if __name__ == "__main__":
    main()
