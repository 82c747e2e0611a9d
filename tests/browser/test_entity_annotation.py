"""crowd-entity-annotation (5.9): span selection with the mouse (drag, double-click), labels by click
and keys 1-9, relabelling, removal, overlapping spans, initial-value, UTF-16 offsets, the inner
crowd-form with extra questions (4.11 pattern 7) and the nested case (Q 26). Checklist EA-1..EA-4."""

from __future__ import annotations

import json

from tests.browser.helpers import preview_answer, screenshot, submit

EA = "document.querySelector('crowd-entity-annotation')"
INNER_BOX = f"{EA}.shadowRoot.querySelector('crowd-form').shadowRoot.querySelector('#answers-box')"

SIFT = """<crowd-entity-annotation name="crowd-entity-annotation" header="Tag the recipe"
  labels="[{'label':'verb'},{'label':'number', 'shortDisplayName': 'num', 'fullDisplayName': 'Number'},{'label':'object'}]"
  text="Sift 3 cups of flour into the bowl." EXTRA>
  <full-instructions header="Guide"><p>Everything.</p></full-instructions>
  <short-instructions><p id="short">Tag verbs, numbers and objects.</p></short-instructions>
  CHILDREN
</crowd-entity-annotation>"""

EXPECTED_SIFT = [
    {"endOffset": 4, "label": "verb", "startOffset": 0},
    {"endOffset": 6, "label": "number", "startOffset": 5},
    {"endOffset": 20, "label": "object", "startOffset": 15},
    {"endOffset": 34, "label": "object", "startOffset": 30},
]


def sift(extra="", children=""):
    return SIFT.replace("EXTRA", extra).replace("CHILDREN", children)


def standalone_answer(page, timeout=5000):
    page.wait_for_function(f"!{INNER_BOX}.hidden", timeout=timeout)
    shown = json.loads(page.evaluate(f"{INNER_BOX}.textContent"))
    assert isinstance(shown, list) and len(shown) == 1, shown
    return shown[0]


def char_box(page, i, host="crowd-entity-annotation"):
    return page.evaluate(
        "([h, i]) => { const r = document.querySelector(h).shadowRoot.querySelectorAll('.ea-text .c')[i]"
        ".getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; }", [host, i])


def drag(page, start, end, host="crowd-entity-annotation"):
    """Highlight characters [start, end) with the mouse."""
    a, b = char_box(page, start, host), char_box(page, end - 1, host)
    x0, x1 = (a["x"] + 1, a["x"] + a["w"] - 3) if start == end - 1 else (a["x"] + a["w"] * 0.4, b["x"] + b["w"] * 0.6)
    page.mouse.move(x0, a["y"] + a["h"] / 2)
    page.mouse.down()
    page.mouse.move(x1, b["y"] + b["h"] / 2, steps=4)
    page.mouse.up()


def click_char(page, i, host="crowd-entity-annotation"):
    b = char_box(page, i, host)
    page.mouse.click(b["x"] + b["w"] / 2, b["y"] + b["h"] / 2)


def tags(page):
    return page.evaluate(f"[...{EA}.shadowRoot.querySelectorAll('.tag')].map((t) => t.firstChild.data)")


def label(page, text):
    return page.locator("crowd-entity-annotation .ea-label", has_text=text)


def tool_submit(page):
    page.locator("crowd-entity-annotation crowd-button.tool-submit").click()


def test_ea1_label_then_highlight_and_highlight_then_label(open_crowd_page):
    page = open_crowd_page(sift(extra="", children=""))
    assert page.locator("crowd-entity-annotation .tool-header").first.inner_text() == "Tag the recipe"
    assert page.locator("#short").is_visible()
    label(page, "verb").click()  # arm a label, then highlight
    drag(page, 0, 4)
    page.keyboard.press("Escape")
    drag(page, 5, 6)  # highlight, then choose the label in context with a key
    page.keyboard.press("2")
    label(page, "object").click()
    drag(page, 15, 20)
    page.mouse.dblclick(char_box(page, 32)["x"] + 2, char_box(page, 32)["y"] + 8)  # a word by double-click
    assert tags(page) == ["verb", "num", "object", "object"]
    screenshot(page, "crowd-entity-annotation")
    tool_submit(page)
    assert standalone_answer(page) == {"crowd-entity-annotation": {"entities": EXPECTED_SIFT}}
    assert page.evaluate("window.__crowdAnswers") == [{"crowd-entity-annotation": {"entities": EXPECTED_SIFT}}]


def test_relabel_remove_and_overlap(open_crowd_page):
    page = open_crowd_page(sift(extra="", children=""))
    page.keyboard.press("3")  # arm object
    drag(page, 15, 20)  # flour
    drag(page, 7, 20)  # "cups of flour" overlaps it
    page.keyboard.press("Escape")
    drag(page, 0, 4)
    page.keyboard.press("3")  # Sift as object ...
    click_char(page, 1)  # ... select it by clicking, relabel as verb
    label(page, "verb").click()
    drag(page, 22, 26)  # "into": pending
    page.keyboard.press("1")
    click_char(page, 23)
    page.keyboard.press("Delete")  # removed again
    # remove "cups of flour" with the X on its tag
    page.locator("crowd-entity-annotation .tag", has_text="object").first.locator(".x").click()
    # clicking exactly the same span again selects it rather than adding a duplicate
    drag(page, 15, 20)
    page.keyboard.press("2")  # relabel flour: number
    tool_submit(page)
    assert standalone_answer(page) == {"crowd-entity-annotation": {"entities": [
        {"endOffset": 4, "label": "verb", "startOffset": 0},
        {"endOffset": 20, "label": "number", "startOffset": 15}]}}


def test_overlapping_spans_are_separate_entries(open_crowd_page):
    page = open_crowd_page(sift(extra="", children=""))
    page.keyboard.press("3")
    drag(page, 7, 20)
    drag(page, 15, 20)
    click_char(page, 16)  # selects the shorter span
    page.keyboard.press("1")
    click_char(page, 16)
    click_char(page, 16)  # cycles back to the shorter one
    tool_submit(page)
    assert standalone_answer(page) == {"crowd-entity-annotation": {"entities": [
        {"endOffset": 20, "label": "object", "startOffset": 7},
        {"endOffset": 20, "label": "verb", "startOffset": 15}]}}


def test_ea2_extra_questions_appended_to_the_inner_form(open_crowd_page):
    questions = """<div id="additionalQuestions" style="margin-top: 20px"><h3>What is the dominant topic?</h3>
      <crowd-radio-group><crowd-radio-button name="tech" value="tech">Technology</crowd-radio-button>
      <crowd-radio-button name="politics" value="politics">Politics</crowd-radio-button></crowd-radio-group></div>"""
    page = open_crowd_page(sift(extra="", children=questions) + """<script>
      document.addEventListener('all-crowd-elements-ready', () => {
        document.querySelector('crowd-entity-annotation').shadowRoot.querySelector('crowd-form').form
          .appendChild(document.getElementById('additionalQuestions'));
      });</script>""")
    page.wait_for_function(f"{EA}.shadowRoot.querySelector('#additionalQuestions')")
    page.locator("crowd-entity-annotation crowd-radio-button", has_text="Politics").click()
    page.locator("crowd-entity-annotation crowd-radio-button", has_text="Technology").click()
    page.keyboard.press("1")
    drag(page, 0, 4)
    screenshot(page, "crowd-entity-annotation-extra-questions")
    tool_submit(page)
    assert standalone_answer(page) == {
        "crowd-entity-annotation": {"entities": [{"endOffset": 4, "label": "verb", "startOffset": 0}]},
        "politics": {"politics": False}, "tech": {"tech": True}}


def test_ea3_initial_value_untouched(open_crowd_page):
    page = open_crowd_page(sift(extra="initial-value=\"[{label: 'verb', startOffset: 0, endOffset: 4}, "
                                             "{label: 'x', startOffset: 3, endOffset: 99}]\"", children=""))
    assert tags(page) == ["verb"]
    tool_submit(page)
    assert standalone_answer(page) == {"crowd-entity-annotation": {"entities": [
        {"endOffset": 4, "label": "verb", "startOffset": 0}]}}


def test_ea4_utf16_offsets_and_plain_string_labels(open_crowd_page):
    page = open_crowd_page("""<crowd-entity-annotation name="ner" labels='["PER","LOC"]' text="😀 ab"></crowd-entity-annotation>""")
    page.keyboard.press("2")
    drag(page, 2, 4)  # code points: 😀, space, a, b -> "ab"
    tool_submit(page)
    assert standalone_answer(page) == {"ner": {"entities": [{"endOffset": 5, "label": "LOC", "startOffset": 3}]}}


def test_nested_in_crowd_form_is_an_ordinary_tool(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-entity-annotation name="ents" labels="['A','B']" text="one two">
      </crowd-entity-annotation><crowd-input name="note" value="n"></crowd-input></crowd-form>""")
    assert page.locator("crowd-entity-annotation crowd-button.tool-submit").count() == 0
    assert page.evaluate(f"{EA}.shadowRoot.querySelector('crowd-form')") is None
    page.keyboard.press("2")
    drag(page, 4, 7)
    submit(page)
    assert preview_answer(page) == {"ents": {"entities": [{"endOffset": 7, "label": "B", "startOffset": 4}]}, "note": "n"}


def test_other_children_are_shown_in_the_inner_form_and_submitted_without_moving(open_crowd_page):
    questions = """<div id="q"><crowd-checkbox name="unclear">The text is unclear</crowd-checkbox>
      <crowd-input name="why" label="Why?" required></crowd-input></div>"""
    page = open_crowd_page(sift(children=questions))
    assert page.locator("#q").is_visible()
    page.locator("crowd-checkbox").click()
    tool_submit(page)  # the required input blocks
    assert page.evaluate(f"{INNER_BOX}.hidden") and page.evaluate("window.__crowdAnswers") == []
    page.locator("crowd-input[name=why] input").fill("typos")
    tool_submit(page)
    assert standalone_answer(page) == {"crowd-entity-annotation": {"entities": []}, "unclear": {"on": True}, "why": "typos"}


def test_labels_set_from_script_and_hosted_submission(open_hosted_page):
    task = open_hosted_page(sift() + """<script>
      document.addEventListener('all-crowd-elements-ready', () => {
        const ea = document.querySelector('crowd-entity-annotation');
        ea.labels = ea.labels.concat([{label: 'tool', shortDisplayName: 'T'}]);
      });</script>""")
    frame = task.frame
    frame.wait_for_function(f"{EA}.shadowRoot.querySelectorAll('.ea-label').length === 4")
    assert frame.evaluate(f"{EA}.getAttribute('labels')").startswith("[{'label':'verb'}")
    frame.locator("crowd-entity-annotation .ea-label", has_text="tool").click()
    a, b = char_box(frame, 30), char_box(frame, 33)
    frame.locator("crowd-entity-annotation .ea-text").hover()
    page = task.page
    off = frame.frame_element().bounding_box()
    page.mouse.move(off["x"] + a["x"] + 2, off["y"] + a["y"] + a["h"] / 2)
    page.mouse.down()
    page.mouse.move(off["x"] + b["x"] + b["w"] * 0.6, off["y"] + b["y"] + b["h"] / 2, steps=4)
    page.mouse.up()
    task.send({"crowdform": "submit"})  # the portal's own Submit
    assert task.wait_for_answers() == [{"crowd-entity-annotation": {"entities": [
        {"endOffset": 34, "label": "tool", "startOffset": 30}]}}]


def test_nested_reset_restores_the_initial_value(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-entity-annotation name="ents" labels="['A','B']" text="one two"
      initial-value="[{label: 'A', startOffset: 0, endOffset: 3}]"></crowd-entity-annotation>
      <crowd-button form-action="reset">Reset</crowd-button></crowd-form>""")
    click_char(page, 1)
    page.keyboard.press("2")  # relabel the initial entity
    page.keyboard.press("Escape")
    page.keyboard.press("1")
    drag(page, 4, 7)
    page.locator("crowd-button", has_text="Reset").click()
    assert tags(page) == ["A"]
    click_char(page, 1)
    page.keyboard.press("Backspace")
    submit(page)
    assert preview_answer(page) == {"ents": {"entities": []}}


def test_long_text_stays_responsive(open_crowd_page):
    text = "lorem ipsum dolor sit amet " * 400  # 10,800 characters
    page = open_crowd_page(f'<crowd-entity-annotation name="n" labels="[\'A\']" text="{text}"></crowd-entity-annotation>')
    page.keyboard.press("1")
    for start in range(0, 600, 12):
        page.evaluate(f"{EA}._range({start}, {start + 5})")
    ms = page.evaluate(f"""(() => {{ const ea = {EA}; const t0 = performance.now();
      for (let i = 0; i < 20; i++) {{ ea._pending = [i, i + 30]; ea._mark(); }}
      return (performance.now() - t0) / 20; }})()""")
    assert ms < 40, ms  # one redraw while dragging, 50 entities over 10,800 characters
