"""Augmented AI elements (6): crowd-rekognition-detect-moderation-labels and
crowd-textract-analyze-document, driven with mouse and keyboard. Checklist A-1 to A-4."""

from __future__ import annotations

import json

from tests.browser.helpers import preview_answer, screenshot

REKOGNITION = "crowd-rekognition-detect-moderation-labels"
KEY = "AWS/Rekognition/DetectModerationLabels/Image/V3"


def rekognition(categories, extra=""):
    return f"""<crowd-form><{REKOGNITION} src="/img/320x240.png" header="Review the moderation labels"
  categories="{categories}" {extra}>
  <short-instructions header="Instructions"><p>Select every category that applies.</p></short-instructions>
  <full-instructions header="Moderation help"><p>Details.</p></full-instructions>
</{REKOGNITION}></crowd-form>"""


def category(page, text):
    return page.locator(f"{REKOGNITION} .category", has_text=text)


def tool_submit(page):
    page.locator(f"{REKOGNITION} crowd-button.tool-submit").click()


def test_a1_string_categories(open_crowd_page):
    page = open_crowd_page(rekognition("['Violence','Nudity','Drugs']"))
    assert page.locator(f"{REKOGNITION} .tool-header").inner_text() == "Review the moderation labels"
    category(page, "Violence").click()
    page.keyboard.press("3")  # Drugs on, then off again with the mouse
    category(page, "Drugs").click()
    assert page.locator("crowd-form crowd-button[form-action=submit]").count() == 0
    screenshot(page, REKOGNITION)
    tool_submit(page)
    assert preview_answer(page) == {KEY: {"moderationLabels": ["Violence"]}}
    assert open_crowd_page.console_text("error") == ""


OBJECTS = """[
  { name: 'Gore', parentName: 'Violence', },
  { name: 'Corpses', parentName: 'Violence', },
  { name: 'Nudity', parentName: 'Explicit Nudity', },
]"""


def test_a2_object_categories_come_back_whole_in_categories_order(open_crowd_page):
    page = open_crowd_page(rekognition(OBJECTS))
    category(page, "Corpses").click()
    page.keyboard.press("1")
    tool_submit(page)
    assert preview_answer(page) == {KEY: {"moderationLabels": [
        {"name": "Gore", "parentName": "Violence"}, {"name": "Corpses", "parentName": "Violence"}]}}


def test_a3_exclusion_gives_empty_list_and_nothing_chosen_is_valid(open_crowd_page):
    page = open_crowd_page(rekognition("['Violence','Nudity']", "exclusion-category=\"{ text: 'None of these' }\""))
    category(page, "Nudity").click()
    category(page, "None of these").click()
    assert category(page, "Nudity").is_disabled()
    tool_submit(page)
    assert preview_answer(page) == {KEY: {"moderationLabels": []}}


def test_bare_exclusion_switch_and_empty_answer(open_crowd_page):
    page = open_crowd_page(rekognition("['Violence']", "exclusion-category"))
    category(page, "None of the above").click()
    category(page, "None of the above").click()  # re-enables the categories
    assert not category(page, "Violence").is_disabled()
    tool_submit(page)
    assert preview_answer(page) == {KEY: {"moderationLabels": []}}


TEXTRACT = "crowd-textract-analyze-document"
TX_KEY = "AWS/Textract/AnalyzeDocument/Forms/V1"
BLOCKS = [
    {"blockType": "KEY_VALUE_SET", "confidence": 38.4, "id": "k1",
     "geometry": {"boundingBox": {"width": 0.25, "height": 0.1, "left": 0.05, "top": 0.1},
                  "polygon": [{"x": 0.05, "y": 0.1}, {"x": 0.3, "y": 0.1}, {"x": 0.3, "y": 0.2}, {"x": 0.05, "y": 0.2}]},
     "relationships": [{"type": "CHILD", "ids": ["w1"]}, {"type": "VALUE", "ids": ["v1"]}],
     "entityTypes": ["KEY"], "text": "Name:"},
    {"blockType": "KEY_VALUE_SET", "confidence": 38.4, "id": "v1",
     "geometry": {"boundingBox": {"width": 0.4, "height": 0.1, "left": 0.35, "top": 0.1},
                  "polygon": [{"x": 0.35, "y": 0.1}, {"x": 0.75, "y": 0.1}, {"x": 0.75, "y": 0.2}, {"x": 0.35, "y": 0.2}]},
     "relationships": [{"type": "CHILD", "ids": ["w2"]}], "entityTypes": ["VALUE"], "text": "Jane Doe"},
    {"blockType": "KEY_VALUE_SET", "confidence": 90.1, "id": "k2",
     "geometry": {"boundingBox": {"width": 0.25, "height": 0.1, "left": 0.05, "top": 0.5}},
     "relationships": [{"type": "VALUE", "ids": ["v2"]}], "entityTypes": ["KEY"], "text": "City:"},
    {"blockType": "KEY_VALUE_SET", "confidence": 90.1, "id": "v2",
     "geometry": {"boundingBox": {"width": 0.3, "height": 0.1, "left": 0.35, "top": 0.5}},
     "entityTypes": ["VALUE"], "text": "Seatle"},
    {"blockType": "WORD", "id": "w1", "text": "Name:"},
    {"blockType": "WORD", "id": "w2", "text": "Jane"},
]


def textract(open_crowd_page, extra=""):
    from html import escape
    body = f"""<crowd-form><{TEXTRACT} src="/img/400x300.png" header="Review the key-value pairs"
  initial-value="{escape(json.dumps(BLOCKS))}" block-types="['KEY_VALUE_SET']" {extra}>
  <short-instructions header="Instructions"><p>Check each pair.</p></short-instructions>
  <full-instructions header="Help"><p>Details.</p></full-instructions>
</{TEXTRACT}></crowd-form>"""
    page = open_crowd_page(body)
    page.wait_for_function(f"document.querySelector('{TEXTRACT}').shadowRoot.querySelector('.it-stage').dataset.state === 'ready'")
    return page


def pair_row(page, i):
    return page.locator(f"{TEXTRACT} .tx-pair").nth(i)


def to_client(page, x, y):
    c = page.evaluate(f"document.querySelector('{TEXTRACT}')._imageToClient({x}, {y})")
    return c["x"], c["y"]


def test_a4_edit_value_text_and_submit(open_crowd_page):
    page = textract(open_crowd_page, "no-key-edit no-geometry-edit")
    assert pair_row(page, 0).locator("input[name=key]").is_disabled()  # no-key-edit
    # clicking the second pair's value box on the document selects that pair
    page.mouse.click(*to_client(page, 200, 165))
    assert pair_row(page, 1).get_attribute("aria-selected") == "true"
    page.keyboard.press("v")  # value-box tool: refused under no-geometry-edit
    page.mouse.move(*to_client(page, 10, 10))
    page.mouse.down()
    page.mouse.move(*to_client(page, 100, 100), steps=3)
    page.mouse.up()
    assert page.locator(f"{TEXTRACT} .it-status").inner_text() == "Select a pair you may edit first."
    value = pair_row(page, 1).locator("input[name=value]")
    value.click()
    page.keyboard.press("End")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.type("tle")  # "Seatle" -> "Seattle"
    screenshot(page, TEXTRACT)
    page.locator(f"{TEXTRACT} crowd-button.tool-submit").click()
    expected = json.loads(json.dumps(BLOCKS))
    expected[3]["text"] = "Seattle"
    assert preview_answer(page) == {TX_KEY: {"blocks": expected}}
    assert open_crowd_page.console_text("error") == ""


def test_reject_blank_redraw_and_add_key(open_crowd_page):
    page = textract(open_crowd_page, """keys='[{"importantFormKey": "City", "importantFormKeyAliases": ["Town"]},
      {"importantFormKey": "Date of birth", "importantFormKeyAliases": ["DOB"]}]'""")
    assert page.locator(f"{TEXTRACT} .tx-missing").all_inner_texts() == ["Date of birth\nAdd"]
    pair_row(page, 0).locator(".tx-blank").click()  # value is blank
    pair_row(page, 1).locator(".tx-reject").click()  # "City:" is not a pair: dropped, City now missing
    assert page.locator(f"{TEXTRACT} .tx-missing span").all_inner_texts() == ["City", "Date of birth"]
    pair_row(page, 0).locator(".tx-acts").click(position={"x": 200, "y": 5})  # select the pair (not a button)
    page.locator(f"{TEXTRACT} .it-stage").focus()
    page.keyboard.press("v")  # value-box tool
    for a, b in (((300, 90), (100, 30)), ((0, 0), (50, 50))):
        page.mouse.move(*to_client(page, *a))
        page.mouse.down()
        page.mouse.move(*to_client(page, *b), steps=4)
        page.mouse.up()
    page.keyboard.press("Control+z")  # undoes the second box
    page.locator(f"{TEXTRACT} .tx-add").nth(1).click()  # add "Date of birth"
    page.keyboard.type("1990-01-01")  # the new value field has the focus
    page.locator(f"{TEXTRACT} crowd-button.tool-submit").click()
    blocks = preview_answer(page)[TX_KEY]["blocks"]
    assert [b["id"] for b in blocks[:4]] == ["k1", "v1", "w1", "w2"]
    assert blocks[1]["text"] == ""
    assert blocks[1]["geometry"] == {"boundingBox": {"width": 0.5, "height": 0.2, "left": 0.25, "top": 0.1},
                                     "polygon": [{"x": 0.25, "y": 0.1}, {"x": 0.75, "y": 0.1},
                                                 {"x": 0.75, "y": 0.3}, {"x": 0.25, "y": 0.3}]}
    key, value = blocks[4], blocks[5]
    assert key == {"blockType": "KEY_VALUE_SET", "id": key["id"], "relationships": [{"type": "VALUE", "ids": [value["id"]]}],
                   "entityTypes": ["KEY"], "text": "Date of birth"}
    assert value == {"blockType": "KEY_VALUE_SET", "id": value["id"], "entityTypes": ["VALUE"], "text": "1990-01-01"}
    assert len(blocks) == 6
