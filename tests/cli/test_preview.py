"""``crowdform preview`` as a user runs it: a real process on a free port, its pages over HTTP, answers on stdout.

:func:`running_preview` is also what the browser test of the preview page uses.
"""

from __future__ import annotations

import json
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx

from tests.cli.test_main import ANSI, cli_env, data_dir, run_crowdform
from tests.fixtures.s3 import S3Bucket

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "animal-custom-task"
TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <img src="{{ task.input.taskObject | grant_read_access }}" alt="animal">
  <crowd-classifier name="animal" categories="{{ task.input.labels | to_json | escape }}" header="{{ task.input.header }}">
  </crowd-classifier>
</crowd-form>
"""
TASK = {"taskObject": "owl.png", "labels": ["owl", "fox"], "header": "Which animal?"}
WAIT_S = 30.0


class PreviewProcess:
    """A running ``crowdform preview``: its URL, an HTTP client, and the lines it prints."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self._out: queue.Queue[str] = queue.Queue()
        self._err: queue.Queue[str] = queue.Queue()
        self.err_lines: list[str] = []
        for stream, lines in ((process.stdout, self._out), (process.stderr, self._err)):
            threading.Thread(target=_pump, args=(stream, lines), daemon=True).start()
        first = self.next_err_line()
        match = re.fullmatch(r"Serving at (http://127\.0\.0\.1:(\d+)/)", first)
        assert match, f"expected the URL first on stderr, got {first!r}"
        self.url = match[1]
        self.port = int(match[2])
        self.client = httpx.Client(base_url=self.url, timeout=WAIT_S)

    def next_out_line(self) -> str:
        return self._out.get(timeout=WAIT_S)

    def next_err_line(self) -> str:
        line = self._err.get(timeout=WAIT_S)
        self.err_lines.append(line)
        return line

    def submit(self, number: int, answer: Any) -> httpx.Response:
        """POST an answer the way preview.js does."""
        return self.client.post(f"/items/{number}/answer", content=json.dumps({"answer": answer}),
                                headers={"Content-Type": "application/json"})

    def stop(self) -> tuple[int, str, str]:
        """Ctrl+C; returns the exit code and what was printed on stdout and stderr that was not read yet."""
        self.client.close()
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=WAIT_S)
        return code, _drain(self._out), _drain(self._err)


def _pump(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(ANSI.sub("", line.rstrip("\n")))
    lines.put("")  # end of stream


def _drain(lines: queue.Queue[str]) -> str:
    text = []
    while (line := lines.get(timeout=WAIT_S)) != "":
        text.append(line + "\n")
    return "".join(text)


@contextmanager
def running_preview(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[PreviewProcess]:
    """``crowdform preview ARGS --port 0 --data-dir tmp_path/data`` in ``tmp_path``, stopped at the end."""
    argv = [sys.executable, "-m", "crowdform", "preview", *args, "--port", "0", "--data-dir", str(data_dir(tmp_path))]
    process = subprocess.Popen(argv, cwd=tmp_path, env=cli_env(tmp_path, env), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        yield PreviewProcess(process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=WAIT_S)


def write_task(tmp_path: Path, template: str = TEMPLATE, task: Any = TASK) -> None:
    (tmp_path / "owl.png").write_bytes(b"owl bytes")
    (tmp_path / "template.liquid.html").write_text(template)
    (tmp_path / "task.json").write_text(json.dumps(task))


def test_a_task_input_is_served_and_each_answer_is_one_line_on_stdout(tmp_path: Path) -> None:
    write_task(tmp_path)
    with running_preview(tmp_path, "template.liquid.html", "--input", "task.json") as preview:
        page = preview.client.get("/")
        assert page.status_code == 200 and page.headers["x-frame-options"] == "DENY"
        assert "<title>template.liquid.html · crowdform preview</title>" in page.text
        assert 'data-count="1"' in page.text
        assert 'sandbox="allow-scripts allow-forms"' in page.text
        assert '<script src="/static/portal/task-frame.js"></script>' in page.text
        assert '<script src="/static/portal/preview.js"></script>' in page.text
        for asset in ("/static/portal/task-frame.js", "/static/portal/preview.js", "/static/portal/portal.css",
                      "/static/crowd-html-elements.js"):
            assert preview.client.get(asset).status_code == 200, asset

        item = preview.client.get("/items/1").json()
        url = re.search(r'src="(/files/[^"]+)"', item.pop("page"))
        assert url is not None
        assert item == {"number": 1, "count": 1, "label": "task.json", "state": "ready", "message": "",
                        "taskInput": TASK, "error": None}
        image = preview.client.get(url[1])
        assert (image.status_code, image.content, image.headers["content-type"]) == (200, b"owl bytes", "image/png")

        saved = preview.submit(1, {"note": "Æsop", "animal": {"label": "owl"}, "size": 2.0})
        assert saved.json() == {"number": 1, "line": '{"animal":{"label":"owl"},"note":"Æsop","size":2}'}
        assert preview.next_out_line() == '{"animal":{"label":"owl"},"note":"Æsop","size":2}'
        assert preview.submit(1, {"animal": {"label": "fox"}}).status_code == 200
        assert preview.next_out_line() == '{"animal":{"label":"fox"}}'

        refused = preview.submit(1, ["not", "an", "object"])
        assert refused.status_code == 400 and refused.json()["message"].startswith("submission: field 'answer': the answer must be a JSON object")
        missing = preview.client.get("/items/2")
        assert missing.status_code == 404
        assert missing.json()["message"] == "There is no item 2: this preview has items 1 to 1."
        code, out, err = preview.stop()
    assert (code, out, err) == (0, "", "")  # Ctrl+C: a clean stop, nothing more printed


def test_manifest_lines_go_through_the_example_pre_hook(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE / "template.liquid.html", tmp_path)
    shutil.copy(EXAMPLE / "pre_annotation.py", tmp_path)
    for name in ("owl.png", "fox.png"):
        (tmp_path / name).write_bytes(name.encode())
    (tmp_path / "manifest.jsonl").write_text('{"source-ref": "owl.png"}\n{"source-ref": "fox.png"}\n')
    with running_preview(tmp_path, "template.liquid.html", "--manifest", "manifest.jsonl",
                         "--pre-hook", "pre_annotation.py") as preview:
        second = preview.client.get("/items/2").json()
        assert (second["label"], second["state"], second["taskInput"]) == (
            "manifest.jsonl line 2 (datasetObjectId 1)", "ready", {"sourceRef": "fox.png"})
        assert '<crowd-bounding-box\n    name="annotatedResult"\n    src="/files/' in second["page"]
        assert preview.next_err_line() == "pre-hook stdout: pre-annotation for fox.png"

        box = {"annotatedResult": {"boundingBoxes": [{"width": 10, "top": 2, "label": "eye", "left": 3, "height": 4}],
                                   "inputImageProperties": {"width": 64, "height": 48}}}
        assert preview.submit(2, box).status_code == 200
        assert preview.next_out_line() == (
            '{"annotatedResult":{"boundingBoxes":[{"height":4,"label":"eye","left":3,"top":2,"width":10}],'
            '"inputImageProperties":{"height":48,"width":64}}}')
        code, out, err = preview.stop()
    assert (code, out, err) == (0, "", "")


def test_the_template_manifest_and_images_may_be_in_s3(tmp_path: Path, s3_bucket: S3Bucket, s3_client: Any) -> None:
    for key, body in (("t/template.liquid.html", TEMPLATE.encode()), ("img/owl.png", b"s3 owl"),
                      ("m/manifest.jsonl", json.dumps(dict(TASK, taskObject=s3_bucket.uri("img/owl.png"),
                                                           source="x")).encode())):
        s3_client.put_object(Bucket=s3_bucket.bucket_name, Key=key, Body=body)
    with running_preview(tmp_path, s3_bucket.uri("t/template.liquid.html"), "--manifest",
                         s3_bucket.uri("m/manifest.jsonl"),
                         env={"CROWDFORM_S3_ENDPOINT_URL": s3_bucket.endpoint_url}) as preview:
        item = preview.client.get("/items/1").json()
        assert item["label"] == f"{s3_bucket.uri('m/manifest.jsonl')} line 1 (datasetObjectId 0)"
        url = re.search(r'<img src="(/files/[^"]+)"', item["page"])
        assert url is not None, item
        assert preview.client.get(url[1]).content == b"s3 owl"
        code, _, _ = preview.stop()
    assert code == 0


def test_hook_failures_and_template_errors_show_on_the_page_and_the_server_keeps_going(tmp_path: Path) -> None:
    write_task(tmp_path)
    (tmp_path / "hook.py").write_text(
        "def lambda_handler(event, context):\n"
        "    if event['dataObject']['source'] == 'skip':\n"
        "        return {'isHumanAnnotationRequired': False}\n"
        "    return {'taskInput': {'labels': ['a'], 'header': event['dataObject']['source']}}\n")
    (tmp_path / "manifest.jsonl").write_text('{"source": "skip"}\n{"source": "x"}\n')
    with running_preview(tmp_path, "template.liquid.html", "--manifest", "manifest.jsonl", "--pre-hook", "hook.py",
                         "--strict") as preview:
        skipped = preview.client.get("/items/1").json()
        assert (skipped["state"], skipped["page"], skipped["message"]) == ("skipped", None, (
            "The pre-annotation hook replied isHumanAnnotationRequired: false, so a job would give this data object "
            "to no worker."))
        strict = preview.client.get("/items/2").json()
        assert strict["page"] is None
        assert strict["error"] == (
            "template.liquid.html: line 3, field 'task.input.taskObject': column 16: not in the task input. Return "
            "the key from the pre-annotation hook's taskInput (or put it in the manifest line), or test it first "
            "with {% if %}")

        (tmp_path / "template.liquid.html").write_text("<crowd-form>\n  {% if task.input.header %}\n</crowd-form>\n")
        edited = preview.client.get("/items/2").json()
        assert edited["error"] == (
            "template.liquid.html: line 2: column 6: expected tag endif, found end of expression "
            "(got '{% if task.input.header %}'). Close the block with {% endif %}")
        (tmp_path / "hook.py").unlink()  # the process is warm: the hook keeps working
        (tmp_path / "template.liquid.html").write_text("<p>{{ task.input.header }}</p>")
        assert preview.client.get("/items/2").json()["page"].endswith("<p>x</p>")
        code, _, _ = preview.stop()
    assert code == 0


def test_a_template_that_does_not_compile_stops_the_command_with_line_and_column(tmp_path: Path) -> None:
    write_task(tmp_path, template="<crowd-form>\n  {{ task.input.labels | no_such_filter }}\n</crowd-form>\n")
    run = run_crowdform(tmp_path, "preview", "template.liquid.html", "--input", "task.json", "--port", "0")
    assert run.error().startswith("error: template.liquid.html: line 2: column ")
    assert "no_such_filter" in run.err and run.out == ""


def test_options_that_do_not_go_together_are_refused(tmp_path: Path) -> None:
    write_task(tmp_path)
    neither = run_crowdform(tmp_path, "preview", "template.liquid.html")
    assert neither.error() == (
        "error: crowdform preview: give either --input or --manifest. --input TASK.json previews one task input; "
        "--manifest M previews each line of M\n")
    both = run_crowdform(tmp_path, "preview", "template.liquid.html", "--input", "task.json", "--manifest", "m")
    assert both.error() == neither.error()
    hook = run_crowdform(tmp_path, "preview", "template.liquid.html", "--input", "task.json", "--pre-hook", "h.py")
    assert hook.error() == (
        "error: --pre-hook: runs on manifest lines, so it needs --manifest (got 'h.py'). An --input file is already "
        "the task input (what the hook would return)\n")


def test_a_port_in_use_is_named(tmp_path: Path) -> None:
    write_task(tmp_path)
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        run = run_crowdform(tmp_path, "preview", "template.liquid.html", "--input", "task.json", "--port", str(port))
    assert run.error() == (
        f"error: --host 127.0.0.1 --port {port}: cannot listen there: Address already in use. Choose another --port "
        "(0 picks a free one), or an address of this machine\n")
