"""Real AWS sample templates that reach past the documented elements (issue 12; docs/elements-compatibility.md).

The templates are in ``fixtures/``, reproduced from AWS's repositories with their provenance at the top; each is
rendered by crowdform's own template engine and opened in Chromium as a worker would see it:

* AWS's generative-AI evaluation sample: ``crowd-slider`` with ``<crowd-slider-label>`` children (spec 5.25);
* AWS's document-review sample: a capture-phase listener on ``crowd-bounding-box``'s
  ``awsui-button[data-testid=crowd-submit]`` that cancels the submit while review fields are missing, and
  ``el.value`` and ``el.store.getState().label.labels`` read on ``mouseup``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crowdform.templating import compile_template
from tests.browser.helpers import announced, blocked, preview_answer, screenshot
from tests.browser.test_image_tools import Tool

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PAGE_SIZE = (850, 1100)  # the document page image, pixels


def render(name: str, task_input: dict[str, Any], urls: dict[str, str]) -> str:
    """The fixture ``name`` rendered for ``task_input``; ``grant_read_access`` maps the task's URIs to ``urls``."""
    template = compile_template((FIXTURES / name).read_text(encoding="utf-8"), name)
    return template.render(task_input, grant_read_access=lambda uri: urls[uri], strict=True)


# -- the generative-AI evaluation sample: crowd-slider-label


@pytest.fixture
def evaluation(open_crowd_page: Any) -> Any:
    task_input = {"source": "Describe the image.", "image": "s3://bucket/prompt.png",
                  "modelResponse": "A blue square with darker vertical stripes."}
    html = render("genai-multi-modal-content-evaluation.liquid.html", task_input,
                  {"s3://bucket/prompt.png": "/img/300x200.png"})
    assert html.count("<crowd-slider-label") == 15
    return open_crowd_page.document(html)


def test_genai_evaluation_sample_loads_without_errors_with_defined_slider_labels(evaluation, open_crowd_page):
    page = evaluation
    assert page.evaluate("customElements.get('crowd-slider-label') !== undefined")
    assert page.evaluate("[...document.querySelectorAll('crowd-slider-label')].every((l) => l.matches(':defined'))")
    assert page.evaluate("document.querySelector('crowd-slider-label[position=\"4\"]').position") == 4
    assert open_crowd_page.console_text("error") == ""
    assert open_crowd_page.errors == []
    for name in ("accuracy", "relevance", "completeness"):
        slider = page.locator(f"crowd-slider[name={name}]")
        assert slider.locator(".tick").all_inner_texts() == ["1", "2", "3", "4", "5"]
        assert not slider.locator("crowd-slider-label").first.is_visible()  # shown as ticks, not as text
        # The ticks sit under the knob's positions: evenly spaced, the first and last under the thumb at
        # min and max (the range's thumb is 16 px wide, so its centre runs from 8 px to width - 8 px).
        track = slider.locator("input[type=range]").bounding_box()
        centres = [box["x"] + box["width"] / 2 for box in (t.bounding_box() for t in slider.locator(".tick").all())]
        assert centres[0] == pytest.approx(track["x"] + 8, abs=1)
        assert centres[-1] == pytest.approx(track["x"] + track["width"] - 8, abs=1)
        gaps = [b - a for a, b in zip(centres, centres[1:])]
        assert max(gaps) - min(gaps) < 1
    screenshot(page, "aws-sample-genai-evaluation")


def test_genai_evaluation_sample_submits_the_ratings_as_numbers(evaluation):
    page = evaluation
    page.locator("crowd-slider[name=accuracy] input").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.locator("crowd-slider[name=relevance] input").focus()
    page.keyboard.press("End")
    page.locator("textarea[name=additional-context]").fill("Misses the stripes' colour.")
    page.locator("crowd-form crowd-button[form-action=submit]").click()
    assert preview_answer(page) == {"accuracy": 4, "relevance": 5, "completeness": 1,
                                    "additional-context": "Misses the stripes' colour."}


# -- the document-review sample: the Submit button's capture listener, store and value

# A Textract DetectDocumentText result for the page: two lines, geometry as fractions of the page.
WORDS = [("Rewards", 0.10, 0.10, 0.12), ("Platinum", 0.23, 0.10, 0.13), ("Card", 0.37, 0.10, 0.07),
         ("Agreement", 0.45, 0.10, 0.15), ("Annual", 0.10, 0.20, 0.10), ("Fee:", 0.21, 0.20, 0.06),
         ("None", 0.28, 0.20, 0.07)]
LINES = [("l1", "Rewards Platinum Card Agreement", [0, 1, 2, 3]), ("l2", "Annual Fee: None", [4, 5, 6])]
LABELS = ["Agreement Effective Date", "APR - Introductory", "Fee - Annual", "Card Name"]


def textract_result() -> dict[str, Any]:
    def geometry(left: float, top: float, width: float, height: float) -> dict[str, Any]:
        return {"BoundingBox": {"Left": left, "Top": top, "Width": width, "Height": height}}

    blocks: list[dict[str, Any]] = [{"BlockType": "PAGE", "Id": "p1", "Geometry": geometry(0, 0, 1, 1),
                                     "Relationships": [{"Type": "CHILD", "Ids": [i for i, _, _ in LINES]}]}]
    for line_id, text, words in LINES:
        blocks.append({"BlockType": "LINE", "Id": line_id, "Text": text, "Geometry": geometry(0.1, 0.1, 0.5, 0.02),
                       "Relationships": [{"Type": "CHILD", "Ids": [f"w{n}" for n in words]}]})
    for n, (text, left, top, width) in enumerate(WORDS):
        blocks.append({"BlockType": "WORD", "Id": f"w{n}", "Text": text, "Geometry": geometry(left, top, width, 0.02)})
    return {"DocumentMetadata": {"Pages": 1}, "Blocks": blocks}


@pytest.fixture
def review(open_crowd_page: Any) -> Tool:
    server = open_crowd_page.server
    ocr_url = server.register(json.dumps(textract_result()), prefix="/ocr/")
    task_input = {"source-ref": "s3://bucket/doc-0001.png", "textract-ref": "s3://bucket/doc.pdf/consolidated.json",
                  "page-num": 1}
    html = render("textract-ocr-bbox-and-validation.liquid.html", task_input,
                  {"s3://bucket/doc-0001.png": "/img/{}x{}.png".format(*PAGE_SIZE),
                   "s3://bucket/doc.pdf/consolidated.json": ocr_url})
    page = open_crowd_page.document(html)
    page.wait_for_function("document.getElementById('ocr-status').style.display === 'none'")  # OCR loaded
    return Tool(page, "#annotator").wait_ready()


def draw_card_name_box(tool: Tool) -> None:
    """Pick "Card Name" and draw a box over "Rewards Platinum Card", as a worker would."""
    tool.part('.it-label[data-label="Card Name"]').click()
    tool.drag((75, 99), (378, 143))  # page pixels; the words run from 85 to 374 across, 110 to 132 down
    tool.page.wait_for_function("document.querySelectorAll('#ocr-fields .field-container').length === 1")


def test_document_review_sample_builds_its_review_field_from_value_and_store(review, open_crowd_page):
    tool, page = review, review.page
    draw_card_name_box(tool)
    # What the sample read on mouseup: `annotator.value` (the answer's shape) ...
    value = tool.value()
    assert value == {"boundingBoxes": [{"height": 44, "label": "Card Name", "left": 75, "top": 99, "width": 303}],
                     "inputImageProperties": {"height": PAGE_SIZE[1], "width": PAGE_SIZE[0]}}
    assert tool.eval("el._submittableValue") == value
    field = page.locator("#ocr-fields .field-container")
    assert field.locator(".ocr-output").inner_text() == "Rewards Platinum Card"
    meta = json.loads(field.locator("crowd-input").first.get_attribute("value"))
    assert meta == {"label": "Card Name", "labelId": 3, "boxIxs": [0], "ocrText": "Rewards Platinum Card"}
    # ... and `annotator.store.getState().label.labels`: keyed by label, with the colour the tool draws it in.
    labels = tool.eval("el.store.getState().label.labels")
    swatches = tool.eval("Object.fromEntries([...el.shadowRoot.querySelectorAll('.it-label')]"
                         ".map((b) => [b.dataset.label, getComputedStyle(b.querySelector('.sw')).backgroundColor]))")
    assert list(labels) == LABELS
    for label in LABELS:
        assert labels[label]["label"] == label
        assert rgb(labels[label]["color"]) == swatches[label]
    assert field.evaluate("(el) => getComputedStyle(el).borderTopColor") == swatches["Card Name"]
    assert open_crowd_page.console_text("error") == ""
    screenshot(page, "aws-sample-document-review")


def test_document_review_sample_blocks_the_submit_until_the_review_is_done_then_submits(review):
    tool, page = review, review.page
    draw_card_name_box(tool)
    tool.submit()  # no Correct / Wrong / Unclear chosen: the sample's capture listener cancels
    page.wait_for_function("document.getElementById('ocr-required-fields-error').opened === true")
    page.wait_for_timeout(300)
    assert blocked(page)
    page.locator("#ocr-fields crowd-radio-button", has_text="Correct").click()
    tool.submit()
    answer = preview_answer(page)
    field_id = page.evaluate("window.ocrFields[0].id")
    assert answer == {
        "boxtool": tool.value(),
        f"ocr-{field_id}-meta": json.dumps({"label": "Card Name", "labelId": 3, "boxIxs": [0],
                                            "ocrText": "Rewards Platinum Card"}, separators=(",", ":")),
        f"ocr-{field_id}-correct": {"on": True}, f"ocr-{field_id}-wrong": {"on": False},
        f"ocr-{field_id}-unclear": {"on": False},
    }
    assert len(announced(page)) == 1


def test_document_review_sample_shows_its_correction_field_when_wrong_is_picked(review):
    """The sample watches the `checked` attribute of its "Wrong" radio (a MutationObserver)."""
    tool, page = review, review.page
    draw_card_name_box(tool)
    correction = page.locator("#ocr-fields crowd-input[label='Closest correction']")
    assert correction.is_hidden()
    page.locator("#ocr-fields crowd-radio-button", has_text="Wrong").click()
    correction.wait_for(state="visible")
    assert correction.get_attribute("disabled") is None and correction.get_attribute("required") is not None
    page.locator("#ocr-fields crowd-radio-button", has_text="Correct").click()
    correction.wait_for(state="hidden")
    assert page.locator("#ocr-fields crowd-radio-button[checked]").all_inner_texts() == ["Correct"]


def rgb(hex_color: str) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


# -- the submit hook on its own: either way of cancelling, and the portal's Submit button

HOOKED = """<crowd-form><crowd-bounding-box id="box" name="b" src="/img/400x300.png" labels="['A']">
</crowd-bounding-box></crowd-form><script>
window.cancel = null;  // null: let the submit through; "prevent" or "stop": cancel it that way
window.seen = 0;
document.addEventListener('all-crowd-elements-ready', () => {
  box.shadowRoot.querySelector('awsui-button[data-testid=crowd-submit]').addEventListener('click', (e) => {
    seen++;
    if (cancel === 'prevent') e.preventDefault();
    if (cancel === 'stop') e.stopPropagation();
  }, true);
});
</script>"""


@pytest.mark.parametrize("cancel", ["prevent", "stop"])
def test_a_capture_listener_on_the_submit_button_cancels_with_either_call(open_crowd_page, cancel):
    page = open_crowd_page(HOOKED)
    tool = Tool(page, "#box").wait_ready()
    page.evaluate(f"window.cancel = {json.dumps(cancel)}")
    tool.submit()
    page.keyboard.press("Enter")  # the button keeps focus: the keyboard's click is cancelled too
    page.wait_for_timeout(300)
    assert page.evaluate("window.seen") == 2
    assert blocked(page)
    page.evaluate("window.cancel = null")
    tool.submit()
    assert preview_answer(page)["b"] == {"boundingBoxes": [], "inputImageProperties": {"height": 300, "width": 400}}
    assert page.evaluate("window.seen") == 3


def test_the_portal_submit_goes_through_the_tool_button_and_its_listeners(open_hosted_page):
    task = open_hosted_page(HOOKED)
    frame = task.frame
    frame.wait_for_function("document.getElementById('box').shadowRoot.querySelector('.it-stage').dataset.state"
                            " === 'ready'")
    frame.evaluate("window.cancel = 'stop'")
    task.send({"crowdform": "submit"})
    frame.wait_for_function("window.seen === 1")
    task.page.wait_for_timeout(300)
    assert task.answers() == []
    frame.evaluate("window.cancel = null")
    task.send({"crowdform": "submit"})
    assert task.wait_for_answers() == [{"b": {"boundingBoxes": [], "inputImageProperties": {"height": 300, "width": 400}}}]
    assert frame.evaluate("window.seen") == 2
