"""The five filters Ground Truth adds to Liquid (contract section 4.4).

``escape``, ``escape_once`` and ``skip_autoescape`` replace Liquid's own: in Ground Truth they also
switch autoescaping off for the statement (see :mod:`crowdform.templating.autoescape`), and they
print objects and arrays as JSON like every other output.
"""

from __future__ import annotations

from liquid.exceptions import FilterArgumentError

from crowdform.errors import CrowdformError
from crowdform.templating import text
from crowdform.templating.render_state import current
from crowdform.templating.text import SafeHtml


def grant_read_access(value: object) -> str:
    """A URL the worker's browser can fetch for the object ``value`` names (``s3://``, a file...).

    The URL comes from the function the caller handed to ``TaskTemplate.render``; an empty or
    undefined value stays empty, so an optional image does not become a broken signed URL.
    """
    if isinstance(value, (dict, list, tuple)):
        raise FilterArgumentError(
            f"grant_read_access expects one URI, got {'an object' if isinstance(value, dict) else 'an array'}",
            token=None,
        )
    uri = text.to_text(value).strip()
    if not uri:
        return ""
    try:
        return current().grant_read_access(uri)
    except CrowdformError as error:
        raise FilterArgumentError(f"grant_read_access cannot give access to {uri!r}: {error}", token=None) from None


def to_json(value: object) -> str:
    return text.to_json(value)


def escape(value: object) -> SafeHtml:
    return SafeHtml(text.escape_html(text.to_text(value)))


def escape_once(value: object) -> SafeHtml:
    return SafeHtml(text.escape_html_once(text.to_text(value)))


def skip_autoescape(value: object) -> SafeHtml:
    return SafeHtml(text.to_text(value))


GROUND_TRUTH_FILTERS = {
    "grant_read_access": grant_read_access,
    "to_json": to_json,
    "escape": escape,
    "escape_once": escape_once,
    "skip_autoescape": skip_autoescape,
}
