"""The built-in task types' worker templates in Chromium, through the preview app (``create_preview_app``, what
``crowdform preview --strict`` serves) running in a thread: each case is one item, shown in the sandboxed
task frame with its images behind signed ``/files`` URLs; the page's Submit hands the answer to the app,
and the canonical line it receives is compared exactly (contract 5.3, crowd-elements 5.x). One server for
the module: starting a preview process per template would cost seconds each.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PIL import Image

from crowdform.builtin.worker_templates import worker_template
from tests.browser.conftest import png_bytes
from tests.browser.helpers import screenshot
from tests.browser.test_image_tools import Tool, colour_counts, decode_mask, pixels
from tests.fixtures.servers import free_port

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Frame, Page

# The element is in the frame's page, defined and upgraded, and the page has loaded (so it has told the host).
UPGRADED = ("([tag]) => document.readyState === 'complete' && !!document.querySelector(tag)"
            " && document.querySelector(tag).matches(':defined')")
IMAGE_LOADED = "([tag]) => { const img = document.querySelector(tag).shadowRoot.querySelector('img.image');" \
               " return !!img && img.complete && img.naturalWidth > 0; }"
BLUE, ORANGE = (31, 119, 180, 255), (255, 127, 14, 255)
CLEAR = (0, 0, 0, 0)
WAIT_S = 30.0
BOXES = [{"label": "eye", "left": 20, "top": 30, "width": 60, "height": 40},
         {"label": "nose", "left": 150, "top": 100, "width": 50, "height": 70}]


@dataclass
class Task:
    """One item of the preview in a page: a built-in template on its task input, in the sandboxed frame."""

    server: PreviewServer
    page: Page
    frame: Frame

    def offset(self) -> tuple[float, float]:
        """Where the frame's viewport starts on the page (mouse positions are page positions)."""
        box = self.page.locator("#task-frame").evaluate(
            "(f) => { const r = f.getBoundingClientRect(), s = getComputedStyle(f);"
            " return [r.x + parseFloat(s.borderLeftWidth) + parseFloat(s.paddingLeft),"
            " r.y + parseFloat(s.borderTopWidth) + parseFloat(s.paddingTop)]; }")
        return box[0], box[1]

    def tool(self, tag: str) -> Tool:
        return Tool(self.frame, tag, mouse_page=self.page, offset=self.offset()).wait_ready()

    def submit(self) -> dict[str, Any]:
        """Press the preview page's Submit (as the portal's) and return the answer line the app was handed, parsed."""
        self.page.locator("#submit").click()
        line = self.server.answers.get(timeout=WAIT_S)
        answer = json.loads(line)
        assert isinstance(answer, dict), line
        return answer


@dataclass
class PreviewServer:
    """The preview app over every case of :data:`CASES`, item n being the n-th case, on loopback."""

    url: str
    numbers: dict[str, int]
    answers: queue.Queue[str]


def image(folder: Path, name: str) -> str:
    return str(folder / name)


def task_input(task_object: str, labels: list[str], **extra: Any) -> dict[str, Any]:
    """``task.input`` as the built-in pre-annotation step gives it (taskObject, labels, manifestLine, ...)."""
    line = {"source-ref": task_object} if task_object.endswith(".png") else {"source": task_object}
    return {"taskObject": task_object, "labels": labels, "manifestLine": line, **extra}


def seg_initial(folder: Path, labels: tuple[str, ...] = ("eye", "nose")) -> dict[str, Any]:
    colours = {"eye": "#1f77b4", "nose": "#ff7f0e"}
    return {"labelMappings": {label: {"color": colours[label]} for label in labels}, "src": image(folder, MASK)}


FACE, SMALL, MASK = "face.png", "small.png", "mask.png"  # 320x240, 40x20, and a 40x20 label PNG
NER_LABELS = [{"label": "Person", "shortDisplayName": "per", "fullDisplayName": "A person"}, {"label": "Place"}]
# Case name -> (task type, its task input given the folder of the images).
CASES: dict[str, tuple[str, Callable[[Path], dict[str, Any]]]] = {
    "image-classification": ("image-classification", lambda f: task_input(image(f, FACE), ["cat", "dog", "other"])),
    "text-classification": ("text-classification", lambda f: task_input(
        "Battery died after one hour <b>of</b> use.\nNever again.", ["positive", "negative"])),
    "image-multi": ("image-classification-multi-label", lambda f: task_input(image(f, FACE), ["car", "bicycle", "bus"])),
    "text-multi": ("text-classification-multi-label", lambda f: task_input(
        "Great phone, awful battery.", ["positive", "negative", "neutral"])),
    "bounding-box": ("bounding-box", lambda f: task_input(
        image(f, FACE), ["eye", "nose"], instructions={"shortInstruction": "<p id='owner'>Box <b>every</b> eye</p>"})),
    "bounding-box-adjustment": ("bounding-box-adjustment", lambda f: task_input(
        image(f, FACE), ["eye", "nose"], initialValue=BOXES)),
    "semantic-segmentation": ("semantic-segmentation", lambda f: task_input(image(f, SMALL), ["eye", "nose"])),
    "semantic-segmentation-adjustment": ("semantic-segmentation-adjustment", lambda f: task_input(
        image(f, SMALL), ["eye", "nose"], initialValue=seg_initial(f))),
    "semantic-segmentation-adjustment-eye": ("semantic-segmentation-adjustment", lambda f: task_input(
        image(f, SMALL), ["eye", "nose"], initialValue=seg_initial(f, ("eye",)))),
    "named-entity-recognition": ("named-entity-recognition", lambda f: task_input(
        "Dana flew to Oslo on Friday.", ["Person", "Place"], labelObjects=NER_LABELS)),
    "bounding-box-verification": ("bounding-box-verification", lambda f: task_input(
        image(f, FACE), ["correct", "incorrect"], initialValue=BOXES)),
    "semantic-segmentation-verification": ("semantic-segmentation-verification", lambda f: task_input(
        image(f, SMALL), ["correct", "incorrect"], initialValue=seg_initial(f))),
}


def write_images(folder: Path) -> None:
    """The images, drawn with Pillow; the mask is a consolidated built-in one: BACKGROUND white, eye blue on
    the top-left 10x5, nose orange at (39, 19)."""
    (folder / FACE).write_bytes(png_bytes(320, 240))
    (folder / SMALL).write_bytes(png_bytes(40, 20))
    picture = Image.new("RGB", (40, 20), (255, 255, 255))
    for x in range(10):
        for y in range(5):
            picture.putpixel((x, y), BLUE[:3])
    picture.putpixel((39, 19), ORANGE[:3])
    picture.save(folder / MASK, format="PNG")


@pytest.fixture(scope="module")
def preview_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PreviewServer]:
    """``create_preview_app`` (the app of ``crowdform preview --strict``) over every case, each item with the
    built-in template of its task type, its images signed by the preview's file access."""
    import uvicorn

    from crowdform.engine.clock import SystemClock
    from crowdform.engine.file_access import FileAccess
    from crowdform.engine.previews import Preview
    from crowdform.storage import Storage
    from crowdform.templating import compile_template
    from crowdform.web.preview_app import PreviewSetup, create_preview_app

    folder = tmp_path_factory.mktemp("builtin-templates")
    write_images(folder)
    task_types = [task_type for task_type, _ in CASES.values()]
    items = Preview([(name, make(folder)) for name, (_, make) in CASES.items()])
    storage, clock = Storage([folder]), SystemClock()
    answers: queue.Queue[str] = queue.Queue()
    app = create_preview_app(PreviewSetup(
        title="Built-in worker templates", preview=items,
        template=lambda index: compile_template(worker_template(task_types[index]), f"{task_types[index]}.html"),
        file_access=FileAccess("builtin-templates test secret", storage, clock), storage=storage, clock=clock,
        on_answer=answers.put, strict=True))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, name="builtin-templates-preview", daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_S
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the preview app did not start"
        time.sleep(0.02)
    try:
        yield PreviewServer(f"http://127.0.0.1:{server.config.port}/", {name: n for n, name in enumerate(CASES, 1)},
                            answers)
    finally:
        server.should_exit = True
        thread.join(timeout=WAIT_S)


@pytest.fixture
def open_task(browser: Browser, preview_server: PreviewServer) -> Iterator[Callable[[str, str], Task]]:
    """``open_task(case, element)``: the preview page at the case's item, once ``element`` has upgraded in the frame.
    Uncaught errors and console errors of the page and its frame fail the test."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    problems: list[str] = []
    try:
        def open_(case: str, element: str) -> Task:
            while not preview_server.answers.empty():
                preview_server.answers.get_nowait()
            page = context.new_page()
            page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
            page.on("console", lambda message: problems.append(f"console: {message.text}")
                    if message.type == "error" and not message.location["url"].endswith("/favicon.ico") else None)
            page.goto(f"{preview_server.url}#{preview_server.numbers[case]}")
            expect(page.locator("#item-label")).to_have_text(case)
            handle = page.locator("#task-frame").element_handle()
            assert handle is not None
            frame = handle.content_frame()
            assert frame is not None
            frame.wait_for_function(UPGRADED, arg=[element])
            return Task(preview_server, page, frame)

        yield open_
        assert problems == []
    finally:
        context.close()


# -------------------------------------------------------------------------------------------- classification

def test_image_classification(open_task: Callable[[str, str], Task]) -> None:
    task = open_task("image-classification", "crowd-image-classifier")
    task.frame.wait_for_function(IMAGE_LOADED, arg=["crowd-image-classifier"])  # through its signed /files URL
    assert task.frame.locator("crowd-image-classifier .category .text").all_inner_texts() == ["cat", "dog", "other"]
    assert task.frame.locator("short-instructions").inner_text() == "Choose one label. Number keys 1 to 9 choose too."
    task.frame.locator("crowd-image-classifier .category", has_text="dog").click()
    screenshot(task.page, "builtin-image-classification")
    assert task.submit() == {"crowd-image-classifier": {"label": "dog"}}


def test_text_classification(open_task: Callable[[str, str], Task]) -> None:
    task = open_task("text-classification", "crowd-classifier")
    # Shown as text, line break kept.
    assert task.frame.locator("classification-target p").inner_text() == (
        "Battery died after one hour <b>of</b> use.\nNever again.")
    task.frame.locator("crowd-classifier .category", has_text="negative").click()
    screenshot(task.page, "builtin-text-classification")
    assert task.submit() == {"crowd-classifier": {"label": "negative"}}


def test_image_classification_multi_label(open_task: Callable[[str, str], Task]) -> None:
    tag = "crowd-image-classifier-multi-select"
    task = open_task("image-multi", tag)
    task.frame.wait_for_function(IMAGE_LOADED, arg=[tag])
    task.frame.locator(f"{tag} .category", has_text="bus").click()
    task.frame.locator(f"{tag} .category", has_text="car").click()
    screenshot(task.page, "builtin-image-classification-multi-label")
    assert task.submit() == {tag: {"labels": ["car", "bus"]}}  # in the order of the labels


def test_text_classification_multi_label(open_task: Callable[[str, str], Task]) -> None:
    tag = "crowd-classifier-multi-select"
    task = open_task("text-multi", tag)
    task.frame.locator(f"{tag} .category", has_text="negative").click()
    task.frame.locator(f"{tag} .category", has_text="positive").click()
    screenshot(task.page, "builtin-text-classification-multi-label")
    assert task.submit() == {tag: {"labels": ["positive", "negative"]}}


# ---------------------------------------------------------------------------------------------- image tools

def test_bounding_box_with_the_job_owners_instructions(open_task: Callable[[str, str], Task]) -> None:
    task = open_task("bounding-box", "crowd-bounding-box")
    tool = task.tool("crowd-bounding-box")
    assert task.frame.locator("#owner b").inner_text() == "every"  # the owner's HTML, as HTML
    assert "Choose a label, then press and drag" in (task.frame.locator("full-instructions").text_content() or "")
    assert tool.part(".tool-header").inner_text() == "Draw a box around each object of these kinds: eye, nose"
    tool.drag((20, 30), (80, 70))  # the first label is chosen at the start
    tool.part('.it-label[data-label="nose"]').click()
    tool.drag((150, 100), (200, 170))
    screenshot(task.page, "builtin-bounding-box")
    assert task.submit() == {"boundingBox": {"boundingBoxes": [
        {"height": 40, "label": "eye", "left": 20, "top": 30, "width": 60},
        {"height": 70, "label": "nose", "left": 150, "top": 100, "width": 50}],
        "inputImageProperties": {"height": 240, "width": 320}}}


def test_bounding_box_adjustment_submitted_untouched(open_task: Callable[[str, str], Task]) -> None:
    task = open_task("bounding-box-adjustment", "crowd-bounding-box")
    task.tool("crowd-bounding-box")
    screenshot(task.page, "builtin-bounding-box-adjustment")
    assert task.submit() == {"boundingBox": {"boundingBoxes": BOXES, "initialValueModified": False,
                                             "inputImageProperties": {"height": 240, "width": 320}}}


def test_bounding_box_adjustment_with_a_box_moved(open_task: Callable[[str, str], Task]) -> None:
    task = open_task("bounding-box-adjustment", "crowd-bounding-box")
    tool = task.tool("crowd-bounding-box")
    tool.click((50, 50))  # select the eye box
    tool.drag((50, 50), (60, 55))  # and move it 10 px right, 5 px down
    moved = [{**BOXES[0], "left": 30, "top": 35}, BOXES[1]]
    assert task.submit() == {"boundingBox": {"boundingBoxes": moved, "initialValueModified": True,
                                             "inputImageProperties": {"height": 240, "width": 320}}}


def segmentation(answer: dict[str, Any]) -> tuple[dict[str, Any], dict[tuple[int, ...], int]]:
    """The segmentation answer without its PNG, and the PNG's pixel count per colour."""
    assert list(answer) == ["crowd-semantic-segmentation"]
    value = answer["crowd-semantic-segmentation"]
    return {key: item for key, item in value.items() if key != "labeledImage"}, colour_counts(decode_mask(value))


def test_semantic_segmentation(open_task: Callable[[str, str], Task]) -> None:
    task = open_task("semantic-segmentation", "crowd-semantic-segmentation")
    tool = task.tool("crowd-semantic-segmentation")
    assert tool.eval("el.shadowRoot.querySelector('.it-brush-size').value") == "1"
    tool.click((0.5, 0.5))  # eye, the first label
    tool.click((1.5, 0.5))
    tool.part('.it-label[data-label="nose"]').click()
    tool.click((30.5, 15.5))
    screenshot(task.page, "builtin-semantic-segmentation")
    answer = task.submit()
    assert segmentation(answer)[0] == {"inputImageProperties": {"height": 20, "width": 40},
                                       "labelMappings": {"eye": {"color": "#1f77b4"}, "nose": {"color": "#ff7f0e"}}}
    painted = {(i % 40, i // 40): px for i, px in enumerate(pixels(decode_mask(answer["crowd-semantic-segmentation"])))
               if px != CLEAR}
    assert painted == {(0, 0): BLUE, (1, 0): BLUE, (30, 15): ORANGE}


def test_semantic_segmentation_adjustment_submitted_untouched(open_task: Callable[[str, str], Task]) -> None:
    task = open_task("semantic-segmentation-adjustment", "crowd-semantic-segmentation")
    tool = task.tool("crowd-semantic-segmentation")
    task.frame.wait_for_function(f"{tool.js}._maskState === 'ready'")  # the mask came through its signed URL
    screenshot(task.page, "builtin-semantic-segmentation-adjustment")
    assert segmentation(task.submit()) == (
        {"initialValueModified": False, "inputImageProperties": {"height": 20, "width": 40},
         "labelMappings": {"eye": {"color": "#1f77b4"}, "nose": {"color": "#ff7f0e"}}},
        {BLUE: 50, ORANGE: 1, CLEAR: 40 * 20 - 51})  # the white BACKGROUND starts unlabelled


def test_semantic_segmentation_adjustment_with_a_pixel_repainted(open_task: Callable[[str, str], Task]) -> None:
    task = open_task("semantic-segmentation-adjustment-eye", "crowd-semantic-segmentation")
    tool = task.tool("crowd-semantic-segmentation")
    task.frame.wait_for_function(f"{tool.js}._maskState === 'ready'")
    tool.part('.it-label[data-label="nose"]').click()
    tool.click((0.5, 0.5))  # paint over one eye pixel with nose
    assert segmentation(task.submit()) == (
        {"initialValueModified": True, "inputImageProperties": {"height": 20, "width": 40},
         "labelMappings": {"eye": {"color": "#1f77b4"}, "nose": {"color": "#ff7f0e"}}},
        {BLUE: 49, ORANGE: 1, CLEAR: 40 * 20 - 50})  # only eye was mapped: the mask's orange pixel starts unlabelled


# ------------------------------------------------------------------------------------------------- text tools

def char_box(task: Task, index: int) -> dict[str, float]:
    box = task.frame.evaluate(
        "(i) => { const r = document.querySelector('crowd-entity-annotation').shadowRoot"
        ".querySelectorAll('.ea-text .c')[i].getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; }",
        index)
    dx, dy = task.offset()
    return {"x": box["x"] + dx, "y": box["y"] + dy, "w": box["w"], "h": box["h"]}


def highlight(task: Task, start: int, end: int) -> None:
    """Select characters [start, end) of the text with the mouse."""
    a, b = char_box(task, start), char_box(task, end - 1)
    task.page.mouse.move(a["x"] + a["w"] * 0.4, a["y"] + a["h"] / 2)
    task.page.mouse.down()
    task.page.mouse.move(b["x"] + b["w"] * 0.6, b["y"] + b["h"] / 2, steps=4)
    task.page.mouse.up()


def test_named_entity_recognition(open_task: Callable[[str, str], Task]) -> None:
    task = open_task("named-entity-recognition", "crowd-entity-annotation")
    ner = task.frame.locator("crowd-entity-annotation")
    assert ner.locator(".ea-label").first.inner_text().startswith("A person")  # fullDisplayName
    ner.locator(".ea-label", has_text="A person").click()
    highlight(task, 0, 4)
    ner.locator(".ea-label", has_text="Place").click()
    highlight(task, 13, 17)
    screenshot(task.page, "builtin-named-entity-recognition")
    assert task.submit() == {"crowd-entity-annotation": {"entities": [
        {"endOffset": 4, "label": "Person", "startOffset": 0},
        {"endOffset": 17, "label": "Place", "startOffset": 13}]}}


# ----------------------------------------------------------------------------------------------- verification

def comment(task: Task, text: str) -> None:
    """Leave a worker comment through the classifier's dialog."""
    classifier = task.frame.locator("crowd-image-classifier")
    classifier.locator(".comment-link").click()
    classifier.locator(".comment-box").fill(text)
    classifier.locator(".comment-actions .save").click()


def test_bounding_box_verification(open_task: Callable[[str, str], Task]) -> None:
    task = open_task("bounding-box-verification", "crowd-image-classifier")
    task.frame.wait_for_function(IMAGE_LOADED, arg=["crowd-image-classifier"])
    classifier = task.frame.locator("crowd-image-classifier")
    assert classifier.locator(".overlay-boxes .box").all_inner_texts() == ["eye", "nose"]  # the boxes under review
    assert classifier.locator(".legend").inner_text().split() == ["eye", "nose"]
    classifier.locator(".category", has_text="incorrect").click()
    comment(task, "The nose box is too low.")
    screenshot(task.page, "builtin-bounding-box-verification")
    assert task.submit() == {"crowd-image-classifier": {"label": "incorrect", "workerComment": "The nose box is too low."}}


def test_bounding_box_verification_without_a_comment(open_task: Callable[[str, str], Task]) -> None:
    task = open_task("bounding-box-verification", "crowd-image-classifier")
    task.frame.locator("crowd-image-classifier .category .text").get_by_text("correct", exact=True).click()
    assert task.submit() == {"crowd-image-classifier": {"label": "correct"}}


def test_semantic_segmentation_verification(open_task: Callable[[str, str], Task]) -> None:
    task = open_task("semantic-segmentation-verification", "crowd-image-classifier")
    task.frame.wait_for_function(IMAGE_LOADED, arg=["crowd-image-classifier"])
    task.frame.wait_for_function("() => { const o = document.querySelector('crowd-image-classifier').shadowRoot"
                                 ".querySelector('.overlay-image'); return !o.hidden && o.complete && o.naturalWidth === 40; }")
    classifier = task.frame.locator("crowd-image-classifier")
    assert classifier.locator(".legend").inner_text().split() == ["eye", "nose"]
    classifier.locator(".category", has_text="incorrect").click()
    comment(task, "The nose is\nnot painted.")
    screenshot(task.page, "builtin-semantic-segmentation-verification")
    assert task.submit() == {"crowd-image-classifier": {"label": "incorrect",
                                                        "workerComment": "The nose is\nnot painted."}}


def test_every_built_in_task_type_is_tried_in_the_browser() -> None:
    from crowdform.builtin.worker_templates import TASK_TYPES

    assert sorted({task_type for task_type, _ in CASES.values()}) == sorted(TASK_TYPES)
