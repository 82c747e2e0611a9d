"""Pointer-move cost of the image tools on a 4000x3000 image, in Chromium, with the Performance API.

A page on a loopback server holds one tool over a generated 4000x3000 JPEG, pre-annotated through
``initial-value`` (``--shapes`` polygons of ``--vertices`` vertices for ``crowd-polygon``), or
``crowd-instance-segmentation`` with a brush. Playwright moves the real mouse ``--moves`` times:
for the polygon, dragging a vertex of the selected polygon (every move re-draws the shapes); for
segmentation, painting a stroke (every move paints into the mask). For each pointermove the page
records, with ``performance.now()``:

* **handler**: from a capture listener on ``window`` (first to run) to a bubble listener on
  ``window`` (last to run): the synchronous work of the tool's listeners;
* **to frame**: from the same start to a message posted from the next animation frame, which
  arrives after that frame's callbacks (the tool draws in ``requestAnimationFrame``): input to the
  work of the frame that shows it.

    .venv/bin/python bench/pointer_move.py            # both tools, 200 moves each
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bbox_interactive import CHROMIUM, bundle, make_jpeg, percentile, serve  # noqa: E402

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
WIDTH, HEIGHT = 4000, 3000

METER = """<script>
window.__handler = []; window.__toFrame = [];
let start = 0;
const channel = new MessageChannel();
const pending = [];
channel.port1.onmessage = () => { const t0 = pending.shift(); if (t0 !== undefined) __toFrame.push(performance.now() - t0); };
window.addEventListener("pointermove", () => {
  start = performance.now();
  const t0 = start;
  requestAnimationFrame(() => { pending.push(t0); channel.port2.postMessage(0); });
}, {capture: true});
window.addEventListener("pointermove", () => { __handler.push(performance.now() - start); });
document.addEventListener("crowd-tool-ready", () => { window.__ready = true; });
</script>"""


def polygon_page(shapes: int, vertices: int) -> str:
    import math

    polygons = []
    for i in range(shapes):
        cx, cy = 300 + (i % 8) * 450, 300 + (i // 8) * 500
        points = [{"x": round(cx + 180 * math.cos(2 * math.pi * k / vertices)),
                   "y": round(cy + 180 * math.sin(2 * math.pi * k / vertices))} for k in range(vertices)]
        polygons.append({"label": "Cat" if i % 2 else "Dog", "vertices": points})
    initial = json.dumps(polygons).replace('"', "&quot;")
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><script src="/static/crowd-html-elements.js">'
            f'</script>{METER}</head><body><crowd-form><crowd-polygon name="p" src="/image.jpg" '
            f'labels="[\'Cat\', \'Dog\']" initial-value="{initial}"></crowd-polygon></crowd-form></body></html>')


SEGMENTATION_PAGE = ('<!DOCTYPE html><html><head><meta charset="utf-8"><script src="/static/crowd-html-elements.js">'
                     f'</script>{METER}</head><body><crowd-form><crowd-instance-segmentation name="s" src="/image.jpg" '
                     'labels="[\'Cat\', \'Dog\']"></crowd-instance-segmentation></crowd-form></body></html>')


def measure(url: str, tool: str, moves: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.goto(url)
        page.wait_for_function("window.__ready === true", timeout=60_000)
        element = page.locator(tool)
        if tool == "crowd-polygon":
            point = element.evaluate("el => el._imageToClient(300 + 180, 300)")  # first polygon's first vertex
            page.mouse.click(point["x"], point["y"])  # select the polygon by its vertex
        else:
            point = element.evaluate(f"el => el._imageToClient({WIDTH // 2}, {HEIGHT // 2})")
        x0, y0 = point["x"], point["y"]
        page.evaluate("() => { window.__handler.length = 0; window.__toFrame.length = 0; }")
        page.mouse.move(x0, y0)
        page.mouse.down()
        for i in range(moves):
            page.mouse.move(x0 + 40 * ((i % 20) - 10) / 10, y0 + 30 * ((i % 14) - 7) / 7)
        page.mouse.up()
        time.sleep(0.2)
        handler = page.evaluate("window.__handler")
        to_frame = page.evaluate("window.__toFrame")
        value = element.evaluate("el => el.value")
        browser.close()
    # The moves must have done the work measured: the polygon was edited, or the stroke painted.
    edited = value.get("initialValueModified") if tool == "crowd-polygon" else bool(value.get("instances"))
    return {"edited": edited, "events": len(handler), "handler_median_ms": round(statistics.median(handler), 3),
            "handler_p99_ms": round(percentile(handler, 0.99), 3),
            "to_frame_median_ms": round(statistics.median(to_frame), 2),
            "to_frame_p99_ms": round(percentile(to_frame, 0.99), 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--moves", type=int, default=200)
    ap.add_argument("--shapes", type=int, default=40, help="pre-annotated polygons (default 40)")
    ap.add_argument("--vertices", type=int, default=24, help="vertices per polygon (default 24)")
    args = ap.parse_args()
    server = serve({"/static/crowd-html-elements.js": ("text/javascript", bundle()),
                    "/image.jpg": ("image/jpeg", make_jpeg(WIDTH, HEIGHT)),
                    "/polygon.html": ("text/html", polygon_page(args.shapes, args.vertices).encode()),
                    "/segmentation.html": ("text/html", SEGMENTATION_PAGE.encode())})
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        for tool, path in (("crowd-polygon", "/polygon.html"), ("crowd-instance-segmentation", "/segmentation.html")):
            print(tool, json.dumps(measure(base + path, tool, args.moves)))
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
