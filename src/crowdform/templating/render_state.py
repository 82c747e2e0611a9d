"""What one render needs that Liquid's filters and undefined values cannot be handed directly.

Filters and undefined values are registered once on the shared environment, but the function that
signs file URLs and the list of undefined keys (strict mode) belong to a single render. A context
variable carries them: renders in other threads, or interleaved in one event loop, never see each
other's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from liquid import Undefined


@dataclass(frozen=True)
class RenderState:
    grant_read_access: Callable[[str], str]
    missing: list[Undefined] | None  # undefined values used as text, collected in strict mode only


_STATE: ContextVar[RenderState] = ContextVar("crowdform_render_state")


@contextmanager
def rendering(state: RenderState) -> Iterator[None]:
    token = _STATE.set(state)
    try:
        yield
    finally:
        _STATE.reset(token)


def current() -> RenderState:
    return _STATE.get()
