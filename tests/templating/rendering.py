"""What the templating tests share: a render call with a fixed bundle URL and a plain signer."""

from __future__ import annotations

from crowdform.templating import compile_template

BUNDLE = "/static/crowd-html-elements.js"
TAG = f'<script src="{BUNDLE}"></script>'  # injected into any page that does not load the elements


def sign(uri: str) -> str:
    """A stand-in for FileAccess.grant: a URL whose query string needs escaping in an attribute."""
    return f"https://files.test/get?uri={uri}&sig=abc"


def render(source: str, task_input: object = None, *, strict: bool = False) -> str:
    return compile_template(source, "task.liquid.html", bundle_url=BUNDLE).render(
        task_input, grant_read_access=sign, strict=strict)


def body(source: str, task_input: object = None, *, strict: bool = False) -> str:
    """The rendered page without the script tag injected at its start."""
    page = render(source, task_input, strict=strict)
    assert page.startswith(TAG), page
    return page[len(TAG):]
