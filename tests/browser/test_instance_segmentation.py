"""crowd-instance-segmentation (spec 5.0, 5.15, conformance IS-1 of 9.5) driven with real mouse and
keyboard input; masks are decoded with Pillow and checked pixel by pixel."""

from __future__ import annotations

from typing import Any

from PIL import Image

from tests.browser.helpers import preview_answer, screenshot
from tests.browser.test_image_tools import CLEAR, Tool, colour_counts, decode_mask, open_tool, png_data_url, pixels

IS = "crowd-instance-segmentation"
BLUE, ORANGE, GREEN = (31, 119, 180, 255), (255, 127, 14, 255), (44, 160, 44, 255)


def is_page(open_crowd_page: Any, extra: str = "", labels: str = "['Cat']", head: str = "", size: str = "40x20") -> Tool:
    body = f'<{IS} name="pets" src="/img/{size}.png" header="Mark each cat" labels="{labels}"{extra}></{IS}>'
    return open_tool(open_crowd_page, body, IS, head=head)


def fill_rect(tool: Tool, x0: float, y0: float, x1: float, y1: float) -> None:
    """Polygon tool: click the four corners, then the first again (pixels whose centres are inside)."""
    tool.keyboard.press("p")
    for p in [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]:
        tool.click(p)


def rect_pixels(x0: int, y0: int, x1: int, y1: int) -> set[tuple[int, int]]:
    return {(x, y) for y in range(y0, y1) for x in range(x0, x1)}


def mask_map(answer: dict[str, Any]) -> dict[tuple[int, int], tuple[int, ...]]:
    image = decode_mask(answer)
    w = image.width
    return {(i % w, i // w): px for i, px in enumerate(pixels(image)) if px != CLEAR}


def test_is1_two_cat_instances_in_palette_colours(open_crowd_page):
    tool = is_page(open_crowd_page)
    fill_rect(tool, 0, 0, 10, 10)  # the first paint starts instance 1
    tool.part(".it-add-instance").click()
    fill_rect(tool, 20, 5, 30, 15)
    screenshot(tool.page, "crowd-instance-segmentation")
    tool.submit()
    answer = preview_answer(tool.page)["pets"]
    assert set(answer) == {"inputImageProperties", "instances", "labeledImage"}
    assert answer["inputImageProperties"] == {"height": 20, "width": 40}
    assert answer["instances"] == [{"color": "#1f77b4", "label": "Cat"}, {"color": "#ff7f0e", "label": "Cat"}]
    expected = {p: BLUE for p in rect_pixels(0, 0, 10, 10)} | {p: ORANGE for p in rect_pixels(20, 5, 30, 15)}
    assert mask_map(answer) == expected


def test_instances_overwrite_labels_undo_delete_and_n_key(open_crowd_page):
    tool = is_page(open_crowd_page, labels="['Cat','Dog']")
    fill_rect(tool, 0, 0, 20, 20)
    tool.keyboard.press("2")  # another label: the next paint starts a new (Dog) instance
    fill_rect(tool, 10, 0, 30, 20)  # each pixel belongs to one instance: it takes over 10..19
    tool.keyboard.press("n")  # another Dog instance
    fill_rect(tool, 33, 0, 38, 5)
    value = tool.value()
    assert value["instances"] == [{"color": "#1f77b4", "label": "Cat"}, {"color": "#ff7f0e", "label": "Dog"},
                                  {"color": "#2ca02c", "label": "Dog"}]
    assert mask_map(value) == ({p: BLUE for p in rect_pixels(0, 0, 10, 20)} | {p: ORANGE for p in rect_pixels(10, 0, 30, 20)}
                               | {p: GREEN for p in rect_pixels(33, 0, 38, 5)})
    # Undo the last fill: the third instance is empty and omitted.
    tool.keyboard.press("Control+z")
    assert [i["color"] for i in tool.eval("el.value.instances")] == ["#1f77b4", "#ff7f0e"]
    # Continue instance 1 from the list, then Delete erases it (undoable).
    tool.part('.it-instance[data-instance="1"]').click()
    tool.keyboard.press("Delete")
    value = tool.value()
    assert value["instances"] == [{"color": "#ff7f0e", "label": "Dog"}]
    assert set(mask_map(value)) == rect_pixels(10, 0, 30, 20)
    tool.keyboard.press("Control+z")
    assert len(tool.value()["instances"]) == 2
    # The eraser clears any instance.
    tool.keyboard.press("e")
    tool.eval("el._setSize(1)")
    tool.drag((0.5, 0.5), (0.5, 0.5), steps=1)
    assert (0, 0) not in mask_map(tool.value())


def test_initial_value_instances_round_trip_and_modified(open_crowd_page):
    image = Image.new("RGBA", (40, 20), (0, 0, 0, 0))
    for x in range(0, 5):
        image.putpixel((x, 0), (42, 207, 89, 255))
    image.putpixel((39, 19), (255, 0, 255, 255))
    extra = (f" initial-value=\"{{instances: [{{color: '#2ACF59', label: 'Cat'}}, {{color: '#ff00ff', label: 'Cat'}},"
             f" {{color: '#123456', label: 'Cow'}}], src: '{png_data_url(image)}'}}\"")
    tool = is_page(open_crowd_page, extra=extra)
    tool.submit()
    answer = preview_answer(tool.page)["pets"]
    assert answer["initialValueModified"] is False
    assert answer["instances"] == [{"color": "#2acf59", "label": "Cat"}, {"color": "#ff00ff", "label": "Cat"}]
    assert colour_counts(decode_mask(answer)) == {(42, 207, 89, 255): 5, (255, 0, 255, 255): 1, CLEAR: 794}

    tool = is_page(open_crowd_page, extra=extra)
    fill_rect(tool, 10, 10, 12, 12)  # a new instance: the first palette colour
    value = tool.value()
    assert value["initialValueModified"] is True
    assert value["instances"][2] == {"color": "#1f77b4", "label": "Cat"}


def test_zoom_then_paint_and_labels_from_script(open_crowd_page):
    head = """<script>document.addEventListener('all-crowd-elements-ready', () => {
        document.querySelector('crowd-instance-segmentation').labels = ['Dog', 'Bird']; });</script>"""
    tool = is_page(open_crowd_page, labels="['x']", head=head, size="400x200")
    assert tool.eval("el.labels") == ["Dog", "Bird"]
    tool.mouse.move(*tool.client(200, 100))
    for _ in range(3):
        tool.mouse.wheel(0, -183.1)
    tool.page.wait_for_function(f"{tool.js}.shadowRoot.querySelector('.it-zoom').textContent === '300%'")
    tool.keyboard.press("2")
    fill_rect(tool, 190, 90, 200, 95)
    value = tool.value()
    assert value["instances"] == [{"color": "#1f77b4", "label": "Bird"}]
    assert set(mask_map(value)) == rect_pixels(190, 90, 200, 95)
    assert "initialValueModified" not in value
