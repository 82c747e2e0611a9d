"""Keys the task input does not have: empty text, as in Ground Truth, or a report in strict mode.

A pre-annotation hook that forgot a key gives a page with a blank where the value should be, with
no error; that is what workers see in Ground Truth too. Strict mode (``crowdform render --strict``,
or ``TaskTemplate.render(strict=True)``) instead lists every undefined value the page *used*:
printed, passed to a filter that reads it as text, or looped over. Testing one (``{% if %}``,
``unless``, ``case``, ``== nil``) or giving it a ``default`` is how templates handle optional keys,
so those are not reported.
"""

from __future__ import annotations

import re
from collections.abc import ItemsView, Iterator

from liquid import Undefined

from crowdform.errors import Problem
from crowdform.templating.positions import line_and_column
from crowdform.templating.render_state import current

# A variable path as written in the template: task.input.full-video-source-ref, task.input['page-num'][0].
_PATH = re.compile(r"[\w-]+(?:\s*\.\s*[\w-]+|\s*\[[^\]]*\])*")
_MISSING_HINT = (
    "Return the key from the pre-annotation hook's taskInput (or put it in the manifest line), "
    "or test it first with {% if %}"
)


class Missing(Undefined):
    """The environment's undefined value: renders as ``""``; in strict mode, each use is recorded."""

    __slots__ = ()

    def __str__(self) -> str:
        self.note_use()
        return ""

    def __iter__(self) -> Iterator[object]:
        self.note_use()
        return iter(())

    def items(self) -> ItemsView[object, object]:  # what a for loop asks a Mapping for
        self.note_use()
        return super().items()

    def note_use(self) -> None:
        missing = current().missing
        if missing is not None:
            missing.append(self)


def missing_problems(used: list[Undefined]) -> list[Problem]:
    """One problem per place (line, column, path) where an undefined value was used, in page order."""
    found: dict[tuple[int, str], Problem] = {}
    for undefined in used:
        token = undefined.token
        if token is None or token.start_index < 0:
            continue  # only Liquid's internals (forloop.parentloop outside a nested loop) lack a token
        match = _PATH.match(token.source, token.start_index)
        written = match.group(0) if match else undefined.name
        line, column = line_and_column(token.source, token.start_index)
        if undefined.hint == "index out of range":
            message = f"column {column}: index out of range (the list is shorter)"
        elif written.startswith(("task.input.", "task.input[")):
            message = f"column {column}: not in the task input"
        else:
            message = f"column {column}: not defined"
        found.setdefault((token.start_index, written), Problem(message, line=line, field=written,
                                                               hint=_MISSING_HINT))
    return [found[key] for key in sorted(found)]
