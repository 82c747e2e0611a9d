"""The built-in task types' worker templates, rendered without a browser: each compiles, renders in
strict mode on the task input the built-in pre-annotation step gives it, names its element as
Ground Truth's templates do (contract 5.3), escapes everything from the data object, and prints the
job owner's instructions as HTML. Their behaviour in a browser is in tests/browser/test_builtin_templates.py.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from importlib import resources
from typing import Any

import pytest

from crowdform.builtin.worker_templates import TASK_TYPES, worker_template
from crowdform.errors import InvalidInput
from crowdform.templating import compile_template

BUNDLE_TAG = '<script src="/static/crowd-html-elements.js"></script>'
IMAGE = "s3://acme-data/faces/img-0042.png"
MASK = "s3://acme-out/faces/annotations/consolidated-annotation/output/0_2024-03-05T10:01:44.120331.png"
TEXT = "Dana flew to Oslo on Friday."
BOXES = [{"label": "eye", "left": 40, "top": 52, "width": 120, "height": 200},
         {"label": "nose", "left": 300, "top": 60, "width": 80, "height": 90}]
MAPPINGS = {"eye": {"color": "#1f77b4"}, "nose": {"color": "#ff7f0e"}}
TEXT_TYPES = {"text-classification", "text-classification-multi-label", "named-entity-recognition"}
VERIFICATION_TYPES = {"bounding-box-verification", "semantic-segmentation-verification"}
# Task type -> (element, answer key): contract 5.3 and the brief's table.
ELEMENTS = {
    "image-classification": ("crowd-image-classifier", "crowd-image-classifier"),
    "text-classification": ("crowd-classifier", "crowd-classifier"),
    "image-classification-multi-label": ("crowd-image-classifier-multi-select", "crowd-image-classifier-multi-select"),
    "text-classification-multi-label": ("crowd-classifier-multi-select", "crowd-classifier-multi-select"),
    "bounding-box": ("crowd-bounding-box", "boundingBox"),
    "semantic-segmentation": ("crowd-semantic-segmentation", "crowd-semantic-segmentation"),
    "named-entity-recognition": ("crowd-entity-annotation", "crowd-entity-annotation"),
    "bounding-box-verification": ("crowd-image-classifier", "crowd-image-classifier"),
    "bounding-box-adjustment": ("crowd-bounding-box", "boundingBox"),
    "semantic-segmentation-verification": ("crowd-image-classifier", "crowd-image-classifier"),
    "semantic-segmentation-adjustment": ("crowd-semantic-segmentation", "crowd-semantic-segmentation"),
}
HOSTILE = '"><script>alert(1)</script>'


def sample_input(task_type: str, labels: list[str] | None = None, text: str = TEXT, **extra: Any) -> dict[str, Any]:
    """What the built-in pre-annotation step puts in ``task.input`` for ``task_type`` (brief and contract 3.6)."""
    text_type = task_type in TEXT_TYPES
    line: dict[str, Any] = {"source": text} if text_type else {"source-ref": IMAGE}
    if labels is None:
        labels = ["correct", "incorrect"] if task_type in VERIFICATION_TYPES else ["eye", "nose"]
    task: dict[str, Any] = {"taskObject": text if text_type else IMAGE, "labels": labels, "manifestLine": line}
    if task_type == "named-entity-recognition":
        task["labelObjects"] = [{"label": label, "shortDisplayName": label[:3]} for label in labels]
    if task_type.startswith("bounding-box-"):
        task["initialValue"] = BOXES
    if task_type.startswith("semantic-segmentation-"):
        task["initialValue"] = {"labelMappings": MAPPINGS, "src": MASK}
    task.update(extra)
    return task


def sign(uri: str) -> str:
    """A stand-in for FileAccess.grant whose URL needs escaping in an attribute."""
    return f"/files/t?uri={uri}&sig=a'b"


def render(task_type: str, task_input: dict[str, Any]) -> str:
    page = compile_template(worker_template(task_type), f"{task_type}.html").render(
        task_input, grant_read_access=sign, strict=True)
    assert page.count(BUNDLE_TAG) == 1 and "assets.crowd.aws" not in page  # the AWS tag, pointed at our bundle
    return page


class Elements(HTMLParser):
    """Every start tag of a page with its attributes, entities decoded as the browser decodes them."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def one(self, tag: str) -> dict[str, str]:
        found = self.named(tag)
        assert len(found) == 1, (tag, found)
        return {key: value or "" for key, value in found[0].items()}


def json5(value: str) -> Any:
    """The structured attribute ``value`` as data: JSON plus the bare keys and newlines our templates write."""
    return json.loads(re.sub(r"([{,]\s*)([A-Za-z_]\w*)\s*:", r'\1"\2":', value))


def element(task_type: str, page: str) -> dict[str, str]:
    return Elements(page).one(ELEMENTS[task_type][0])


def region(page: str, name: str) -> str:
    match = re.search(rf"<{name}\b[^>]*>(.*?)</{name}>", page, re.DOTALL)
    assert match, name
    return match[1].strip()


# ------------------------------------------------------------------------------------------------ the loader

def test_task_types_are_the_eleven_built_in_types_in_catalogue_order() -> None:
    assert TASK_TYPES == (
        "image-classification", "text-classification", "image-classification-multi-label",
        "text-classification-multi-label", "bounding-box", "semantic-segmentation", "named-entity-recognition",
        "bounding-box-verification", "bounding-box-adjustment", "semantic-segmentation-verification",
        "semantic-segmentation-adjustment")


def test_every_task_type_has_one_file_and_every_file_a_task_type() -> None:
    folder = resources.files("crowdform.builtin.worker_templates")
    files = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".html"))
    assert files == sorted(f"{name}.html" for name in TASK_TYPES)
    for name in TASK_TYPES:
        assert worker_template(name) == folder.joinpath(f"{name}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["", "bounding_box", "BoundingBox", "bounding-box.html", "custom",
                                  "../web/gallery/crowd-form", "__init__"])
def test_an_unknown_task_type_is_a_key_error_naming_it(name: str) -> None:
    with pytest.raises(KeyError, match="no built-in worker template for task type") as raised:
        worker_template(name)
    assert repr(name) in str(raised.value)


# ------------------------------------------------------------------------------------- compile and render

@pytest.mark.parametrize("task_type", TASK_TYPES)
def test_each_template_compiles_and_renders_strictly_on_its_task_input(task_type: str) -> None:
    page = render(task_type, sample_input(task_type))
    tag, key = ELEMENTS[task_type]
    found = Elements(page)
    attrs = found.one(tag)
    assert attrs["name"] == key
    assert attrs["header"]
    # One crowd-form around the element; crowd-entity-annotation brings its own (crowd-elements 5.9).
    assert len(found.named("crowd-form")) == (0 if tag == "crowd-entity-annotation" else 1)
    assert len(found.named("short-instructions")) == len(found.named("full-instructions")) == 1


@pytest.mark.parametrize("task_type", TASK_TYPES)
def test_the_element_gets_the_labels_and_the_task_object(task_type: str) -> None:
    task = sample_input(task_type)
    attrs = element(task_type, render(task_type, task))
    if task_type == "named-entity-recognition":
        assert json.loads(attrs["labels"]) == task["labelObjects"]
        assert attrs["text"] == TEXT
    elif "classification" in task_type or task_type in VERIFICATION_TYPES:
        assert json.loads(attrs["categories"]) == task["labels"]
    else:
        assert json.loads(attrs["labels"]) == task["labels"]
    if task_type not in TEXT_TYPES:
        assert attrs["src"] == sign(IMAGE)
    elif task_type != "named-entity-recognition":
        assert re.search(r"<classification-target><p[^>]*>Dana flew to Oslo on Friday\.</p></classification-target>",
                         render(task_type, task))


def test_bounding_box_adjustment_passes_the_boxes_as_initial_value() -> None:
    attrs = element("bounding-box-adjustment", render("bounding-box-adjustment", sample_input("bounding-box-adjustment")))
    assert json.loads(attrs["initial-value"]) == BOXES


def test_semantic_segmentation_adjustment_passes_the_mask_with_read_access() -> None:
    task_type = "semantic-segmentation-adjustment"
    attrs = element(task_type, render(task_type, sample_input(task_type)))
    assert json5(attrs["initial-value"]) == {"labelMappings": MAPPINGS, "src": sign(MASK)}


def test_bounding_box_verification_overlays_the_boxes_with_their_labels() -> None:
    task_type = "bounding-box-verification"
    boxes = [*BOXES, {"label": "eye", "left": 1, "top": 2, "width": 3, "height": 4}]
    attrs = element(task_type, render(task_type, sample_input(task_type, initialValue=boxes)))
    assert json5(attrs["overlay"]) == {"boundingBox": {"labels": ["eye", "nose"], "value": boxes}}


def test_semantic_segmentation_verification_overlays_the_mask_with_its_legend() -> None:
    task_type = "semantic-segmentation-verification"
    attrs = element(task_type, render(task_type, sample_input(task_type)))
    assert json5(attrs["overlay"]) == {"semanticSegmentation": {"labels": ["eye", "nose"], "labelMappings": MAPPINGS,
                                                                "src": sign(MASK)}}


@pytest.mark.parametrize("task_type", sorted(VERIFICATION_TYPES))
def test_verification_offers_a_worker_comment(task_type: str) -> None:
    page = render(task_type, sample_input(task_type))
    assert Elements(page).one("worker-comment")["link-text"] == "Add a comment"
    # The comment is a region of the classifier, which answers it as workerComment (crowd-elements 5.12).
    assert page.index("<worker-comment") < page.index("</crowd-image-classifier>")


@pytest.mark.parametrize("task_type", TASK_TYPES)
def test_a_missing_task_input_key_is_reported_in_strict_mode(task_type: str) -> None:
    task = sample_input(task_type)
    del task["labels"]
    if task_type == "named-entity-recognition":
        del task["labelObjects"]
    with pytest.raises(InvalidInput) as raised:
        render(task_type, task)
    assert any(problem.field in {"task.input.labels", "task.input.labelObjects"} for problem in raised.value.problems)


# ------------------------------------------------------------------------------------------- instructions

@pytest.mark.parametrize("task_type", TASK_TYPES)
def test_the_job_owners_instructions_are_shown_as_html(task_type: str) -> None:
    instructions = {"shortInstruction": "<p>Box <b>every</b> eye &amp; nose</p>",
                    "fullInstruction": "<h3>Rules</h3><ul><li>Tight boxes</li></ul>"}
    page = render(task_type, sample_input(task_type, instructions=instructions))
    assert region(page, "short-instructions") == instructions["shortInstruction"]
    assert region(page, "full-instructions") == instructions["fullInstruction"]


@pytest.mark.parametrize("task_type", TASK_TYPES)
@pytest.mark.parametrize("instructions", [None, {}, {"shortInstruction": ""}, {"fullInstruction": "  "}],
                         ids=["absent", "empty", "empty-short", "blank-full"])
def test_without_instructions_each_type_shows_its_own_default(task_type: str, instructions: dict[str, str] | None) -> None:
    task = sample_input(task_type) if instructions is None else sample_input(task_type, instructions=instructions)
    page = render(task_type, task)
    short, full = region(page, "short-instructions"), region(page, "full-instructions")
    assert short.startswith("<p>") and len(short) > 20
    assert full.startswith("<p>") and len(full) > 60


def test_either_instruction_may_be_absent() -> None:
    page = render("bounding-box", sample_input("bounding-box", instructions={"fullInstruction": "<p>Full rules</p>"}))
    assert region(page, "full-instructions") == "<p>Full rules</p>"
    assert region(page, "short-instructions") == "<p>Draw one tight box around every object that has a label.</p>"
    page = render("bounding-box", sample_input("bounding-box", instructions={"shortInstruction": "<p>Short</p>"}))
    assert region(page, "short-instructions") == "<p>Short</p>"
    assert "Choose a label, then press and drag" in region(page, "full-instructions")


# ---------------------------------------------------------------------------------------------- escaping

@pytest.mark.parametrize("task_type", TASK_TYPES)
def test_hostile_labels_text_and_uris_are_escaped_and_reach_the_element_intact(task_type: str) -> None:
    labels = [HOSTILE, "it's", "a&b"]
    uri = f"s3://acme-data/{HOSTILE}.png"
    task = sample_input(task_type, labels=labels, text=f"{HOSTILE} & more")
    if task_type not in TEXT_TYPES:
        task["taskObject"] = uri
    if task_type.startswith("bounding-box-"):
        task["initialValue"] = [{"label": HOSTILE, "left": 1, "top": 2, "width": 3, "height": 4}]
    if task_type.startswith("semantic-segmentation-"):
        task["initialValue"] = {"labelMappings": {HOSTILE: {"color": "#1f77b4"}}, "src": uri}
    page = render(task_type, task)
    assert "<script>alert" not in page and '">' + "<script" not in page
    assert page.count("<script") == 1  # only the bundle

    attrs = element(task_type, page)
    if task_type == "named-entity-recognition":
        assert json.loads(attrs["labels"]) == task["labelObjects"]
        assert attrs["text"] == task["taskObject"]
    else:
        assert json.loads(attrs["categories" if "categories" in attrs else "labels"]) == labels
    if task_type not in TEXT_TYPES:
        assert attrs["src"] == sign(uri)
    if task_type == "bounding-box-adjustment":
        assert json.loads(attrs["initial-value"]) == task["initialValue"]
    if task_type == "semantic-segmentation-adjustment":
        assert json5(attrs["initial-value"]) == {"labelMappings": task["initialValue"]["labelMappings"], "src": sign(uri)}
    if task_type == "bounding-box-verification":
        assert json5(attrs["overlay"])["boundingBox"]["value"] == task["initialValue"]
    if task_type == "semantic-segmentation-verification":
        assert json5(attrs["overlay"])["semanticSegmentation"]["labels"] == [HOSTILE]
    if task_type in {"text-classification", "text-classification-multi-label"}:
        assert "<p style=\"white-space: pre-wrap\">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</p>" in page
