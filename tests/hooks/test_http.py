"""HTTP hooks against a real server on loopback: the event goes out as JSON, the JSON reply comes back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crowdform.errors import HookError
from crowdform.hooks import HookInvoker, parse_hook_reference

from .doubles import HookServer

EVENT = {"version": "2018-10-16", "dataObject": {"source": "a receipt"}}


def invoker(url: str, **options: Any) -> HookInvoker:
    return HookInvoker(parse_hook_reference(url, base_dir=Path(".")), name="gt-pre", **options)


def test_event_is_posted_and_the_json_reply_returned(hook_server: HookServer) -> None:
    with invoker(f"{hook_server.url}/ok") as hook:
        assert hook.invoke(EVENT) == {"taskInput": EVENT, "isHumanAnnotationRequired": True}
    path, headers, body = hook_server.requests[0]
    assert (path, body) == ("/ok", EVENT)
    assert headers["content-type"] == "application/json"
    assert headers["x-crowdform-hook"] == "gt-pre"


def test_error_status_shows_status_and_start_of_body(hook_server: HookServer) -> None:
    with invoker(f"{hook_server.url}/fail") as hook, pytest.raises(HookError) as caught:
        hook.invoke(EVENT)
    prefix, excerpt = str(caught.value).split(": ", 1)
    assert prefix == f"Hook 'gt-pre' ({hook_server.url}/fail) replied with HTTP 500"
    assert excerpt == repr(("Internal error: " + "x" * 2000)[:500]) + "..."  # the first 500 characters


def test_retries_an_error_status(hook_server: HookServer) -> None:
    with invoker(f"{hook_server.url}/fail") as hook, pytest.raises(HookError, match="failed 3 attempts; the last one replied with HTTP 500"):
        hook.invoke(EVENT, attempts=3, backoff_s=0.01)
    assert len(hook_server.requests) == 3


def test_reply_that_is_not_json(hook_server: HookServer) -> None:
    with invoker(f"{hook_server.url}/text") as hook, pytest.raises(HookError, match="replied with something that is not JSON: 'this is not json'"):
        hook.invoke(EVENT)


def test_timeout(hook_server: HookServer) -> None:
    with invoker(f"{hook_server.url}/slow", timeout_s=0.3) as hook, pytest.raises(HookError, match="did not reply within 0.3 s"):
        hook.invoke(EVENT)


def test_unreachable_endpoint() -> None:
    with invoker("http://127.0.0.1:9/pre", timeout_s=2) as hook, pytest.raises(HookError, match="could not be reached at http://127.0.0.1:9/pre"):
        hook.invoke(EVENT)
