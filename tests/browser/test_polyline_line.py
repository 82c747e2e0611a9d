"""crowd-polyline and crowd-line (spec 5.0, 5.18, 5.21, conformance LN-1 and PL-1 of 9.5) driven with
real mouse and keyboard input; both share the vertex-tool code with crowd-polygon."""

from __future__ import annotations

from typing import Any

from tests.browser.helpers import preview_answer, screenshot
from tests.browser.test_image_tools import Tool, open_tool

PL, LN = "crowd-polyline", "crowd-line"


def verts(points: list[tuple[int, int]]) -> list[dict[str, int]]:
    return [{"x": x, "y": y} for x, y in points]


def tool_page(open_crowd_page: Any, tag: str, name: str, size: str, labels: str, extra: str = "", head: str = "") -> Tool:
    body = (f'<{tag} name="{name}" src="/img/{size}.png" header="Trace" labels="{labels}"{extra}>'
            f'<short-instructions>Trace the lines.</short-instructions><full-instructions>Details.</full-instructions></{tag}>')
    return open_tool(open_crowd_page, body, tag, head=head)


# ---------------------------------------------------------------------------------------------- polyline

def test_pl1_three_clicks_and_enter(open_crowd_page):
    tool = tool_page(open_crowd_page, PL, "crowdPolyline", "1920x1080", "['sideline']")
    for p in [(651, 498), (862, 869), (1449, 611)]:
        tool.click(p)
    tool.keyboard.press("Enter")
    screenshot(tool.page, "crowd-polyline")
    tool.submit()
    assert preview_answer(tool.page) == {"crowdPolyline": {
        "inputImageProperties": {"height": 1080, "width": 1920},
        "polylines": [{"label": "sideline", "vertices": verts([(651, 498), (862, 869), (1449, 611)])}]}}


def test_polyline_escape_single_vertex_double_click_crossing_and_editing(open_crowd_page):
    tool = tool_page(open_crowd_page, PL, "p", "800x600", "['a','b']", extra=" label-colors=\"['#FF0000']\"")
    # Label colours: given ones used, missing ones from the palette; never in the answer.
    swatches = tool.eval("[...el.shadowRoot.querySelectorAll('.it-label .sw')].map((s) => s.style.background)")
    assert swatches == ["rgb(255, 0, 0)", "rgb(255, 127, 14)"]
    tool.click((10, 10))
    tool.click((50, 50))
    tool.keyboard.press("Escape")  # cancels the unfinished polyline
    tool.click((10, 10))
    tool.keyboard.press("Enter")  # one vertex: discarded
    assert tool.value()["polylines"] == []
    # A polyline may cross itself; a double-click on the last vertex finishes it.
    for p in [(100, 100), (300, 300), (300, 100)]:
        tool.click(p)
    tool.mouse.dblclick(*tool.client(100, 300))
    assert tool.value()["polylines"] == [{"label": "a", "vertices": verts([(100, 100), (300, 300), (300, 100), (100, 300)])}]
    # Select by clicking a segment, drag a vertex, relabel with a number key, undo, delete.
    tool.click((300, 200))
    tool.drag((300, 100), (350, 80))
    tool.keyboard.press("2")
    assert tool.value()["polylines"] == [{"label": "b", "vertices": verts([(100, 100), (300, 300), (350, 80), (100, 300)])}]
    tool.keyboard.press("Control+z")
    tool.keyboard.press("Control+z")
    assert tool.value()["polylines"][0] == {"label": "a", "vertices": verts([(100, 100), (300, 300), (300, 100), (100, 300)])}
    tool.keyboard.press("Backspace")
    assert tool.value()["polylines"] == []


def test_polyline_initial_value_object_form_with_comments(open_crowd_page):
    extra = """ initial-value="{ polylines: [ { label: 'a', // first
        vertices: [ {x: 5, y: 6}, {x: 50, y: 60}, ] }, { label: 'zzz', vertices: [{x: 1, y: 1}, {x: 2, y: 2}] } ] }\""""
    tool = tool_page(open_crowd_page, PL, "p", "800x600", "['a']", extra=extra)
    assert tool.value() == {"initialValueModified": False, "inputImageProperties": {"height": 600, "width": 800},
                            "polylines": [{"label": "a", "vertices": verts([(5, 6), (50, 60)])}]}
    tool.click((27.5, 33))  # select it by its segment, then move it
    tool.drag((27.5, 33), (37.5, 43))
    assert tool.value()["polylines"] == [{"label": "a", "vertices": verts([(15, 16), (60, 70)])}]
    assert tool.value()["initialValueModified"] is True


# ---------------------------------------------------------------------------------------------- line

def test_ln1_line_from_two_clicks(open_crowd_page):
    tool = tool_page(open_crowd_page, LN, "crowdLine", "2048x1254", "['yardline']")
    tool.click((58, 295))
    tool.click((1342, 398))
    screenshot(tool.page, "crowd-line")
    tool.submit()
    assert preview_answer(tool.page) == {"crowdLine": {
        "inputImageProperties": {"height": 1254, "width": 2048},
        "lines": [{"label": "yardline", "vertices": verts([(58, 295), (1342, 398)])}]}}


def test_line_drag_zoom_clamp_labels_from_script_delete_undo(open_crowd_page):
    head = """<script>document.addEventListener('all-crowd-elements-ready', () => {
        document.querySelector('crowd-line').labels = ['lane', 'curb']; });</script>"""
    tool = tool_page(open_crowd_page, LN, "l", "800x600", "['x']", head=head)
    assert tool.eval("el.labels") == ["lane", "curb"]
    tool.drag((100, 100), (200, 150))  # drag from start to end
    tool.keyboard.press("2")
    tool.click((700, 500))
    tool.click((780, 590))
    tool.click((740, 545))  # select it, then drag its end out of the image: clamped
    tool.drag((780, 590), (900, 700))
    tool.keyboard.press("Escape")
    lines = [{"label": "lane", "vertices": verts([(100, 100), (200, 150)])},
             {"label": "curb", "vertices": verts([(700, 500), (800, 600)])}]
    assert tool.value()["lines"] == lines
    # Zoom 300 % around (400, 300), then draw: coordinates stay in image pixels.
    tool.mouse.move(*tool.client(400, 300))
    for _ in range(3):
        tool.mouse.wheel(0, -183.1)
    tool.page.wait_for_function(f"{tool.js}.shadowRoot.querySelector('.it-zoom').textContent === '300%'")
    tool.click((380.4, 290.6))
    tool.click((420, 310))
    assert tool.value()["lines"][2] == {"label": "curb", "vertices": verts([(380, 291), (420, 310)])}
    # Select the zoomed line by its middle and delete it; undo brings it back; Escape deselects.
    tool.click((400, 300.3))
    tool.keyboard.press("Delete")
    assert tool.value()["lines"] == lines
    tool.keyboard.press("Control+z")
    assert len(tool.value()["lines"]) == 3
    assert "initialValueModified" not in tool.value()


def test_line_initial_value_and_modified(open_crowd_page):
    extra = " initial-value=\"{lines: [{label: 'x', vertices: [{x: 10, y: 20}, {x: 30, y: 40}]}]}\""
    tool = tool_page(open_crowd_page, LN, "l", "800x600", "['x']", extra=extra)
    tool.submit()
    assert preview_answer(tool.page) == {"l": {"initialValueModified": False, "inputImageProperties": {"height": 600, "width": 800},
                                               "lines": [{"label": "x", "vertices": verts([(10, 20), (30, 40)])}]}}
    tool = tool_page(open_crowd_page, LN, "l", "800x600", "['x']", extra=extra)
    tool.click((20, 30))
    tool.drag((30, 40), (35, 45))
    assert tool.value()["lines"] == [{"label": "x", "vertices": verts([(10, 20), (35, 45)])}]
    assert tool.value()["initialValueModified"] is True
