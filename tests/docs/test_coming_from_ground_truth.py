"""docs/coming-from-ground-truth.md runs as written: a Ground Truth notebook's boto3 flow on the embedded default.

Every block is run in page order (``page_runner``) against a real ``crowdform serve`` on a fresh data
folder and a free loopback port: credentials, bucket and uploads, CreateWorkteam, workers added with
the CLI, the Lambda files registered as hooks, CreateLabelingJob, scripted workers labeling through
the worker API, DescribeLabelingJob until Completed, and the output manifest downloaded. The test
then reads that manifest: the consolidation Lambda's majority labels must be in it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.docs.page_blocks import page_blocks, untested
from tests.docs.page_runner import REPO, PageRun, reader_environment
from tests.fixtures.servers import free_port

PAGE = REPO / "docs" / "coming-from-ground-truth.md"
EXPECTED = [("red.png", "red", 2), ("green.png", "green", 2), ("blue.png", "blue", 3)]


def run_page(tmp_path: Path, database_url: str) -> tuple[PageRun, Path]:
    folder = tmp_path / "notebook"
    folder.mkdir()
    env = reader_environment(tmp_path, free_port(), None if database_url.startswith("sqlite") else database_url)
    run = PageRun(PAGE, folder, env)
    try:
        for block in page_blocks(PAGE):
            if block.action is not None:
                run.step(block)
                if block.prints is not None:
                    assert run.printed[block.line].strip() == block.prints.strip(), block.where(PAGE)
    finally:
        run.close()
    return run, folder


def consolidated_labels(manifest: Path) -> list[tuple[str, str, int]]:
    lines = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines()]
    return [(line["source-ref"].rsplit("/", 1)[-1], line["colour"]["label"], line["colour"]["votes"])
            for line in lines]


def test_blocks_are_read_with_their_tags_and_what_they_print(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("Intro\n\n```bash background\nserve\n```\n\n```python run\nprint(1)\n```\n\n```text\n1\n```\n\n"
                    "```html file=t/a.html\n<p>\n```\n\n```python\nshown()\n```\n\n```text\nnot output\n```\n")
    blocks = page_blocks(page)
    assert [(b.language, b.action, b.line) for b in blocks] == [
        ("bash", "background", 3), ("python", "run", 7), ("html", "file", 15), ("python", None, 19), ("text", None, 23)]
    assert blocks[1].prints == "1\n" and blocks[2].path == "t/a.html" and blocks[2].text == "<p>\n"
    assert untested(blocks) == [blocks[3]]


def test_the_page_has_no_snippet_that_does_not_run() -> None:
    blocks = page_blocks(PAGE)
    assert not untested(blocks), [b.where(PAGE) for b in untested(blocks)]
    actions = [b.action for b in blocks if b.action is not None]
    assert actions[0] == "background" and actions.count("background") == 1  # the server comes first
    assert {b.path for b in blocks if b.action == "file"} == {
        "colour.liquid.html", "lambdas/pre_annotation.py", "lambdas/post_annotation.py"}
    assert sum(b.prints is not None for b in blocks) == 1  # the output shown is checked


@pytest.mark.slow
def test_the_page_runs_as_written(tmp_path: Path, database_url: str) -> None:
    """The hooks reach crowdform with the endpoint and the job role's credentials crowdform gives them:
    nothing is set up for them in the server's environment."""
    _, folder = run_page(tmp_path, database_url)
    assert consolidated_labels(folder / "output.manifest") == EXPECTED
    image = folder / "crowdform-data" / "buckets" / "gt-colours" / "colours" / "images" / "red.png"
    assert image.read_bytes() == (folder / "images" / "red.png").read_bytes()  # the embedded store: plain files
