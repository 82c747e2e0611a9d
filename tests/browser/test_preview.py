"""``crowdform preview`` in a real browser: the task in the sandboxed frame, the page's Submit, the answer on stdout."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import png_bytes
from tests.browser.helpers import screenshot
from tests.cli.test_preview import PreviewProcess, running_preview

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Frame, Page

TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-classifier name="animal" categories="{{ task.input.labels | to_json | escape }}" header="Which animal is it?">
    <classification-target><img src="{{ task.input.image | grant_read_access }}" alt="animal"></classification-target>
  </crowd-classifier>
  <crowd-input name="note" label="Anything to add?"></crowd-input>
</crowd-form>
"""
# The frame announces itself to the page when its DOM is ready: once it has loaded, the page's Submit reaches it.
LOADED = "document.readyState === 'complete' && !!customElements.get('crowd-form')"


def task_frame(page: Page, first_category: str) -> Frame:
    """The task frame once it holds the page whose first category is ``first_category``, fully loaded."""
    from playwright.sync_api import expect

    handle = page.locator("#task-frame").element_handle()
    assert handle is not None
    frame = handle.content_frame()
    assert frame is not None
    expect(frame.locator("crowd-classifier .category .text").first).to_have_text(first_category)
    frame.wait_for_function(LOADED)
    return frame


@dataclass
class PreviewPage:
    preview: PreviewProcess
    page: Page
    errors: list[str]

    def wait_for_item(self, number: int) -> None:
        self.page.wait_for_function(f"document.getElementById('position').textContent === 'Item {number} of 3'")


@pytest.fixture
def preview_page(browser: Browser, tmp_path: Path) -> Iterator[PreviewPage]:
    """``crowdform preview`` of three manifest lines through a hook that fails on the third, open in a page."""
    (tmp_path / "owl.png").write_bytes(png_bytes(160, 120))
    (tmp_path / "template.liquid.html").write_text(TEMPLATE)
    lines = [{"source-ref": "owl.png", "labels": ["owl", "fox"]}, {"source-ref": "owl.png", "labels": ["cat", "dog"]},
             {"source-ref": "missing.png"}]
    (tmp_path / "manifest.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    (tmp_path / "hook.py").write_text(
        "def lambda_handler(event, context):\n"
        "    line = event['dataObject']\n"
        "    return {'taskInput': {'image': line['source-ref'], 'labels': line['labels']}}\n")
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        with running_preview(tmp_path, "template.liquid.html", "--manifest", "manifest.jsonl",
                             "--pre-hook", "hook.py") as preview:
            page = context.new_page()
            opened = PreviewPage(preview, page, [])
            page.on("pageerror", lambda error: opened.errors.append(str(error)))
            page.goto(preview.url)
            yield opened
            code, out, _ = preview.stop()
            assert (code, out, opened.errors) == (0, "", [])  # Ctrl+C, nothing unread on stdout, no script errors
    finally:
        context.close()


def test_an_answer_given_in_the_page_is_printed_and_shown_and_the_next_item_follows(preview_page: PreviewPage) -> None:
    preview, page = preview_page.preview, preview_page.page
    frame = task_frame(page, "owl")
    assert page.locator("#position").inner_text() == "Item 1 of 3"
    assert page.locator("#item-label").inner_text() == "manifest.jsonl line 1 (datasetObjectId 0)"
    assert page.locator("#previous").is_disabled()
    assert frame.evaluate("document.querySelector('img').naturalWidth") == 160  # a signed /files/ URL

    frame.locator("crowd-classifier .category", has_text="fox").click()
    frame.locator("crowd-input[name=note] input").fill("Æsop's fox")
    page.locator("#submit").click()

    assert preview.next_out_line() == '{"animal":{"label":"fox"},"note":"Æsop\'s fox"}'
    preview_page.wait_for_item(2)
    assert page.url == preview.url + "#2"  # so a reload after editing the template shows item 2 again
    assert page.locator("#status").inner_text() == "Saved item 1."
    assert page.locator("#answer-title").inner_text() == "Answer to item 1 (printed on stdout)"
    assert json.loads(page.locator("#answer-json").inner_text()) == {"animal": {"label": "fox"}, "note": "Æsop's fox"}
    second = task_frame(page, "cat")
    assert second.locator("crowd-classifier .category .text").all_inner_texts() == ["cat", "dog"]
    screenshot(page, "preview")

    page.locator("#submit").click()  # nothing chosen: crowd-form refuses, and nothing is printed
    assert second.get_by_text("Choose a category.", exact=True).is_visible()


def test_a_failed_hook_shows_on_the_page_and_the_other_items_still_work(preview_page: PreviewPage) -> None:
    preview, page = preview_page.preview, preview_page.page
    task_frame(page, "owl")
    page.locator("#next").click()
    preview_page.wait_for_item(2)
    task_frame(page, "cat")
    page.locator("#next").click()
    preview_page.wait_for_item(3)
    page.get_by_role("alert").wait_for()
    assert page.locator("#problem-title").inner_text() == "The pre-annotation hook failed"
    assert page.locator("#problem-text").inner_text().startswith(
        "pre-annotation hook failed: Hook 'hook' (")
    assert "raised KeyError: 'labels'" in page.locator("#problem-text").inner_text()
    assert page.locator("#submit").is_disabled() and page.locator("#next").is_disabled()
    assert not page.locator("#task-frame").is_visible()
    screenshot(page, "preview-hook-failed")

    page.locator("#previous").click()  # the frame comes back, laid out and working
    preview_page.wait_for_item(2)
    frame = task_frame(page, "cat")
    assert page.locator("#problem").is_hidden()
    frame.locator("crowd-classifier .category", has_text="dog").click()
    page.locator("#submit").click()
    assert preview.next_out_line() == '{"animal":{"label":"dog"}}'
    preview_page.wait_for_item(3)
