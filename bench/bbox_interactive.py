"""Time from navigation to an interactive <crowd-bounding-box>, in Chromium over loopback.

A tiny HTTP server on 127.0.0.1 serves a page holding one ``crowd-bounding-box`` inside a
``crowd-form``, the joined crowd elements bundle at ``/static/crowd-html-elements.js`` and a
generated JPEG. Each run opens a fresh browser context (empty HTTP cache), navigates, and records
``performance.now()`` (milliseconds since navigation start) when the tool reports
``crowd-tool-ready`` (image loaded, natural size known, canvas laid out), and again at the next
animation frame (first frame painted with the tool ready). For context it also prints when
DOMContentLoaded ended and when the last byte of the image arrived (Resource Timing). The browser is
launched once, before the clock starts.

    .venv/bin/python bench/bbox_interactive.py [--runs 20] [--width 1920 --height 1080]
"""

from __future__ import annotations

import argparse
import http.server
import io
import json
import statistics
import sys
import threading
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CROWD = REPO / "src" / "crowdform" / "web" / "static" / "crowd"
CHROMIUM = "/usr/bin/chromium"

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<script src="/static/crowd-html-elements.js"></script>
<script>
  document.addEventListener("crowd-tool-ready", () => {
    window.__ready = performance.now();
    requestAnimationFrame(() => { window.__frame = performance.now(); });
  });
</script></head>
<body>
<crowd-form>
  <crowd-bounding-box name="annotatedResult" src="/image.jpg" header="Draw a box around each animal"
      labels="['Cat', 'Dog', 'Bird']">
    <short-instructions>Draw tight boxes.</short-instructions>
    <full-instructions header="Instructions">Box every animal.</full-instructions>
  </crowd-bounding-box>
</crowd-form>
</body></html>
"""


def bundle() -> bytes:
    sys.path.insert(0, str(REPO / "src"))
    try:
        from crowdform.web.crowd_script import crowd_script
    except ImportError:
        return b"\n".join(path.read_bytes() for path in sorted(CROWD.glob("*.js")))
    script = crowd_script()
    return script.encode("utf-8") if isinstance(script, str) else bytes(script)


def make_jpeg(width: int, height: int) -> bytes:
    from PIL import Image

    noise = Image.effect_noise((width, height), 40).convert("RGB")
    gradient = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    Image.blend(noise, gradient, 0.5).save(out, "JPEG", quality=85)
    return out.getvalue()


def serve(files: dict[str, tuple[str, bytes]]) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            found = files.get(self.path.split("?")[0])
            if found is None:
                self.send_error(404)
                return
            content_type, body = found
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    js = bundle()
    jpeg = make_jpeg(args.width, args.height)
    server = serve({
        "/": ("text/html; charset=utf-8", PAGE.encode()),
        "/static/crowd-html-elements.js": ("text/javascript; charset=utf-8", js),
        "/image.jpg": ("image/jpeg", jpeg),
    })
    url = f"http://127.0.0.1:{server.server_port}/"
    ready: list[float] = []
    frame: list[float] = []
    dom: list[float] = []
    image: list[float] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM)
            try:
                for _ in range(args.runs):
                    context = browser.new_context(viewport={"width": 1280, "height": 800})
                    page = context.new_page()
                    page.goto(url)
                    page.wait_for_function("window.__frame !== undefined", timeout=30_000)
                    times = page.evaluate("""() => ({
                        ready: window.__ready, frame: window.__frame,
                        dom: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
                        image: performance.getEntriesByName(location.origin + '/image.jpg')[0].responseEnd})""")
                    ready.append(times["ready"])
                    frame.append(times["frame"])
                    dom.append(times["dom"])
                    image.append(times["image"])
                    context.close()
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()

    result = {
        "runs": args.runs,
        "image": {"width": args.width, "height": args.height, "jpeg_bytes": len(jpeg)},
        "bundle_bytes": len(js),
        "ready_ms": {"median": statistics.median(ready), "p90": percentile(ready, 0.9)},
        "first_frame_ms": {"median": statistics.median(frame), "p90": percentile(frame, 0.9)},
        "dom_content_loaded_ms": {"median": statistics.median(dom), "p90": percentile(dom, 0.9)},
        "image_received_ms": {"median": statistics.median(image), "p90": percentile(image, 0.9)},
    }
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print(f"{args.runs} runs, {args.width}x{args.height} JPEG ({len(jpeg):,} B), bundle {len(js):,} B")
        for key, text in [("dom_content_loaded_ms", "DOMContentLoaded"), ("image_received_ms", "image received"),
                          ("ready_ms", "tool ready"), ("first_frame_ms", "next frame")]:
            print(f"navigation -> {text + ':':<18} median {result[key]['median']:6.1f} ms, p90 {result[key]['p90']:6.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
