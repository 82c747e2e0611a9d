"""Image tools (spec 5.0, 5.3, 5.24, conformance ids BB-* and SS-* of section 9): crowd-bounding-box and
crowd-semantic-segmentation driven with real mouse and keyboard input in Chromium. Positions are given
in image pixels and turned into screen positions with the tool's own view transform, so the tests hold
at any zoom; answers are compared exactly, masks are decoded with Pillow pixel by pixel."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from PIL import Image

from tests.browser.helpers import blocked, preview_answer, screenshot

BOX = "crowd-bounding-box"
SEG = "crowd-semantic-segmentation"
BLUE, ORANGE, GREEN = (31, 119, 180, 255), (255, 127, 14, 255), (44, 160, 44, 255)
CLEAR = (0, 0, 0, 0)


class Tool:
    """One image tool on a page (or in a frame, with `offset` = the frame's position on the page)."""

    def __init__(self, page: Any, selector: str, mouse_page: Any = None, offset: tuple[float, float] = (0, 0)) -> None:
        self.page, self.selector = page, selector
        self.mouse = (mouse_page or page).mouse
        self.keyboard = (mouse_page or page).keyboard
        self.offset = offset
        self.js = f"document.querySelector({json.dumps(selector)})"

    def wait_ready(self) -> Tool:
        self.page.wait_for_function(f"{self.js}.shadowRoot.querySelector('.it-stage').dataset.state === 'ready'")
        return self

    def client(self, x: float, y: float) -> tuple[float, float]:
        c = self.page.evaluate(f"{self.js}._imageToClient({x}, {y})")
        return c["x"] + self.offset[0], c["y"] + self.offset[1]

    def drag(self, a: tuple[float, float], b: tuple[float, float], steps: int = 5, button: str = "left") -> None:
        self.mouse.move(*self.client(*a))
        self.mouse.down(button=button)  # type: ignore[arg-type]
        self.mouse.move(*self.client(*b), steps=steps)
        self.mouse.up(button=button)  # type: ignore[arg-type]

    def click(self, p: tuple[float, float]) -> None:
        self.mouse.click(*self.client(*p))

    def value(self) -> dict[str, Any]:
        return self.page.evaluate(f"{self.js}.value")  # type: ignore[no-any-return]

    def eval(self, expression: str) -> Any:
        """Evaluate `expression` with `el` bound to the tool element."""
        return self.page.evaluate(f"(() => {{ const el = {self.js}; return {expression}; }})()")

    def part(self, css: str) -> Any:
        return self.page.locator(f"{self.selector} {css}")

    def boxes(self) -> list[dict[str, Any]]:
        return self.value()["boundingBoxes"]  # type: ignore[no-any-return]

    def submit(self) -> None:
        self.part(".tool-submit").click()


def open_tool(open_crowd_page: Any, body: str, selector: str, head: str = "") -> Tool:
    page = open_crowd_page(f"<crowd-form>{body}</crowd-form>", head=head)
    return Tool(page, selector).wait_ready()


def png_data_url(image: Image.Image) -> str:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def decode_mask(answer: dict[str, Any]) -> Image.Image:
    data = answer["labeledImage"]["pngImageData"]
    assert not data.startswith("data:") and "\n" not in data and data.startswith("iVBOR")
    image = Image.open(io.BytesIO(base64.b64decode(data, validate=True)))
    assert image.format == "PNG" and image.mode == "RGBA"
    image.load()
    return image


def pixels(image: Image.Image) -> list[tuple[int, ...]]:
    raw = image.tobytes()
    return [tuple(raw[i:i + 4]) for i in range(0, len(raw), 4)]


def colour_counts(image: Image.Image) -> dict[tuple[int, ...], int]:
    counts: dict[tuple[int, ...], int] = {}
    for px in pixels(image):
        counts[px] = counts.get(px, 0) + 1
    return counts


# ---------------------------------------------------------------------------------------------- bounding box

BB_CAT_DOG = f'<{BOX} name="annotatedResult" src="/img/800x533.png" header="Box the animals" labels="[\'Cat\',\'Dog\']"{{extra}}>' \
             f'<short-instructions>Draw tight boxes.</short-instructions><full-instructions header="How">Box every animal.</full-instructions>' \
             f'</{BOX}>'


def bbox_page(open_crowd_page: Any, extra: str = "", head: str = "") -> Tool:
    return open_tool(open_crowd_page, BB_CAT_DOG.format(extra=extra), BOX, head=head)


def test_bb1_draw_a_dog_box_and_submit(open_crowd_page):
    tool = bbox_page(open_crowd_page)
    tool.keyboard.press("2")
    tool.drag((243, 117), (430, 518))
    tool.submit()
    assert preview_answer(tool.page) == {"annotatedResult": {
        "boundingBoxes": [{"height": 401, "label": "Dog", "left": 243, "top": 117, "width": 187}],
        "inputImageProperties": {"height": 533, "width": 800}}}
    assert tool.eval("JSON.stringify(el._submittableValue) === JSON.stringify(el.value)")
    screenshot(tool.page, "crowd-bounding-box")


def test_bb3_untouched_tool_contributes_its_empty_form(open_crowd_page):
    tool = bbox_page(open_crowd_page)
    tool.submit()
    assert preview_answer(tool.page) == {"annotatedResult": {
        "boundingBoxes": [], "inputImageProperties": {"height": 533, "width": 800}}}


def test_rounding_rule_of_5_3(open_crowd_page):
    # Spec example: corners (10.4, 20.6)-(110.2, 70.5) give left 10, top 21, width 100, height 50. The
    # last corner is taken at 70.52: exactly .5 is a rounding tie that float32 pointer positions blur.
    tool = open_tool(open_crowd_page, f'<{BOX} name="boxes" src="/img/640x480.png" labels="[\'Car\',\'Bike\']"></{BOX}>', BOX)
    tool.drag((10.4, 20.6), (110.2, 70.52))
    assert tool.value() == {"boundingBoxes": [{"height": 50, "label": "Car", "left": 10, "top": 21, "width": 100}],
                            "inputImageProperties": {"height": 480, "width": 640}}


def test_bb2_initial_value_untouched_then_moved(open_crowd_page):
    extra = " initial-value=\"[{label:'Cat',left:10,top:10,width:20,height:20}]\""
    tool = bbox_page(open_crowd_page, extra)
    tool.submit()
    assert preview_answer(tool.page) == {"annotatedResult": {
        "boundingBoxes": [{"height": 20, "label": "Cat", "left": 10, "top": 10, "width": 20}],
        "initialValueModified": False, "inputImageProperties": {"height": 533, "width": 800}}}

    tool = bbox_page(open_crowd_page, extra)
    tool.click((20, 20))  # select
    tool.drag((20, 20), (25, 20))  # move 5 px right
    tool.submit()
    assert preview_answer(tool.page) == {"annotatedResult": {
        "boundingBoxes": [{"height": 20, "label": "Cat", "left": 15, "top": 10, "width": 20}],
        "initialValueModified": True, "inputImageProperties": {"height": 533, "width": 800}}}


def test_initial_value_drops_unknown_labels_and_stays_modified_after_undo(open_crowd_page):
    extra = (" initial-value=\"[{label: 'Dog', left: 1, top: 2, width: 3, height: 4,},"
             " {label: 'Cow', left: 50, top: 50, width: 10, height: 10}, ]\"")
    tool = bbox_page(open_crowd_page, extra)
    assert tool.value()["boundingBoxes"] == [{"height": 4, "label": "Dog", "left": 1, "top": 2, "width": 3}]
    assert "Cow" in open_crowd_page.console_text("warning")
    tool.drag((300, 300), (350, 340))
    assert tool.value()["initialValueModified"] is True
    tool.keyboard.press("Control+z")
    value = tool.value()
    assert value["boundingBoxes"] == [{"height": 4, "label": "Dog", "left": 1, "top": 2, "width": 3}]
    assert value["initialValueModified"] is True  # any committed edit counts, even when undone (Q 13)


def test_move_resize_relabel_delete_undo_redo(open_crowd_page):
    tool = bbox_page(open_crowd_page)
    tool.drag((100, 100), (200, 180))
    assert tool.boxes() == [{"height": 80, "label": "Cat", "left": 100, "top": 100, "width": 100}]
    # A new box is not selected, so picking the next label does not relabel it ...
    tool.keyboard.press("2")
    assert tool.boxes()[0]["label"] == "Cat"
    tool.keyboard.press("1")
    # ... clicking it selects it: drag its south-east handle, then its west edge handle.
    tool.click((150, 140))
    tool.drag((200, 180), (260, 230))
    tool.drag((100, 165), (80, 300))
    assert tool.boxes() == [{"height": 130, "label": "Cat", "left": 80, "top": 100, "width": 180}]
    # Move by dragging inside; the box is kept inside the image.
    tool.drag((150, 150), (-500, 150))
    assert tool.boxes() == [{"height": 130, "label": "Cat", "left": 0, "top": 100, "width": 180}]
    # Relabel: from the label list and with a number key.
    tool.part('.it-label[data-label="Dog"]').click()
    assert tool.boxes()[0]["label"] == "Dog"
    tool.keyboard.press("1")
    assert tool.boxes()[0]["label"] == "Cat"
    # Undo walks back through relabel, relabel, move, resize, resize; redo forward again.
    for expected in [("Dog", 0, 180), ("Cat", 0, 180), ("Cat", 80, 180)]:
        tool.keyboard.press("Control+z")
        box = tool.boxes()[0]
        assert (box["label"], box["left"], box["width"]) == expected
    tool.keyboard.press("Control+z")
    tool.keyboard.press("Control+z")
    assert tool.boxes() == [{"height": 80, "label": "Cat", "left": 100, "top": 100, "width": 100}]
    tool.keyboard.press("Control+Shift+z")
    tool.part(".it-redo").click()
    assert tool.boxes() == [{"height": 130, "label": "Cat", "left": 80, "top": 100, "width": 180}]
    # Delete the selected box with the keyboard; Backspace does nothing without a selection.
    tool.keyboard.press("Delete")
    assert tool.boxes() == []
    tool.keyboard.press("Control+z")
    assert len(tool.boxes()) == 1
    tool.keyboard.press("Escape")  # deselect
    tool.keyboard.press("Backspace")
    assert len(tool.boxes()) == 1
    tool.click((150, 150))
    tool.part(".it-delete").click()
    assert tool.boxes() == []


def test_zero_area_boxes_clicks_and_escape_are_discarded(open_crowd_page):
    tool = bbox_page(open_crowd_page)
    tool.click((300, 300))
    tool.drag((300, 300), (400, 300.2))  # zero height after rounding
    tool.drag((300, 300), (300.3, 400))  # zero width after rounding
    assert tool.boxes() == []
    # Escape while drawing cancels the box in progress.
    tool.mouse.move(*tool.client(100, 100))
    tool.mouse.down()
    tool.mouse.move(*tool.client(200, 200), steps=3)
    tool.keyboard.press("Escape")
    tool.mouse.up()
    assert tool.boxes() == []
    assert tool.part(".it-undo").is_disabled()


def test_boxes_are_clamped_to_the_image(open_crowd_page):
    tool = bbox_page(open_crowd_page)
    tool.drag((700, 450), (900, 700))
    assert tool.boxes() == [{"height": 83, "label": "Cat", "left": 700, "top": 450, "width": 100}]


def test_bb4_zoom_300_percent_then_draw_in_image_pixels(open_crowd_page):
    tool = bbox_page(open_crowd_page)
    tool.mouse.move(*tool.client(1, 1))
    for _ in range(3):
        tool.mouse.wheel(0, -183.1)  # exp(3 x 183.1 x 0.002) = 3.0
    tool.page.wait_for_function(f"{tool.js}.shadowRoot.querySelector('.it-zoom').textContent === '300%'")
    scale = tool.eval("el._view.s / el._view.fs")
    assert scale == pytest.approx(3.0, abs=0.01)
    tool.drag((100, 50), (200, 150))
    assert tool.boxes() == [{"height": 100, "label": "Cat", "left": 100, "top": 50, "width": 100}]
    # The zoom buttons and Fit do not change coordinates either.
    tool.part(".it-zoom-in").click()
    tool.part(".it-fit").click()
    assert tool.part(".it-zoom").inner_text() == "100%"
    tool.drag((300, 300), (350, 330))
    assert tool.boxes()[1] == {"height": 30, "label": "Cat", "left": 300, "top": 300, "width": 50}


def test_pan_with_space_middle_button_and_pan_tool(open_crowd_page):
    tool = bbox_page(open_crowd_page)
    tool.mouse.move(*tool.client(400, 266))
    tool.mouse.wheel(0, -500)
    before = tool.eval("[el._view.tx, el._view.ty]")
    # Space + drag pans and draws nothing.
    tool.keyboard.down(" ")
    tool.drag((400, 266), (380, 256))
    tool.keyboard.up(" ")
    after_space = tool.eval("[el._view.tx, el._view.ty]")
    assert after_space != before
    # Middle button drag pans.
    tool.drag((400, 266), (420, 276), button="middle")
    after_middle = tool.eval("[el._view.tx, el._view.ty]")
    assert after_middle != after_space
    # The pan tool (H) pans with the left button; B goes back to drawing.
    tool.keyboard.press("h")
    tool.drag((400, 266), (410, 270))
    assert tool.eval("[el._view.tx, el._view.ty]") != after_middle
    assert tool.boxes() == []
    tool.keyboard.press("b")
    tool.drag((390, 250), (420, 280))
    assert tool.boxes() == [{"height": 30, "label": "Cat", "left": 390, "top": 250, "width": 30}]


def test_labels_replaced_from_script_g12(open_crowd_page):
    head = """<script>document.addEventListener('all-crowd-elements-ready', () => {
        document.querySelector('crowd-bounding-box').labels = []; });</script>"""
    body = (f'<{BOX} id="annotator" name="myTexts" src="/img/800x533.png" labels="[\'placeholder\']">'
            f'<short-instructions><crowd-input name="_customLabel" id="customLabel"></crowd-input></short-instructions></{BOX}>')
    tool = open_tool(open_crowd_page, body, BOX, head=head)
    assert tool.eval("el.labels") == []
    assert tool.eval("el.getAttribute('labels')") == "['placeholder']"
    assert tool.part(".it-labels").inner_text().strip() == "No labels"
    tool.drag((100, 100), (200, 200))
    assert tool.boxes() == []  # no label, no box
    tool.eval("el.labels = el.labels.concat(['hand', 'face'])")
    assert tool.eval("[...el.shadowRoot.querySelectorAll('.it-label')].map((b) => b.dataset.label)") == ["hand", "face"]
    tool.drag((100, 100), (200, 200))
    # Typing into an input inside the instructions does not trigger shortcuts.
    tool.page.locator("#customLabel input").fill("")
    tool.page.locator("#customLabel input").press_sequentially("2")
    tool.page.locator("#customLabel input").press("Backspace")
    assert tool.boxes() == [{"height": 100, "label": "hand", "left": 100, "top": 100, "width": 100}]
    # A removed label stays on its boxes (5.0); the current label falls back to the first one.
    tool.eval("el.labels = el.labels.filter((l) => l !== 'hand')")
    tool.mouse.click(*tool.client(700, 500))
    tool.drag((300, 300), (320, 320))
    assert [b["label"] for b in tool.boxes()] == ["hand", "face"]
    # Setting the attribute re-parses it.
    tool.eval("el.setAttribute('labels', \"['x', 'y']\")")
    assert tool.eval("el.labels") == ["x", "y"]


def test_tool_keeps_working_after_being_moved_in_the_document(open_crowd_page):
    tool = bbox_page(open_crowd_page)
    tool.eval("(() => { const form = el.parentElement; el.remove(); form.prepend(el); })()")
    tool.drag((100, 100), (150, 130))
    tool.click((125, 115))
    tool.keyboard.press("2")
    assert tool.boxes() == [{"height": 30, "label": "Dog", "left": 100, "top": 100, "width": 50}]
    tool.keyboard.press("Control+z")
    tool.keyboard.press("Control+z")
    assert tool.boxes() == []


def test_upper_canvas_covers_the_displayed_image(open_crowd_page):
    tool = bbox_page(open_crowd_page)
    canvas = tool.page.locator(f"{BOX} canvas.upper-canvas").bounding_box()
    top_left, bottom_right = tool.client(0, 0), tool.client(800, 533)
    assert canvas["x"] == pytest.approx(top_left[0], abs=1) and canvas["y"] == pytest.approx(top_left[1], abs=1)
    assert canvas["x"] + canvas["width"] == pytest.approx(bottom_right[0], abs=1)
    assert canvas["y"] + canvas["height"] == pytest.approx(bottom_right[1], abs=1)
    assert tool.eval("!!el.shadowRoot.querySelector('.awsui-app-layout__navigation')")


def test_image_that_fails_to_load_blocks_submission(open_crowd_page):
    page = open_crowd_page(f'<crowd-form><{BOX} name="b" src="/img/missing.png" labels="[\'A\']"></{BOX}></crowd-form>')
    tool = Tool(page, BOX)
    page.wait_for_function(f"{tool.js}.shadowRoot.querySelector('.it-stage').dataset.state === 'error'")
    tool.submit()
    assert blocked(page)
    assert "could not be loaded" in tool.part(".tool-error").inner_text()


def test_form_reset_restores_the_initial_value(open_crowd_page):
    body = (BB_CAT_DOG.format(extra=" initial-value=\"[{label:'Cat',left:10,top:10,width:20,height:20}]\"")
            + '<crowd-button form-action="reset">Reset</crowd-button>')
    page = open_crowd_page(f"<crowd-form>{body}</crowd-form>")
    tool = Tool(page, BOX).wait_ready()
    tool.drag((300, 300), (350, 350))
    assert len(tool.boxes()) == 2
    page.locator("crowd-button[form-action=reset]").click()
    page.wait_for_function(f"{tool.js}.value.boundingBoxes.length === 1")
    assert tool.value()["initialValueModified"] is False


def test_bounding_box_in_the_sandboxed_portal_frame(open_hosted_page):
    task = open_hosted_page(f'<crowd-form><{BOX} name="boundingBox" src="/img/640x480.png" labels="[\'Car\']"></{BOX}></crowd-form>')
    frame_box = task.page.locator("#task").bounding_box()
    tool = Tool(task.frame, BOX, mouse_page=task.page, offset=(frame_box["x"], frame_box["y"])).wait_ready()
    tool.drag((64, 48), (320, 240))
    tool.part(".tool-submit").click()
    assert task.wait_for_answers() == [{"boundingBox": {
        "boundingBoxes": [{"height": 192, "label": "Car", "left": 64, "top": 48, "width": 256}],
        "inputImageProperties": {"height": 480, "width": 640}}}]


# ---------------------------------------------------------------------------------------------- segmentation

def seg_page(open_crowd_page: Any, size: str = "4x2", extra: str = "", labels: str = "['Road','Car']") -> Tool:
    body = f'<{SEG} name="seg" src="/img/{size}.png" header="Paint the road" labels="{labels}"{extra}></{SEG}>'
    return open_tool(open_crowd_page, body, SEG)


def test_ss1_paint_row_and_pixel_exact_png(open_crowd_page):
    tool = seg_page(open_crowd_page)
    assert tool.eval("el.shadowRoot.querySelector('.it-brush-size').value") == "1"
    tool.drag((0.5, 0.5), (3.5, 0.5))
    tool.keyboard.press("2")
    tool.click((3.5, 1.5))
    tool.submit()
    answer = preview_answer(tool.page)["seg"]
    assert {k: v for k, v in answer.items() if k != "labeledImage"} == {
        "inputImageProperties": {"height": 2, "width": 4},
        "labelMappings": {"Car": {"color": "#ff7f0e"}, "Road": {"color": "#1f77b4"}}}
    image = decode_mask(answer)
    assert image.size == (4, 2)
    assert pixels(image) == [BLUE] * 4 + [CLEAR] * 3 + [ORANGE]
    screenshot(tool.page, "crowd-semantic-segmentation-4x2")


def brush_disc(cx: float, cy: float, size: int, width: int, height: int) -> set[tuple[int, int]]:
    """The spec'd brush footprint: pixel centres within size/2 of the point, plus the pixel under it."""
    r2 = (size / 2) ** 2
    out = {(x, y) for x in range(width) for y in range(height) if (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r2}
    out.add((int(cx), int(cy)))
    return out


def test_brush_size_eraser_undo_redo_and_no_antialiasing(open_crowd_page):
    tool = seg_page(open_crowd_page, size="200x100")
    tool.part(".it-brush-size").fill("9")
    tool.click((50.3, 40.6))
    image = decode_mask(tool.value())
    painted = {(i % 200, i // 200) for i, px in enumerate(pixels(image)) if px != CLEAR}
    assert painted == brush_disc(50.3, 40.6, 9, 200, 100)
    assert set(colour_counts(image)) == {BLUE, CLEAR}

    # A stroke with a 1 px brush leaves a connected line of exact colour, nothing in between.
    tool.part(".it-brush-size").fill("1")
    tool.keyboard.press("2")
    tool.drag((100.5, 10.5), (150.5, 60.5), steps=3)
    counts = colour_counts(decode_mask(tool.value()))
    assert set(counts) == {BLUE, ORANGE, CLEAR} and counts[ORANGE] >= 51

    # Eraser clears whatever label is there; undo/redo step through the edits.
    tool.keyboard.press("e")
    tool.part(".it-brush-size").fill("30")
    tool.click((50.3, 40.6))
    assert BLUE not in colour_counts(decode_mask(tool.value()))
    tool.keyboard.press("Control+z")
    assert colour_counts(decode_mask(tool.value()))[BLUE] == len(painted)
    tool.keyboard.press("Control+z")
    assert ORANGE not in colour_counts(decode_mask(tool.value()))
    tool.keyboard.press("Control+Shift+z")
    tool.keyboard.press("Control+Shift+z")
    assert BLUE not in colour_counts(decode_mask(tool.value()))
    assert "initialValueModified" not in tool.value()
    tool.keyboard.press("b")
    tool.part(".it-brush-size").fill("12")
    tool.drag((20, 80), (180, 70), steps=8)
    screenshot(tool.page, "crowd-semantic-segmentation")


def test_polygon_fill_paints_pixels_whose_centres_are_inside(open_crowd_page):
    tool = seg_page(open_crowd_page, size="40x20")
    tool.keyboard.press("p")
    for corner in [(2, 2), (12, 2), (12, 8)]:
        tool.click(corner)
    tool.keyboard.press("Backspace")  # removes (12, 8)
    tool.click((12, 8))
    tool.click((2, 8))
    tool.click((2, 2))  # on the first vertex: closes and fills
    image = decode_mask(tool.value())
    painted = {(i % 40, i // 40) for i, px in enumerate(pixels(image)) if px != CLEAR}
    assert painted == {(x, y) for x in range(2, 12) for y in range(2, 8)}
    # Enter closes too; Escape abandons a polygon.
    tool.keyboard.press("2")
    for corner in [(20, 2), (30, 2), (30, 7)]:  # no pixel centre lies on an edge
        tool.click(corner)
    tool.keyboard.press("Enter")
    for corner in [(32, 2), (38, 2), (38, 12)]:
        tool.click(corner)
    tool.keyboard.press("Escape")
    counts = colour_counts(decode_mask(tool.value()))
    assert counts[ORANGE] == sum(1 for x in range(20, 30) for y in range(2, 7) if x + 0.5 > 20 + 2 * (y + 0.5 - 2))


def mask_with_white_background() -> Image.Image:
    """A consolidated built-in mask: BACKGROUND white, Road green, one unknown colour."""
    mask = Image.new("RGB", (40, 20), (255, 255, 255))
    for x in range(10):
        for y in range(5):
            mask.putpixel((x, y), (0x2a, 0xcf, 0x59))
    mask.putpixel((39, 19), (1, 2, 3))
    return mask


def test_ss2_initial_mask_round_trips_and_tracks_modification(open_crowd_page):
    initial = json.dumps({"labelMappings": {"Road": {"color": "#2acf59"}, "Sky": {"color": "#010203"}},
                          "src": png_data_url(mask_with_white_background())})
    tool = seg_page(open_crowd_page, size="40x20", extra=f" initial-value='{initial}'")
    tool.submit()
    answer = preview_answer(tool.page)["seg"]
    assert answer["labelMappings"] == {"Car": {"color": "#ff7f0e"}, "Road": {"color": "#2acf59"}}
    assert answer["initialValueModified"] is False
    expected = [(0x2a, 0xcf, 0x59, 255) if x < 10 and y < 5 else CLEAR for y in range(20) for x in range(40)]
    assert pixels(decode_mask(answer)) == expected  # white and unknown colours start unlabelled
    assert "Sky" in open_crowd_page.console_text("warning")

    tool = seg_page(open_crowd_page, size="40x20", extra=f" initial-value='{initial}'")
    tool.keyboard.press("e")
    tool.click((0.5, 0.5))
    value = tool.value()
    assert value["initialValueModified"] is True
    assert colour_counts(decode_mask(value))[(0x2a, 0xcf, 0x59, 255)] == 49


def test_label_colours_follow_the_palette_and_stay_once_painted(open_crowd_page):
    tool = seg_page(open_crowd_page, size="20x10", labels="['A','B','C']")
    assert tool.value()["labelMappings"] == {"A": {"color": "#1f77b4"}, "B": {"color": "#ff7f0e"}, "C": {"color": "#2ca02c"}}
    tool.keyboard.press("3")
    tool.click((5.5, 5.5))
    # C keeps its colour and its pixels when removed from labels; D takes index 1's colour.
    tool.eval("el.labels = ['A', 'D']")
    value = tool.value()
    assert value["labelMappings"] == {"A": {"color": "#1f77b4"}, "C": {"color": "#2ca02c"}, "D": {"color": "#ff7f0e"}}
    assert colour_counts(decode_mask(value))[GREEN] == 1
    # A new label never takes a colour already painted.
    tool.eval("el.labels = ['A', 'D', 'E']")
    assert tool.value()["labelMappings"]["E"] == {"color": "#d62728"}


def test_segmentation_in_the_sandboxed_frame_with_a_cors_mask(open_hosted_page, context, crowd_server):
    mask = io.BytesIO()
    mask_with_white_background().save(mask, format="PNG")
    context.route(f"{crowd_server.base}/masks/prior.png", lambda route: route.fulfill(
        status=200, body=mask.getvalue(), headers={"Content-Type": "image/png", "Access-Control-Allow-Origin": "*"}))
    initial = json.dumps({"labelMappings": {"Road": {"color": "#2acf59"}}, "src": f"{crowd_server.base}/masks/prior.png"})
    task = open_hosted_page(f"<crowd-form><{SEG} name=\"crowd-semantic-segmentation\" src=\"/img/40x20.png\" "
                            f"labels=\"['Road','Car']\" initial-value='{initial}'></{SEG}></crowd-form>")
    frame_box = task.page.locator("#task").bounding_box()
    tool = Tool(task.frame, SEG, mouse_page=task.page, offset=(frame_box["x"], frame_box["y"])).wait_ready()
    tool.part('.it-label[data-label="Car"]').click()
    tool.click((30.5, 15.5))
    tool.part(".tool-submit").click()
    answer = task.wait_for_answers()[0]["crowd-semantic-segmentation"]
    assert answer["initialValueModified"] is True
    counts = colour_counts(decode_mask(answer))
    assert counts == {(0x2a, 0xcf, 0x59, 255): 50, ORANGE: 1, CLEAR: 40 * 20 - 51}


def test_mask_that_cannot_be_read_blocks_submission(open_crowd_page):
    initial = json.dumps({"labelMappings": {"Road": {"color": "#2acf59"}}, "src": "/masks/absent.png"})
    page = open_crowd_page(f"<crowd-form><{SEG} name=\"s\" src=\"/img/40x20.png\" labels=\"['Road']\" "
                           f"initial-value='{initial}'></{SEG}></crowd-form>")
    tool = Tool(page, SEG)
    page.wait_for_function(f"{tool.js}.shadowRoot.querySelector('.it-status').textContent !== ''")
    tool.submit()
    assert blocked(page)
    assert "initial mask" in tool.part(".tool-error").inner_text()
