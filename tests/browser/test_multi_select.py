"""crowd-classifier-multi-select (5.8) and crowd-image-classifier-multi-select (5.13): toggling with
the mouse and number keys, answer order, the exclusion choice, validation and worker comments.
Checklist CM-1, CM-2, IM-1."""

from __future__ import annotations

from tests.browser.helpers import blocked, form_errors, preview_answer, screenshot

MULTI = """<crowd-form><crowd-classifier-multi-select name="category" categories="['Positive','Negative','Neutral']"
  header="Which sentiments apply?" {extra}>
  <classification-target><p id="target">Great phone, awful battery.</p></classification-target>
  <short-instructions><p>Pick every sentiment that applies.</p></short-instructions>
</crowd-classifier-multi-select></crowd-form>
<script>window.changes = [];
const tool = document.querySelector('crowd-classifier-multi-select');
tool.addEventListener('change', (e) => {{ if (e.target === tool) changes.push(e.target.value.slice()); }});</script>"""

IMAGE = """<crowd-form><crowd-image-classifier-multi-select name="animals" src="/img/320x240.png"
  categories="['Cat','Dog','Bird']" header="Which animals are in the image?" {extra}>
  <short-instructions><p>Pick all animals.</p></short-instructions>
  <worker-comment header="Why?" link-text="Add a comment" placeholder="Tell us">Explain.</worker-comment>
</crowd-image-classifier-multi-select></crowd-form>"""


def tool_submit(page, tool):
    page.locator(f"{tool} crowd-button.tool-submit").click()


def category(page, tool, text):
    return page.locator(f"{tool} .category", has_text=text)


def test_cm1_click_neutral_then_positive_answers_in_categories_order(open_crowd_page):
    tool = "crowd-classifier-multi-select"
    page = open_crowd_page(MULTI.format(extra=""))
    assert page.locator(f"{tool} .tool-header").inner_text() == "Which sentiments apply?"
    category(page, tool, "Neutral").click()
    category(page, tool, "Positive").click()
    category(page, tool, "Negative").click()
    category(page, tool, "Negative").click()  # toggles off again
    assert category(page, tool, "Positive").get_attribute("aria-checked") == "true"
    assert category(page, tool, "Negative").get_attribute("aria-checked") == "false"
    assert page.evaluate("window.changes") == [["Neutral"], ["Positive", "Neutral"], ["Positive", "Negative", "Neutral"],
                                                ["Positive", "Neutral"]]
    screenshot(page, "crowd-classifier-multi-select")
    tool_submit(page, tool)
    assert preview_answer(page) == {"category": {"labels": ["Positive", "Neutral"]}}
    assert page.locator("crowd-form crowd-button[form-action=submit]").count() == 0


def test_number_keys_toggle_and_arrow_keys_only_move(open_crowd_page):
    tool = "crowd-classifier-multi-select"
    page = open_crowd_page(MULTI.format(extra=""))
    page.keyboard.press("3")
    page.keyboard.press("2")
    page.keyboard.press("3")
    assert page.evaluate("document.querySelector('crowd-classifier-multi-select').value") == ["Negative"]
    category(page, tool, "Positive").focus()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.querySelector('crowd-classifier-multi-select').value") == ["Negative"]
    page.keyboard.press("Space")  # the focused Negative toggles off
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # Neutral on
    tool_submit(page, tool)
    assert preview_answer(page) == {"category": {"labels": ["Neutral"]}}


def test_nothing_chosen_is_blocked(open_crowd_page):
    tool = "crowd-classifier-multi-select"
    page = open_crowd_page(MULTI.format(extra=""))
    tool_submit(page, tool)
    assert blocked(page)
    assert "Choose at least one category." in form_errors(page)
    category(page, tool, "Negative").click()
    tool_submit(page, tool)
    assert preview_answer(page) == {"category": {"labels": ["Negative"]}}


def test_cm2_exclusion_clears_and_disables_the_categories(open_crowd_page):
    tool = "crowd-classifier-multi-select"
    page = open_crowd_page(MULTI.format(extra="exclusion-category=\"{ text: 'None of the above' }\""))
    category(page, tool, "Positive").click()
    category(page, tool, "None of the above").click()
    for text in ("Positive", "Negative", "Neutral"):
        assert category(page, tool, text).is_disabled()
        assert category(page, tool, text).get_attribute("aria-checked") == "false"
    page.keyboard.press("1")  # disabled categories ignore keys
    # choosing the exclusion again re-enables the categories
    category(page, tool, "None of the above").click()
    assert not category(page, tool, "Positive").is_disabled()
    category(page, tool, "None of the above").click()
    screenshot(page, "crowd-classifier-multi-select-exclusion")
    tool_submit(page, tool)
    assert preview_answer(page) == {"category": {"labels": ["None of the above"]}}


def test_dynamic_categories_and_value(open_crowd_page):
    tool = "crowd-classifier-multi-select"
    page = open_crowd_page(MULTI.format(extra="") + """<script>
      document.addEventListener('all-crowd-elements-ready', () => { tool.categories = ['A', 'B', 'C']; });</script>""")
    category(page, tool, "C").click()
    category(page, tool, "A").click()
    assert page.evaluate("document.querySelector('crowd-classifier-multi-select').getAttribute('categories')") == \
        "['Positive','Negative','Neutral']"
    tool_submit(page, tool)
    assert preview_answer(page) == {"category": {"labels": ["A", "C"]}}


def test_im1_image_multi_select_blocked_then_bird(open_crowd_page):
    tool = "crowd-image-classifier-multi-select"
    page = open_crowd_page(IMAGE.format(extra=""))
    page.wait_for_function(
        "document.querySelector('crowd-image-classifier-multi-select').shadowRoot.querySelector('.image').naturalWidth === 320")
    tool_submit(page, tool)
    assert blocked(page)
    assert page.locator(f"{tool} .category-picker-wrapper .crowd-error").inner_text() == "Choose at least one category."
    category(page, tool, "Bird").click()
    screenshot(page, "crowd-image-classifier-multi-select")
    tool_submit(page, tool)
    assert preview_answer(page) == {"animals": {"labels": ["Bird"]}}


def test_image_multi_select_worker_comment_and_exclusion(open_crowd_page):
    tool = "crowd-image-classifier-multi-select"
    page = open_crowd_page(IMAGE.format(extra="exclusion-category=\"{ text: 'No animals' }\""))
    page.keyboard.press("1")
    page.keyboard.press("2")
    page.locator(f"{tool} .comment-link").click()
    page.locator(f"{tool} .comment-box").fill("two of them")
    page.locator(f"{tool} .save").click()
    tool_submit(page, tool)
    assert preview_answer(page) == {"animals": {"labels": ["Cat", "Dog"], "workerComment": "two of them"}}


def test_image_multi_select_exclusion(open_crowd_page):
    tool = "crowd-image-classifier-multi-select"
    page = open_crowd_page(IMAGE.format(extra="exclusion-category=\"{ text: 'No animals' }\""))
    category(page, tool, "Dog").click()
    category(page, tool, "No animals").click()
    tool_submit(page, tool)
    assert preview_answer(page) == {"animals": {"labels": ["No animals"]}}
