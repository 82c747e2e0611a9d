"""``crowdform preview --gallery`` in Chromium: every element's sample upgrades in the task frame without errors.

Each sample gets a screenshot (``test-output/screenshots/gallery-<element>.png``) for review.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from crowdform.web.gallery import Sample, gallery_samples
from tests.browser.helpers import screenshot
from tests.cli.test_preview import PreviewProcess, running_preview

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Frame, Page

SAMPLES = gallery_samples()
# The element is in the frame's page, defined, and upgraded (the library defines everything while its script runs).
UPGRADED = ("([tag]) => document.readyState === 'complete' && !!customElements.get(tag)"
            " && !!document.querySelector(tag) && document.querySelector(tag).matches(':defined')")


@dataclass
class GalleryPage:
    gallery: PreviewProcess
    page: Page
    problems: list[str] = field(default_factory=list)
    """Uncaught errors and console errors, of the page and of its task frame."""

    def open_sample(self, number: int, sample: Sample) -> Frame:
        """Item ``number`` of the sample page, once its element has upgraded in the task frame."""
        from playwright.sync_api import expect

        self.page.goto(f"{self.gallery.url}samples#{number}")
        expect(self.page.locator("#item-label")).to_have_text(sample.label)
        handle = self.page.locator("#task-frame").element_handle()
        assert handle is not None
        frame = handle.content_frame()
        assert frame is not None
        frame.wait_for_function(UPGRADED, arg=[sample.element])
        return frame


@pytest.fixture(scope="module")
def gallery_page(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GalleryPage]:
    tmp_path: Path = tmp_path_factory.mktemp("gallery")
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        with running_preview(tmp_path, "--gallery") as gallery:
            opened = GalleryPage(gallery, context.new_page())
            opened.page.on("pageerror", lambda error: opened.problems.append(f"uncaught: {error}"))
            opened.page.on("console", lambda message: opened.problems.append(f"console: {message.text}")
                           if message.type == "error" and not message.location["url"].endswith("/favicon.ico")
                           else None)
            yield opened
            code, out, _ = gallery.stop()
            assert (code, out) == (0, "")  # Ctrl+C, nothing unread on stdout
    finally:
        context.close()


def test_the_index_links_every_sample(gallery_page: GalleryPage) -> None:
    page = gallery_page.page
    page.goto(gallery_page.gallery.url)
    links = page.locator(".elements a")
    assert links.all_inner_texts() == [f"<{sample.element}>" for sample in SAMPLES]
    screenshot(page, "gallery-index")
    links.filter(has_text="<crowd-bounding-box>").click()
    number = next(n for n, sample in enumerate(SAMPLES, start=1) if sample.element == "crowd-bounding-box")
    page.wait_for_url(f"**/samples#{number}")
    assert gallery_page.problems == []


@pytest.mark.parametrize("number,sample", list(enumerate(SAMPLES, start=1)), ids=[s.element for s in SAMPLES])
def test_each_sample_upgrades_without_errors(gallery_page: GalleryPage, number: int, sample: Sample) -> None:
    gallery_page.problems.clear()
    gallery_page.open_sample(number, sample)
    assert gallery_page.page.locator("#position").inner_text() == f"Item {number} of {len(SAMPLES)}"
    gallery_page.page.wait_for_timeout(300)  # let images load and tools lay out before the screenshot
    screenshot(gallery_page.page, f"gallery-{sample.element}")
    assert gallery_page.problems == []


def test_a_sample_answer_is_shown_on_the_page_and_printed(gallery_page: GalleryPage) -> None:
    from playwright.sync_api import expect

    gallery_page.problems.clear()
    number, sample = next((n, s) for n, s in enumerate(SAMPLES, start=1) if s.element == "crowd-toggle-button")
    frame = gallery_page.open_sample(number, sample)
    frame.locator("crowd-toggle-button[name=offensive]").click()
    gallery_page.page.locator("#submit").click()
    line = '{"offensive":{"offensive":true},"theToggler":{"on":true}}'
    assert gallery_page.gallery.next_out_line() == line
    page = gallery_page.page
    expect(page.locator("#answer-title")).to_have_text(f"Answer to item {number} (printed on stdout)")
    assert json.loads(page.locator("#answer-json").inner_text()) == json.loads(line)
    assert gallery_page.problems == []
