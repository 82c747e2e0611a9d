"""Run users' pre- and post-annotation hooks, unchanged, outside the server process.

A hook is named by a reference string (:func:`parse_hook_reference`) and run by a
:class:`HookInvoker`: Python handlers in warm child processes that behave like AWS Lambda's Python
runtime, HTTP endpoints through a shared client.

The names are loaded on first use because every hook child process imports this package on its
way to :mod:`crowdform.hooks.child`, and should not pay for the engine side's imports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from crowdform.hooks.invoker import HookInvoker
    from crowdform.hooks.reference import HookReference, parse_hook_reference

__all__ = ["HookInvoker", "HookReference", "parse_hook_reference"]

_HOMES = {
    "HookInvoker": "crowdform.hooks.invoker",
    "HookReference": "crowdform.hooks.reference",
    "parse_hook_reference": "crowdform.hooks.reference",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'crowdform.hooks' has no attribute {name!r}")
