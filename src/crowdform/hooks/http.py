"""Hooks that are HTTP endpoints: the event is POSTed as JSON and the JSON reply is the result.

This lets a hook be written in any language, or stay where it already runs (a container, a
function URL, a colleague's service). httpx is imported when the first HTTP hook is created so the
rest of the engine starts without it. One client per hook keeps connections alive between calls
and is safe to share between threads.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from crowdform.errors import HookError

if TYPE_CHECKING:
    import httpx

BODY_EXCERPT_CHARS = 500  # how much of an error reply goes into the message


class HttpHook:
    def __init__(self, url: str, *, name: str, timeout_s: float, connections: int) -> None:
        import httpx

        self.url = url
        self._httpx = httpx
        self._client: httpx.Client = httpx.Client(
            timeout=timeout_s,
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            headers={
                "content-type": "application/json",
                "user-agent": "crowdform-hooks",
                "x-crowdform-hook": name,
            },
        )
        self._timeout_s = timeout_s

    def call(self, event_json: str) -> Any:
        httpx = self._httpx
        try:
            response = self._client.post(self.url, content=event_json.encode("utf-8"))
        except httpx.TimeoutException as error:
            raise HookError(f"did not reply within {self._timeout_s:g} s") from error
        except httpx.HTTPError as error:
            raise HookError(f"could not be reached at {self.url}: {error}") from error
        if not response.is_success:
            raise HookError(
                f"replied with HTTP {response.status_code}: {_excerpt(response.text)}"
            )
        try:
            return json.loads(response.content)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
            raise HookError(
                f"replied with something that is not JSON: {_excerpt(response.text)}"
            ) from None

    def close(self) -> None:
        self._client.close()


def _excerpt(text: str) -> str:
    text = text.strip()
    if not text:
        return "(empty body)"
    if len(text) > BODY_EXCERPT_CHARS:
        return repr(text[:BODY_EXCERPT_CHARS]) + "..."
    return repr(text)
