"""The gallery's samples: one per element the library defines, each rendering cleanly with the sample input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crowdform.web.crowd_script import crowd_script
from crowdform.web.gallery import SPEC_PARTS, Sample, gallery_samples, sample_task_input, write_sample_image

SAMPLES = gallery_samples()
DEFINED = sorted(set(re.findall(r'define\("(crowd-[a-z-]+)"', crowd_script())))


def test_every_element_the_library_defines_has_a_sample() -> None:
    missing = sorted(set(DEFINED) - {sample.element for sample in SAMPLES})
    assert missing == [], f"add gallery/<element>.html for each of {missing} (src/crowdform/web/gallery/)"


def test_the_library_still_defines_the_elements_found_above() -> None:
    assert {"crowd-form", "crowd-bounding-box", "crowd-entity-annotation"} <= set(DEFINED)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda sample: sample.element)
def test_each_sample_renders_its_element_with_the_sample_input(sample: Sample) -> None:
    granted: list[str] = []

    def grant(uri: str) -> str:
        granted.append(uri)
        return "/files/token"

    page = sample.template().render(sample_task_input("/data/gallery/sample-image.png"), grant_read_access=grant,
                                    strict=True)
    assert f"<{sample.element}" in page
    assert '<script src="/static/crowd-html-elements.js"></script>' in page  # AWS's script tag, pointed at ours
    assert "comment" not in page.split("<script", 1)[0]  # the heading comment never reaches the worker
    assert set(granted) <= {"/data/gallery/sample-image.png"}
    assert sample.part in SPEC_PARTS.values() and sample.summary.endswith(".")
    assert sample.label == f"<{sample.element}> · crowd-elements.md {sample.section}"


def test_samples_come_in_spec_order_with_distinct_sections() -> None:
    sections = [tuple(int(n) for n in sample.section.split(".")) for sample in SAMPLES]
    assert sections == sorted(sections)
    # One section each, but for a child element described in its parent's section (crowd-slider-label,
    # 5.25), whose sample follows the parent's.
    for previous, sample in zip(SAMPLES, SAMPLES[1:]):
        assert sample.section != previous.section or sample.element.startswith(f"{previous.element}-"), sample
    assert SAMPLES[0].element == "crowd-form"


def test_the_sample_image_is_drawn_locally(tmp_path: Path) -> None:
    from PIL import Image

    path = write_sample_image(tmp_path / "gallery")
    with Image.open(path) as image:
        assert (image.format, image.size) == ("PNG", (640, 480))
    assert sample_task_input(str(path))["imageSize"] == {"width": 640, "height": 480}
