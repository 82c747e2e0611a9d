"""Real stand-ins at the process boundary: a log sink for hook output, and a user's HTTP hook server."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LogLines:
    """Collects ``log(stream, line)`` calls, which arrive from the invoker's reader threads."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def __call__(self, stream: str, line: str) -> None:
        with self._lock:
            self.lines.append((stream, line))

    def text(self, stream: str | None = None) -> str:
        with self._lock:
            return "\n".join(line for s, line in self.lines if stream in (None, s))


class HookServer:
    """A tiny real HTTP server standing in for a user's hook endpoint on 127.0.0.1.

    ``/ok`` wraps the event in a pre-annotation reply, ``/fail`` answers 500 with a long body,
    ``/text`` answers 200 with plain text, ``/slow`` never answers until the test ends.
    """

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], object]] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                server.requests.append((self.path, dict(self.headers), body))
                if self.path == "/slow":
                    server.release.wait(10)
                    return
                if self.path == "/ok":
                    self._reply(200, json.dumps({"taskInput": body, "isHumanAnnotationRequired": True}))
                elif self.path == "/fail":
                    self._reply(500, "Internal error: " + "x" * 2000)
                else:
                    self._reply(200, "this is not json")

            def _reply(self, status: int, text: str) -> None:
                data = text.encode()
                self.send_response(status)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join()
