"""``crowdform preview --gallery``: an index of every element, each one's sample task, its answers on stdout."""

from __future__ import annotations

import re
from pathlib import Path

from crowdform.web.gallery import gallery_samples
from tests.cli.test_main import data_dir, run_crowdform
from tests.cli.test_preview import running_preview


def test_the_index_lists_every_element_and_each_sample_is_an_item_of_the_preview_page(tmp_path: Path) -> None:
    samples = gallery_samples()
    with running_preview(tmp_path, "--gallery") as gallery:
        index = gallery.client.get("/")
        assert index.status_code == 200 and index.headers["x-frame-options"] == "DENY"
        listed = re.findall(r'<a href="/samples#(\d+)">&lt;(crowd-[a-z-]+)&gt;</a>', index.text)
        assert listed == [(str(n), sample.element) for n, sample in enumerate(samples, start=1)]
        assert "<h2>Elements (v1)</h2>" in index.text and '<span class="section">5.3</span>' in index.text

        page = gallery.client.get("/samples")
        assert page.status_code == 200 and f'data-count="{len(samples)}"' in page.text
        assert 'sandbox="allow-scripts allow-forms"' in page.text and "/static/portal/preview.js" in page.text

        number = next(n for n, sample in enumerate(samples, start=1) if sample.element == "crowd-bounding-box")
        item = gallery.client.get(f"/items/{number}").json()
        assert item["label"] == "<crowd-bounding-box> · crowd-elements.md 5.3"
        assert (item["state"], item["error"]) == ("ready", None)
        image_path = data_dir(tmp_path) / "buckets" / "crowdform-gallery" / "sample-image.png"
        assert item["taskInput"]["image"] == str(image_path.resolve())
        url = re.search(r'<crowd-bounding-box name="boxes" src="(/files/[^"]+)"', item["page"])
        assert url is not None, item["page"]
        image = gallery.client.get(url[1])
        assert (image.status_code, image.headers["content-type"]) == (200, "image/png")
        assert image.content == image_path.read_bytes()

        box = {"boxes": {"boundingBoxes": [{"label": "Car", "left": 300, "top": 260, "width": 170, "height": 70}],
                         "inputImageProperties": {"width": 640, "height": 480}}}
        saved = gallery.submit(number, box)
        line = ('{"boxes":{"boundingBoxes":[{"height":70,"label":"Car","left":300,"top":260,"width":170}],'
                '"inputImageProperties":{"height":480,"width":640}}}')
        assert saved.json() == {"number": number, "line": line}
        assert gallery.next_out_line() == line
        for n in range(1, len(samples) + 1):  # every sample renders in the server too
            shown = gallery.client.get(f"/items/{n}").json()
            assert shown["error"] is None and shown["page"], shown
        code, out, err = gallery.stop()
    assert (code, out, err) == (0, "", "")


def test_the_gallery_takes_no_template_and_a_preview_needs_one(tmp_path: Path) -> None:
    both = run_crowdform(tmp_path, "preview", "template.liquid.html", "--gallery")
    assert both.error() == (
        "error: --gallery: shows the crowd elements' own samples, so it takes no TEMPLATE. Run `crowdform preview "
        "--gallery` alone, or preview your template without it\n")
    with_input = run_crowdform(tmp_path, "preview", "--gallery", "--input", "task.json")
    assert "so it takes no --input." in with_input.error()
    neither = run_crowdform(tmp_path, "preview")
    assert neither.error() == (
        "error: crowdform preview: give a TEMPLATE, or --gallery. TEMPLATE --input TASK.json previews your "
        "template; --gallery shows every element\n")
