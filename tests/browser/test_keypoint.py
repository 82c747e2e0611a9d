"""crowd-keypoint (spec 5.0, 5.17, conformance KP-1 and KP-2 of 9.5) driven with real mouse and
keyboard input."""

from __future__ import annotations

from typing import Any

from tests.browser.helpers import preview_answer, screenshot
from tests.browser.test_image_tools import Tool, open_tool

KP = "crowd-keypoint"
SIZE = {"height": 1314, "width": 962}


def kp_page(open_crowd_page: Any, extra: str = "", head: str = "", labels: str = "['dog','cat']") -> Tool:
    body = f'<{KP} name="kp" src="/img/962x1314.png" header="Mark the animals" labels="{labels}"{extra}></{KP}>'
    return open_tool(open_crowd_page, body, KP, head=head)


def test_kp1_place_dog_and_cat(open_crowd_page):
    tool = kp_page(open_crowd_page)
    tool.click((155, 275))
    tool.keyboard.press("2")
    tool.click((341, 447))
    screenshot(tool.page, "crowd-keypoint")
    tool.submit()
    assert preview_answer(tool.page) == {"kp": {"inputImageProperties": SIZE, "keypoints": [
        {"label": "dog", "x": 155, "y": 275}, {"label": "cat", "x": 341, "y": 447}]}}
    # The documented script API: value / _submittableValue with .keypoints.
    assert tool.eval("el.value.keypoints.length === 2 && el._submittableValue.keypoints[1].label === 'cat'")


def test_kp2_unknown_initial_labels_are_not_rendered(open_crowd_page):
    tool = kp_page(open_crowd_page, extra=" initial-value=\"[{'label': 'cow', 'x': 1, 'y': 1}, {'label': 'dog', 'x': 10.4, 'y': 20.6}]\"")
    assert "cow" in open_crowd_page.console_text("warning")
    tool.submit()
    assert preview_answer(tool.page) == {"kp": {"initialValueModified": False, "inputImageProperties": SIZE,
                                                "keypoints": [{"label": "dog", "x": 10, "y": 21}]}}


def test_move_relabel_delete_undo_and_repeated_labels(open_crowd_page):
    tool = kp_page(open_crowd_page, extra=" initial-value=\"[{label: 'dog', x: 100, y: 100}]\"")
    tool.click((300, 300))
    tool.click((500, 500))  # a label may be used any number of times
    assert [(k["label"], k["x"]) for k in tool.value()["keypoints"]] == [("dog", 100), ("dog", 300), ("dog", 500)]
    assert tool.value()["initialValueModified"] is True
    tool.drag((100, 100), (120, 90))  # drag a point to move it
    tool.keyboard.press("2")  # it is selected: relabel
    assert tool.value()["keypoints"][0] == {"label": "cat", "x": 120, "y": 90}
    tool.keyboard.press("Delete")
    assert [k["x"] for k in tool.value()["keypoints"]] == [300, 500]
    tool.keyboard.press("Control+z")
    tool.keyboard.press("Control+z")
    assert tool.value()["keypoints"][0] == {"label": "dog", "x": 120, "y": 90}
    tool.keyboard.press("Control+z")
    assert tool.value()["keypoints"][0] == {"label": "dog", "x": 100, "y": 100}
    tool.keyboard.press("Control+y")
    assert tool.value()["keypoints"][0] == {"label": "dog", "x": 120, "y": 90}
    tool.keyboard.press("Escape")
    tool.click((300, 300))
    tool.part(".it-delete").click()
    assert [k["x"] for k in tool.value()["keypoints"]] == [120, 500]


def test_zoom_then_place_and_labels_from_script(open_crowd_page):
    head = """<script>document.addEventListener('all-crowd-elements-ready', () => {
        document.querySelector('crowd-keypoint').labels = [{label: 'nose'}, 'eye']; });</script>"""
    tool = kp_page(open_crowd_page, head=head, labels="['x']")
    assert tool.eval("el.labels") == ["nose", "eye"]
    tool.mouse.move(*tool.client(480, 650))
    for _ in range(3):
        tool.mouse.wheel(0, -183.1)
    tool.page.wait_for_function(f"{tool.js}.shadowRoot.querySelector('.it-zoom').textContent === '300%'")
    tool.keyboard.press("2")
    tool.click((470.4, 640.6))
    tool.part(".it-zoom-in").click()
    tool.click((481, 652))
    assert tool.value() == {"inputImageProperties": SIZE, "keypoints": [
        {"label": "eye", "x": 470, "y": 641}, {"label": "eye", "x": 481, "y": 652}]}
    tool.eval("el.labels = []")
    tool.click((490, 660))
    assert len(tool.value()["keypoints"]) == 2  # no label, no point
    assert tool.part(".it-labels").inner_text().strip() == "No labels"
