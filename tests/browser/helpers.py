"""Helpers for the browser tests: reading answers, submitting, screenshots."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pathlib import Path

if TYPE_CHECKING:
    from playwright.sync_api import Frame, Page

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
ANSWERS_BOX = "document.querySelector('crowd-form').shadowRoot.querySelector('#answers-box')"


def preview_answer(page: Page | Frame, timeout: float = 5000) -> dict[str, Any]:
    """The answer shown in crowd-form's #answers-box (preview mode, spec 4.8), parsed."""
    page.wait_for_function(f"!{ANSWERS_BOX}.hidden", timeout=timeout)
    shown = json.loads(page.evaluate(f"{ANSWERS_BOX}.textContent"))
    assert isinstance(shown, list) and len(shown) == 1, shown
    return shown[0]  # type: ignore[no-any-return]


def announced(page: Page | Frame) -> list[dict[str, Any]]:
    """Every answer announced with the `crowd-answer` event so far."""
    return page.evaluate("window.__crowdAnswers")  # type: ignore[no-any-return]


def submit(page: Page | Frame) -> None:
    """Click the (last) visible Submit button of the form, as a worker would."""
    page.locator("crowd-form crowd-button[form-action=submit]").last.click()


def submit_and_read(page: Page) -> dict[str, Any]:
    submit(page)
    return preview_answer(page)


def blocked(page: Page | Frame) -> bool:
    """True when no answer has been produced (the submission was blocked)."""
    return not announced(page) and page.evaluate(f"{ANSWERS_BOX}.hidden")  # type: ignore[no-any-return]


def form_errors(page: Page | Frame) -> str:
    """Text of crowd-form's visible validation banner ("" when hidden)."""
    return page.evaluate(  # type: ignore[no-any-return]
        "(() => { const b = document.querySelector('crowd-form').shadowRoot.querySelector('.form-errors');"
        " return b.hidden ? '' : b.textContent; })()")


def shadow_text(page: Page | Frame, host: str, selector: str) -> str:
    return page.evaluate(  # type: ignore[no-any-return]
        "([h, s]) => { const n = document.querySelector(h).shadowRoot.querySelector(s); return n ? n.textContent : null; }",
        [host, selector])


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
