"""Fixtures for hook tests: the handler folder, a thread-safe log sink, and a real HTTP hook server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .doubles import HookServer, LogLines

HANDLERS = Path(__file__).parent / "handlers"


@pytest.fixture
def handlers() -> Path:
    return HANDLERS


@pytest.fixture
def log() -> LogLines:
    return LogLines()


@pytest.fixture
def hook_server() -> Iterator[HookServer]:
    server = HookServer()
    yield server
    server.stop()
