"""Liquid's errors as crowdform's: the template, line and column, the offending statement, a hint.

python-liquid places most errors itself. A few syntax errors come without a position -- a block
never closed, an expression cut short (``{{ task.input.x | }}``) -- and for those the statement is
found here: an unclosed block from the tag analysis, a broken expression by parsing each statement
on its own until one fails the same way. That costs a few parses, and only when a template is wrong.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from liquid import Environment
from liquid.exceptions import LiquidError, LiquidSyntaxError
from liquid.template import BoundTemplate
from liquid.token import TOKEN_EXPRESSION, TOKEN_OUTPUT, TOKEN_TAG

from crowdform.errors import InvalidInput, Problem
from crowdform.templating.positions import line_and_column

_UNCLOSED = re.compile(r"expected tag (end\w+)")
_TAG = re.compile(r"unexpected (?:tag )?'(\w+)'")
_FILTER = re.compile(r"unknown filter '(\w+)'")
_INNER_TAGS = ("else", "elsif", "when", "break", "continue")
# Entries of python-liquid's tag table that are not tags a template can write.
_PSEUDO_TAGS = {"content", "output", "illegal"}
# Filters of other template languages that people reach for, and Ground Truth's equivalent.
_ALTERNATIVES = {"safe": "skip_autoescape", "raw": "skip_autoescape", "json": "to_json", "jsonify": "to_json"}
_SYNTAX_HINT = (
    "Check the statement against Liquid's syntax: values look like task.input.key, "
    "task.input['key-name'] or task.input.items[0], filters like {{ task.input.labels | to_json }}"
)
_RENDER_HINT = "The statement failed on this task input: check the value it works on and the filter's arguments"


def template_error(name: str, source: str, error: LiquidError, environment: Environment) -> InvalidInput:
    """The :class:`InvalidInput` for a Liquid error raised while compiling or rendering ``source``."""
    message = str(error.message)
    index = _position(source, message, error, environment)
    hint = _hint(message, error, source, index, environment)
    if index is None:
        return InvalidInput.one(name, message, hint=hint)
    line, column = line_and_column(source, index)
    return InvalidInput.one(name, f"column {column}: {message}", line=line, value=_statement(source, index), hint=hint)


def unknown_filters(name: str, source: str, template: BoundTemplate, environment: Environment) -> InvalidInput | None:
    """Filters the template names that do not exist: refused when it is compiled, not on some task."""
    found = sorted(
        (span.index, filter_name)
        for filter_name, spans in template.analyze().filters.items()
        if filter_name not in environment.filters
        for span in spans
    )
    problems = []
    for index, filter_name in found:
        line, column = line_and_column(source, index)
        problems.append(Problem(f"column {column}: unknown filter '{filter_name}'", line=line,
                                value=_statement(source, index), hint=_filter_hint(filter_name, environment)))
    return InvalidInput(name, problems) if problems else None


def _position(source: str, message: str, error: LiquidError, environment: Environment) -> int | None:
    if error.token is not None and error.token.start_index >= 0:
        return error.token.start_index
    unclosed = _UNCLOSED.match(message)
    if unclosed:  # the innermost block of that kind still open is the one the parser gave up on
        spans = environment.analyze_tags_from_string(source).unclosed_tags.get(unclosed[1][3:], [])
        return max((span.index for span in spans), default=None)
    return _failing_statement(source, message, environment)


def _failing_statement(source: str, message: str, environment: Environment) -> int | None:
    """Where the first statement is that, parsed on its own, fails with ``message``."""
    tokens = list(environment.tokenizer()(source))
    for token, following in zip(tokens, [*tokens[1:], None]):
        expression = following if following is not None and following.kind == TOKEN_EXPRESSION else None
        text = expression.value if expression is not None else ""
        if token.kind == TOKEN_OUTPUT:
            alone: str | None = "{{ " + text + " }}"
        elif token.kind == TOKEN_TAG:
            alone = _tag_alone(token.value, text, environment)
        else:
            continue
        if alone is None:
            continue
        try:
            environment.from_string(alone)
        except LiquidSyntaxError as error:
            if str(error.message) == message:
                return (expression or token).start_index
    return None


def _tag_alone(name: str, expression: str, environment: Environment) -> str | None:
    """A template holding just this tag (in the block an inner tag needs), or None for end tags."""
    if name == "elsif":
        return f"{{% if true %}}{{% elsif {expression} %}}{{% endif %}}"
    if name == "when":
        return f"{{% case 0 %}}{{% when {expression} %}}{{% endcase %}}"
    tag = environment.tags.get(name)
    if tag is None:
        return None
    alone = f"{{% {name} {expression} %}}"
    return alone + f"{{% end{name} %}}" if tag.block else alone


def _statement(source: str, index: int) -> str:
    """The ``{{ ... }}`` or ``{% ... %}`` around ``index`` (to the end of its line if never closed)."""
    start = max(source.rfind("{{", 0, index + 2), source.rfind("{%", 0, index + 2), 0)
    end = source.find("}}" if source.startswith("{{", start) else "%}", index)
    if end < 0:
        line_end = source.find("\n", index)
        return source[start:line_end if line_end >= 0 else len(source)].rstrip()
    return source[start:end + 2]


def _hint(message: str, error: LiquidError, source: str, index: int | None, environment: Environment) -> str:
    unclosed = _UNCLOSED.match(message)
    if unclosed:
        return f"Close the block with {{% {unclosed[1]} %}}"
    tag = _TAG.match(message)
    if tag:
        return _tag_hint(tag[1], source, index, environment)
    unknown_filter = _FILTER.match(message)
    if unknown_filter:
        return _filter_hint(unknown_filter[1], environment)
    if "found end of file" in message:
        return "Close the statement: {{ ... }} for a value, {% ... %} for a tag"
    if "limit reached" in message:
        return (f"A page may run {environment.loop_iteration_limit:,} loop iterations and be "
                f"{environment.output_stream_limit:,} characters long at most")
    return _SYNTAX_HINT if isinstance(error, LiquidSyntaxError) else _RENDER_HINT


def _tag_hint(name: str, source: str, index: int | None, environment: Environment) -> str:
    if name in ("include", "render"):
        return "Ground Truth templates are one file: paste the other template's text in instead"
    if name.startswith("end") and name[3:] not in environment.tags:  # a misspelt end tag
        ends = [f"end{tag}" for tag, definition in environment.tags.items() if definition.block]
        return _nearest(name, ends) or f"Block tags end with one of: {', '.join(sorted(ends))}"
    if not (name.startswith("end") or name in _INNER_TAGS):
        known = sorted(n for n in {*environment.tags, *_INNER_TAGS} - _PSEUDO_TAGS if n.isidentifier())
        return _nearest(name, known) or f"Known tags: {', '.join(known)}"
    # An end or inner tag out of place usually means a block above it was never closed. Only the text
    # before the statement is analysed: everything there parsed, so its tags are balanced but for
    # unclosed blocks (and python-liquid's analysis fails on a stray end tag).
    before = source[:source.rfind("{%", 0, index)] if index is not None else ""
    open_blocks = [(span.index, block)
                   for block, spans in environment.analyze_tags_from_string(before).unclosed_tags.items()
                   for span in spans]
    if open_blocks:
        where, block = max(open_blocks)
        return f"The {{% {block} %}} on line {line_and_column(source, where)[0]} is never closed: add {{% end{block} %}}"
    return f"{{% {name} %}} is not inside a block it belongs to: check how the blocks above are nested"


def _filter_hint(name: str, environment: Environment) -> str:
    return (_nearest(_ALTERNATIVES.get(name, name), environment.filters)
            or "Ground Truth adds grant_read_access, to_json, escape, escape_once and skip_autoescape "
               "to Liquid's standard filters (https://shopify.github.io/liquid/filters/)")


def _nearest(name: str, known: Iterable[str]) -> str | None:
    match = difflib.get_close_matches(name, sorted(n for n in known if n.isidentifier()), n=1)
    return f"Did you mean '{match[0]}'?" if match else None
