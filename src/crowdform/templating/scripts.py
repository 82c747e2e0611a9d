"""Crowd HTML Elements come from our bundle, whatever ``assets.crowd.aws`` URL a template names.

Templates load AWS's library with ``<script src="https://assets.crowd.aws/crowd-html-elements.js">``;
AWS samples also use the v2 library (``crowd-html-elements-v2.js``), a typo of it
(``crowd-html-elements-v2s.js``) and both at once (crowd-elements spec 2.1). Every script tag whose
``src`` is on ``assets.crowd.aws`` gets our bundle's URL instead; other attributes stay. A page
without such a tag gets one, at the start of ``<head>`` if it has one, else at the very start
(after a ``<!DOCTYPE>``, which must stay first or the browser switches to quirks mode), so the
elements are defined before the page uses them.

Applied to the rendered page: Liquid has escaped every value by then, so only the template's own
markup (or text it printed with ``skip_autoescape``) can match.
"""

from __future__ import annotations

import re

from crowdform.templating.text import escape_html

DEFAULT_BUNDLE_URL = "/static/crowd-html-elements.js"

_CROWD_SCRIPT = re.compile(
    r"""(<script\b[^>]*?(?<![\w-])src\s*=\s*)(["']?)(?:https?:)?//assets\.crowd\.aws/[^"'\s>]*\2""",
    re.IGNORECASE,
)
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
_DOCTYPE = re.compile(r"\A\s*<!doctype\b[^>]*>", re.IGNORECASE)


def use_bundle(page: str, bundle_url: str) -> str:
    """``page`` with its crowd script tags pointing at ``bundle_url``, or one such tag added."""
    quoted = escape_html(bundle_url)

    def to_bundle(match: re.Match[str]) -> str:
        quote = match[2] or '"'  # an unquoted src gets quotes: our URL may hold characters that need them
        return f"{match[1]}{quote}{quoted}{quote}"

    page, count = _CROWD_SCRIPT.subn(to_bundle, page)
    if count:
        return page
    tag = f'<script src="{quoted}"></script>'
    anchor = _HEAD.search(page) or _DOCTYPE.match(page)
    if anchor is None:
        return tag + page
    return page[:anchor.end()] + tag + page[anchor.end():]
