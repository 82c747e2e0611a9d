"""crowd-polygon (spec 5.0, 5.20, conformance PG-1 of 9.5) driven with real mouse and keyboard input.
Positions are image pixels turned into screen positions with the tool's own view transform."""

from __future__ import annotations

from typing import Any

from tests.browser.helpers import preview_answer, screenshot
from tests.browser.test_image_tools import Tool, open_tool

PG = "crowd-polygon"
DOG = [(570, 239), (603, 513), (823, 645), (901, 417), (759, 281)]
SIZE = {"height": 853, "width": 1280}


def polygon_page(open_crowd_page: Any, extra: str = "", labels: str = "['dog']", head: str = "") -> Tool:
    body = (f'<{PG} name="annotatedResult" src="/img/1280x853.png" header="Outline the dog" labels="{labels}"{extra}>'
            f'<short-instructions>Outline tightly.</short-instructions></{PG}>')
    return open_tool(open_crowd_page, body, PG, head=head)


def verts(points: list[tuple[int, int]]) -> list[dict[str, int]]:
    return [{"x": x, "y": y} for x, y in points]


def draw(tool: Tool, points: list[tuple[float, float]], close: str = "click") -> None:
    for p in points:
        tool.click(p)
    if close == "click":
        tool.click(points[0])
    elif close == "enter":
        tool.keyboard.press("Enter")


def polygons(tool: Tool) -> list[dict[str, Any]]:
    return tool.value()["polygons"]  # type: ignore[no-any-return]


def test_pg1_draw_five_vertices_close_on_the_first_and_submit(open_crowd_page):
    tool = polygon_page(open_crowd_page)
    draw(tool, DOG)
    screenshot(tool.page, "crowd-polygon")
    tool.submit()
    assert preview_answer(tool.page) == {"annotatedResult": {
        "inputImageProperties": SIZE, "polygons": [{"label": "dog", "vertices": verts(DOG)}]}}
    assert tool.eval("JSON.stringify(el._submittableValue) === JSON.stringify(el.value)")


def test_enter_closes_escape_cancels_and_too_few_vertices_are_not_a_polygon(open_crowd_page):
    tool = polygon_page(open_crowd_page, labels="['dog','cat']")
    draw(tool, [(10, 10), (100, 10)], close="enter")
    assert polygons(tool) == []  # two vertices: still drafting, not a polygon
    tool.keyboard.press("Escape")
    tool.click((50, 50))
    assert polygons(tool) == []
    tool.keyboard.press("Escape")
    tool.keyboard.press("2")
    draw(tool, [(100, 100), (200, 100), (150, 200)], close="enter")
    assert polygons(tool) == [{"label": "cat", "vertices": verts([(100, 100), (200, 100), (150, 200)])}]
    # Undo while drafting removes the last vertex, Delete too; the draft then closes with 3 vertices.
    tool.keyboard.press("1")
    draw(tool, [(300, 300), (400, 300), (999, 999), (400, 400)], close="none")
    tool.keyboard.press("Control+z")
    tool.keyboard.press("Delete")
    tool.click((350, 420))
    tool.click((300, 300))
    assert polygons(tool)[1] == {"label": "dog", "vertices": verts([(300, 300), (400, 300), (350, 420)])}
    # Edges of one polygon may not cross: a crossing vertex is refused, and so is a crossing close.
    draw(tool, [(600, 100), (700, 100), (700, 200)], close="none")
    tool.click((650, 50))  # edge (700,200)-(650,50) would cross (600,100)-(700,100)
    assert "cross" in tool.part(".it-status").inner_text()
    draw(tool, [(600, 200)], close="enter")
    assert polygons(tool)[2]["vertices"] == verts([(600, 100), (700, 100), (700, 200), (600, 200)])
    draw(tool, [(800, 100), (900, 100), (800, 200), (900, 200)], close="enter")  # a bow tie
    assert "cross" in tool.part(".it-status").inner_text()
    assert len(polygons(tool)) == 3
    tool.keyboard.press("Escape")
    tool.keyboard.press("Enter")
    assert len(polygons(tool)) == 3


def test_select_by_border_move_vertex_relabel_delete_undo_redo(open_crowd_page):
    tool = polygon_page(open_crowd_page, labels="['dog','cat']")
    square = [(100, 100), (300, 100), (300, 300), (100, 300)]
    draw(tool, square)
    # Picking a label right after drawing does not relabel the new polygon.
    tool.keyboard.press("2")
    assert polygons(tool)[0]["label"] == "dog"
    # A polygon may be started inside another (a click inside is not a selection).
    draw(tool, [(150, 150), (250, 150), (200, 250)])
    assert [p["label"] for p in polygons(tool)] == ["dog", "cat"]
    # Select the first by its border, drag a vertex, then drag the border to move it.
    tool.click((200, 100))
    tool.drag((300, 300), (320, 330))
    assert polygons(tool)[0]["vertices"] == verts([(100, 100), (300, 100), (320, 330), (100, 300)])
    tool.drag((100, 200), (90, 180))
    assert polygons(tool)[0]["vertices"] == verts([(90, 80), (290, 80), (310, 310), (90, 280)])
    # Moving is clamped to the image.
    tool.drag((90, 180), (-500, 180))
    assert polygons(tool)[0]["vertices"] == verts([(0, 80), (200, 80), (220, 310), (0, 280)])
    # Relabel from the list, then undo: relabel, move, move, vertex.
    tool.part('.it-label[data-label="cat"]').click()
    assert polygons(tool)[0]["label"] == "cat"
    for _ in range(3):
        tool.keyboard.press("Control+z")
    assert polygons(tool)[0] == {"label": "dog", "vertices": verts([(100, 100), (300, 100), (320, 330), (100, 300)])}
    tool.keyboard.press("Control+z")
    assert polygons(tool)[0] == {"label": "dog", "vertices": verts(square)}
    tool.keyboard.press("Control+Shift+z")
    assert polygons(tool)[0]["vertices"][2] == {"x": 320, "y": 330}
    # Delete the selected polygon (key and button); Escape deselects, then Delete does nothing.
    tool.click((200, 100))
    tool.keyboard.press("Delete")
    assert [p["label"] for p in polygons(tool)] == ["cat"]
    tool.keyboard.press("Control+z")
    assert len(polygons(tool)) == 2
    tool.keyboard.press("Escape")
    tool.keyboard.press("Delete")
    assert len(polygons(tool)) == 2
    tool.click((200, 150))  # the cat polygon's top edge
    tool.part(".it-delete").click()
    assert [p["label"] for p in polygons(tool)] == ["dog"]


def test_initial_value_pre_annotation_and_initial_value_modified(open_crowd_page):
    extra = (" initial-value='[{\"label\": \"dog\", \"vertices\": [{\"x\": 10, \"y\": 10}, {\"x\": 60, \"y\": 10}, {\"x\": 35, \"y\": 50}]},"
             " {label: &quot;cow&quot;, vertices: [{x: 1, y: 1}, {x: 2, y: 2}, {x: 1, y: 3}]}, ]'")
    tool = polygon_page(open_crowd_page, extra)
    assert "cow" in open_crowd_page.console_text("warning")
    tool.submit()
    assert preview_answer(tool.page) == {"annotatedResult": {
        "initialValueModified": False, "inputImageProperties": SIZE,
        "polygons": [{"label": "dog", "vertices": verts([(10, 10), (60, 10), (35, 50)])}]}}

    tool = polygon_page(open_crowd_page, extra)
    tool.click((35, 10))  # select by its top edge
    tool.drag((35, 50), (35, 80))  # move the bottom vertex
    value = tool.value()
    assert value["polygons"] == [{"label": "dog", "vertices": verts([(10, 10), (60, 10), (35, 80)])}]
    assert value["initialValueModified"] is True
    tool.keyboard.press("Control+z")
    value = tool.value()
    assert value["polygons"] == [{"label": "dog", "vertices": verts([(10, 10), (60, 10), (35, 50)])}]
    assert value["initialValueModified"] is True  # Q 13: any committed edit counts


def test_zoom_then_draw_keeps_image_pixels_and_labels_from_script(open_crowd_page):
    head = """<script>document.addEventListener('all-crowd-elements-ready', () => {
        document.querySelector('crowd-polygon').labels = ['lake', 'road']; });</script>"""
    tool = polygon_page(open_crowd_page, labels="['placeholder']", head=head)
    assert tool.eval("el.labels") == ["lake", "road"]
    assert tool.eval("el.getAttribute('labels')") == "['placeholder']"
    tool.mouse.move(*tool.client(600, 400))
    for _ in range(3):
        tool.mouse.wheel(0, -183.1)
    tool.page.wait_for_function(f"{tool.js}.shadowRoot.querySelector('.it-zoom').textContent === '300%'")
    tool.keyboard.press("2")
    pts = [(560.4, 380.6), (640, 381), (600, 430.2)]
    draw(tool, pts)
    assert polygons(tool) == [{"label": "road", "vertices": verts([(560, 381), (640, 381), (600, 430)])}]
    tool.part(".it-fit").click()
    draw(tool, [(1000, 800), (1279, 800), (1279, 852)])
    assert tool.part(".it-zoom").inner_text() == "100%"
    assert polygons(tool)[1] == {"label": "road", "vertices": verts([(1000, 800), (1279, 800), (1279, 852)])}
