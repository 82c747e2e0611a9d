"""How a Liquid value becomes page text: JSON for objects and arrays, and HTML escaping.

Ground Truth pages ``JSON.parse`` what ``{{ task.input.x }}`` prints when ``x`` is an object or an
array (AWS's own Augmented AI templates print objects straight into attributes), so objects and
arrays print as JSON, with the separators of Python's ``json.dumps`` (decision Q11) and non-ASCII
text kept as it is. Escaping follows Shopify Liquid's ``escape`` (Ruby's ``CGI.escapeHTML``), which
escapes both quote characters, so a value is safe in any quoted attribute.
"""

from __future__ import annotations

import json
import re

from liquid.exceptions import LiquidTypeError

from crowdform.templating.undefined import Missing

# An entity escape_once leaves alone: named (&amp;, &frac12;), decimal (&#39;) or hex (&#x27;).
_NOT_AN_ENTITY = re.compile(r"&(?!(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);)")
_SPECIAL = re.compile(r"[<>\"']")
_ESCAPES = {"<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}


class SafeHtml(str):
    """Text already escaped, or explicitly trusted (``skip_autoescape``): printed as it is.

    Kept through ``assign`` and ``capture``, so ``{% assign note = x | skip_autoescape %}{{ note }}``
    prints raw HTML and a captured block is not escaped a second time. Any other filter applied to
    it returns plain text again, which autoescaping then treats like any other value.
    """

    __slots__ = ()


def to_text(value: object) -> str:
    """The text Liquid prints for ``value`` (before escaping)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return to_json(value)
    if isinstance(value, range):
        return f"{value.start}..{value.stop - 1}"
    return str(value)  # numbers; an undefined value is "" (and noted, in strict mode)


def to_json(value: object) -> str:
    """``value`` as JSON; an undefined value is ``null`` (what a page's ``JSON.parse`` accepts)."""
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def escape_html(text: str) -> str:
    """``&``, ``<``, ``>``, ``"`` and ``'`` as entities: the same text as Ground Truth's autoescape."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def escape_html_once(text: str) -> str:
    """Like :func:`escape_html`, but an ``&`` that already starts an entity stays as it is."""
    return _SPECIAL.sub(lambda m: _ESCAPES[m.group(0)], _NOT_AN_ENTITY.sub("&amp;", text))


def _json_default(value: object) -> object:
    if isinstance(value, Missing):
        value.note_use()
        return None
    if isinstance(value, range):
        return list(value)
    raise LiquidTypeError(f"cannot write a {type(value).__name__} as JSON", token=None)
