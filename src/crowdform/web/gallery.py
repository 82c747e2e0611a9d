"""The element gallery's samples: one small worker template per crowd element, in ``gallery/``.

The folder is the one list of samples: ``gallery/crowd-NAME.html`` is the sample of ``<crowd-NAME>``,
so adding an element means adding its file (a test fails for every element of the library that has
none). Each file opens with a Liquid comment naming the element's section of crowd-elements.md and
saying what it does, which the gallery's index shows; the comment never reaches the page.

Every sample is rendered with the same task input, :func:`sample_task_input`: an image the gallery
draws itself (a file in the data folder, so the samples show ``grant_read_access`` turning it into a
signed ``/files`` URL as a job's pages do) and a sentence of text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from crowdform.errors import InvalidInput
from crowdform.templating import TaskTemplate, compile_template

SAMPLE_IMAGE_NAME = "sample-image.png"
SAMPLE_IMAGE_SIZE = (640, 480)
SAMPLE_TEXT = "Ada Lovelace wrote the first program for Charles Babbage's Analytical Engine in London in 1843."

# Titles of the parts of crowd-elements.md that describe elements, by section number.
SPEC_PARTS = {"4": "The form", "5": "Elements (v1)", "6": "Augmented AI elements",
              "7": "Generative-AI elements (v2 library)"}
_HEADING = re.compile(r"\{%-?\s*comment\s*-?%\}\s*(?P<section>\d+(?:\.\d+)?)\s+(?P<summary>.+?)"
                      r"\s*\{%-?\s*endcomment\s*-?%\}", re.DOTALL)


@dataclass(frozen=True)
class Sample:
    """One element's sample template."""

    element: str
    """The tag it shows, e.g. ``crowd-bounding-box``."""
    file_name: str
    section: str
    """Its section of crowd-elements.md, e.g. ``5.3`` (``4`` for crowd-form)."""
    summary: str
    """What the element is for, in one sentence."""

    @property
    def part(self) -> str:
        """The title of the spec part the section is in (``Elements (v1)``...)."""
        return SPEC_PARTS.get(self.section.split(".")[0], "Other elements")

    @property
    def label(self) -> str:
        return f"<{self.element}> · crowd-elements.md {self.section}"

    def source(self) -> str:
        return _folder().joinpath(self.file_name).read_text(encoding="utf-8")

    def template(self) -> TaskTemplate:
        """Read and compiled on each call (compiling is cached by source text), so edits show on reload."""
        return compile_template(self.source(), f"gallery/{self.file_name}")


def gallery_samples() -> list[Sample]:
    """Every sample in the folder, in spec section order; a sample without its heading comment is refused."""
    samples = []
    for entry in _folder().iterdir():
        if not (entry.name.startswith("crowd-") and entry.name.endswith(".html")):
            continue
        heading = _HEADING.match(entry.read_text(encoding="utf-8").lstrip())
        if heading is None:
            raise InvalidInput.one(f"gallery/{entry.name}", "does not open with the sample's heading comment",
                                   hint="Start it with {% comment %}SECTION Summary.{% endcomment %}, SECTION "
                                   "being the element's section of crowd-elements.md (e.g. 5.3)")
        samples.append(Sample(entry.name.removesuffix(".html"), entry.name, heading["section"],
                              " ".join(heading["summary"].split())))
    return sorted(samples, key=lambda s: (tuple(int(n) for n in s.section.split(".")), s.element))


def sample_task_input(image_uri: str) -> dict[str, Any]:
    """``task.input`` of every sample."""
    width, height = SAMPLE_IMAGE_SIZE
    return {"image": image_uri, "text": SAMPLE_TEXT, "imageSize": {"width": width, "height": height}}


def write_sample_image(folder: Path) -> Path:
    """Draw the samples' image (a street-like scene, so boxes and polygons have things to go around)."""
    from PIL import Image, ImageDraw

    width, height = SAMPLE_IMAGE_SIZE
    image = Image.new("RGB", SAMPLE_IMAGE_SIZE, (135, 185, 225))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, height * 0.6, width, height], fill=(95, 95, 100))  # road
    draw.line([(0, height * 0.8), (width, height * 0.8)], fill=(240, 240, 240), width=6)  # lane marking
    draw.ellipse([500, 40, 580, 120], fill=(250, 215, 70))  # sun
    draw.rectangle([60, 150, 220, 290], fill=(180, 90, 70))  # house
    draw.polygon([(50, 150), (140, 80), (230, 150)], fill=(120, 60, 50))  # roof
    draw.rounded_rectangle([300, 260, 470, 330], radius=18, fill=(200, 40, 40))  # car
    for x in (335, 435):
        draw.ellipse([x - 20, 315, x + 20, 355], fill=(30, 30, 30))  # wheels
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SAMPLE_IMAGE_NAME
    image.save(path, format="PNG")
    return path


def _folder() -> Traversable:
    return resources.files("crowdform.web").joinpath("gallery")
