"""Browser tests of the crowd elements library: Playwright (sync API) driving Debian's Chromium against
task pages served over a real loopback HTTP server, with the bundle from ``crowd_script()``.

Fixtures:
  ``browser``          one Chromium per test session (per xdist worker)
  ``crowd_server``     the loopback server: ``register(html) -> url``, images at ``/img/<w>x<h>.png``
  ``open_crowd_page``  ``open_crowd_page(body, head=...) -> Page``: a template page in preview mode;
                       ``open_crowd_page.document(html)`` opens a whole page (a rendered template) as given
  ``open_hosted_page`` ``open_hosted_page(body) -> HostedTask``: the same page inside a sandboxed
                       iframe of a host page that does the crowdform hand-off handshake
Uncaught page errors fail the test (``open_crowd_page.allow_errors = True`` to opt out).
"""

from __future__ import annotations

import io
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from crowdform.web.crowd_script import CROWD_SCRIPT_PATH, crowd_script

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Frame, Page

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]

# Runs in every page before its own scripts: records answers announced by crowd-form.
CAPTURE_ANSWERS = """
window.__crowdAnswers = [];
document.addEventListener('crowd-answer', (e) => window.__crowdAnswers.push(e.detail));
"""

HOST_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>host</title></head><body>
<iframe id="task" sandbox="allow-scripts allow-forms" style="width:1150px;height:820px;border:0"></iframe>
<script>
window.hostLog = []; window.answers = []; window.hostReply = {reply};
const frame = document.getElementById('task');
window.addEventListener('message', (e) => {{
  if (e.source !== frame.contentWindow) return;
  hostLog.push(e.data);
  const m = e.data || {{}};
  if (m.crowdform === 'frame-ready' && {handshake}) e.source.postMessage({{crowdform: 'host', version: 1}}, '*');
  if (m.crowdform === 'answer') {{
    answers.push(m.answer);
    if (hostReply && hostReply.crowdform) setTimeout(() => frame.contentWindow.postMessage(hostReply, '*'), 50);
  }}
}});
window.sendToTask = (m) => frame.contentWindow.postMessage(m, '*');
frame.src = {src};
</script></body></html>"""


def page_html(body: str, head: str = "", script_at_end: bool = False) -> str:
    tag = f'<script src="{CROWD_SCRIPT_PATH}"></script>'
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>crowd test</title>'
            f'{"" if script_at_end else tag}{head}</head><body>{body}{tag if script_at_end else ""}</body></html>')


def png_bytes(width: int, height: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (120, 160, 200))
    draw = ImageDraw.Draw(image)
    for x in range(0, width, max(1, width // 8)):
        draw.line([(x, 0), (x, height)], fill=(90, 120, 160))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class CrowdServer:
    """A loopback HTTP server: the bundle, registered pages and generated PNG images."""

    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                path = self.path.split("?", 1)[0]
                if path == CROWD_SCRIPT_PATH:
                    self._send(200, "text/javascript; charset=utf-8", crowd_script().encode())
                elif path in server.pages:
                    self._send(200, "text/html; charset=utf-8", server.pages[path])
                elif path == "/favicon.ico":
                    self._send(204, "image/x-icon", b"")
                elif m := re.fullmatch(r"/img/(\d+)x(\d+)\.png", path):
                    self._send(200, "image/png", png_bytes(int(m[1]), int(m[2])))
                else:
                    self._send(404, "text/plain", b"not found")

            def _send(self, status: int, media_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="crowd-test-server", daemon=True)
        self.thread.start()

    def register(self, html: str, prefix: str = "/pages/") -> str:
        path = f"{prefix}{uuid.uuid4().hex}.html"
        self.pages[path] = html.encode()
        return self.base + path

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def crowd_server() -> Iterator[CrowdServer]:
    server = CrowdServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"The browser tests need Chromium at {CHROMIUM}: install it with `apt-get install chromium` "
                    "(or run `make test`, which does).", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@dataclass
class PageOpener:
    """``open_crowd_page(body, head="", script_at_end=False) -> Page`` plus what the page logged."""

    context: BrowserContext
    server: CrowdServer
    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    allow_errors: bool = False

    def watch(self, page: Page) -> Page:
        page.on("console", lambda msg: self.console.append((msg.type, msg.text)))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        return page

    def __call__(self, body: str, head: str = "", script_at_end: bool = False, wait_ready: bool = True) -> Page:
        return self.document(page_html(body, head, script_at_end), wait_ready)

    def document(self, html: str, wait_ready: bool = True) -> Page:
        """A whole page as given (a rendered template that loads the library itself)."""
        page = self.watch(self.context.new_page())
        page.goto(self.server.register(html))
        if wait_ready:
            page.wait_for_function("window.__crowdformReady === true")
        return page

    def console_text(self, kind: str) -> str:
        return "\n".join(text for t, text in self.console if t == kind)


READY_FLAG = "document.addEventListener('all-crowd-elements-ready', () => { window.__crowdformReady = true; });"


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    ctx.add_init_script(CAPTURE_ANSWERS + READY_FLAG)
    yield ctx
    ctx.close()


@pytest.fixture
def open_crowd_page(context: BrowserContext, crowd_server: CrowdServer) -> Iterator[PageOpener]:
    opener = PageOpener(context, crowd_server)
    yield opener
    if not opener.allow_errors:
        assert not opener.errors, f"uncaught errors in the page: {opener.errors}"


@dataclass
class HostedTask:
    """A task page framed by a simulated worker portal (the host side of the hand-off protocol)."""

    page: Page
    frame: Frame

    def messages(self) -> list[dict[str, Any]]:
        return self.page.evaluate("window.hostLog")  # type: ignore[no-any-return]

    def answers(self) -> list[dict[str, Any]]:
        return self.page.evaluate("window.answers")  # type: ignore[no-any-return]

    def send(self, message: dict[str, Any]) -> None:
        self.page.evaluate("(m) => window.sendToTask(m)", message)

    def set_reply(self, reply: dict[str, Any] | None) -> None:
        self.page.evaluate("(r) => { window.hostReply = r; }", reply)

    def wait_for_answers(self, count: int = 1) -> list[dict[str, Any]]:
        self.page.wait_for_function(f"window.answers.length >= {count}")
        return self.answers()


@pytest.fixture
def open_hosted_page(open_crowd_page: PageOpener) -> Any:
    def open_hosted(body: str, reply: dict[str, Any] | None = None, handshake: bool = True) -> HostedTask:
        import json

        server, page = open_crowd_page.server, open_crowd_page.watch(open_crowd_page.context.new_page())
        task_url = server.register(page_html(body))
        html = HOST_PAGE.format(reply=json.dumps(reply or {"crowdform": "saved"}), handshake=json.dumps(handshake),
                                src=json.dumps(task_url))
        page.goto(server.register(html, prefix="/host/"))
        page.wait_for_function("window.hostLog.some((m) => m && m.crowdform === 'frame-ready')")
        frame = next(f for f in page.frames if f.url == task_url)
        frame.wait_for_function("window.__crowdformReady === true")
        return HostedTask(page, frame)

    return open_hosted
