"""The crowd elements library as served to task templates: one classic script.

The sources live in ``static/crowd/*.js`` (one element or shared concern per file, no build step).
``crowd_script()`` joins them in file-name order, each file in its own block so one failing file does
not stop the others, and guards the whole against running twice on a page (templates may load the
script more than once, spec 2.1). Every element is defined synchronously while the script runs.
"""

from __future__ import annotations

import functools
from importlib import resources

CROWD_SCRIPT_PATH = "/static/crowd-html-elements.js"
"""URL path where the app serves the bundle; template script tags naming assets.crowd.aws map here."""

CROWD_SCRIPT_MEDIA_TYPE = "text/javascript; charset=utf-8"

_GUARD = "__crowdformElementsLoaded"


def crowd_source_files() -> list[tuple[str, str]]:
    """(file name, source text) of every ``static/crowd/*.js``, in file-name order."""
    folder = resources.files("crowdform.web").joinpath("static", "crowd")
    files = sorted((entry for entry in folder.iterdir() if entry.name.endswith(".js")), key=lambda e: e.name)
    return [(entry.name, entry.read_text(encoding="utf-8")) for entry in files]


@functools.cache
def crowd_script() -> str:
    """The joined library: one classic script, safe to load twice."""
    parts = [
        "/* crowd-html-elements.js (crowdform): Crowd HTML Elements for self-hosted task templates. */\n",
        "(function () {\n",
        '"use strict";\n',
        f"if (window.{_GUARD}) return;\n",
        f"window.{_GUARD} = true;\n",
    ]
    for name, source in crowd_source_files():
        parts.append(f"/* ---- {name} ---- */\ntry {{\n{source.rstrip()}\n}} catch (error) {{\n")
        parts.append(f'  console.error("crowd-html-elements: {name} failed to load", error);\n}}\n')
    parts.append("})();\n")
    return "".join(parts)
