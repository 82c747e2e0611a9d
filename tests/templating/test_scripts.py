"""Every assets.crowd.aws script a template names loads our bundle; a page without one gets it."""

from __future__ import annotations

import pytest

from crowdform.templating.scripts import use_bundle
from tests.templating.rendering import BUNDLE, TAG, render

OURS = f'<script src="{BUNDLE}"></script>'


@pytest.mark.parametrize("url", [
    "https://assets.crowd.aws/crowd-html-elements.js",
    "https://assets.crowd.aws/crowd-html-elements-v2.js",
    "https://assets.crowd.aws/crowd-html-elements-v2s.js",  # the typo in AWS's generative-AI sample
    "http://assets.crowd.aws/crowd-html-elements.js",
    "//assets.crowd.aws/crowd-html-elements.js",
    "https://ASSETS.crowd.aws/crowd-html-elements.js?v=3",
])
def test_every_assets_crowd_aws_script_url_becomes_the_bundle(url: str) -> None:
    assert use_bundle(f'<script src="{url}"></script>\n<crowd-form></crowd-form>', BUNDLE) == (
        f"{OURS}\n<crowd-form></crowd-form>"
    )


@pytest.mark.parametrize(("tag", "rewritten"), [
    ("<script src='https://assets.crowd.aws/crowd-html-elements.js'></script>", f"<script src='{BUNDLE}'></script>"),
    ("<script src=https://assets.crowd.aws/crowd-html-elements.js></script>", OURS),
    ('<SCRIPT type="text/javascript" SRC = "https://assets.crowd.aws/crowd-html-elements.js" defer></SCRIPT>',
     f'<SCRIPT type="text/javascript" SRC = "{BUNDLE}" defer></SCRIPT>'),
])
def test_quotes_case_and_other_attributes_are_kept(tag: str, rewritten: str) -> None:
    assert use_bundle(tag, BUNDLE) == rewritten


def test_a_page_loading_v2_in_head_and_v1_at_the_end_of_body_loads_the_bundle_in_both_places() -> None:
    page = ('<html><head><script src="https://assets.crowd.aws/crowd-html-elements-v2.js"></script>'
            '<link rel="stylesheet" href="https://assets.crowd.aws/css/crowd-html-elements-v2.css"></head>'
            '<body><crowd-form></crowd-form><script src="https://assets.crowd.aws/crowd-html-elements.js"></script>'
            "</body></html>")
    assert use_bundle(page, BUNDLE) == (
        f'<html><head>{OURS}<link rel="stylesheet" href="https://assets.crowd.aws/css/crowd-html-elements-v2.css">'
        f"</head><body><crowd-form></crowd-form>{OURS}</body></html>"
    )


@pytest.mark.parametrize(("page", "injected"), [
    ("<crowd-form></crowd-form>", f"{OURS}<crowd-form></crowd-form>"),
    ('<!DOCTYPE html>\n<html lang="en"><head lang="en">\n<title>T</title></head><body><header></header></body></html>',
     f'<!DOCTYPE html>\n<html lang="en"><head lang="en">{OURS}\n<title>T</title></head><body><header></header></body></html>'),
    ("\n<!doctype html><body><header>x</header><crowd-form></crowd-form></body>",
     f"\n<!doctype html>{OURS}<body><header>x</header><crowd-form></crowd-form></body>"),
    ('<script src="https://example.com/crowd-html-elements.js"></script><img data-src="https://assets.crowd.aws/x.js">',
     f'{OURS}<script src="https://example.com/crowd-html-elements.js"></script>'
     '<img data-src="https://assets.crowd.aws/x.js">'),
], ids=["bare", "head", "doctype-no-head", "other-scripts-only"])
def test_a_page_without_the_script_gets_it_first_in_head_else_first_after_the_doctype(page: str, injected: str) -> None:
    assert use_bundle(page, BUNDLE) == injected


def test_the_bundle_url_is_escaped_for_the_attribute() -> None:
    assert use_bundle("<p></p>", '/static/x.js?a=1&b="2"') == '<script src="/static/x.js?a=1&amp;b=&quot;2&quot;"></script><p></p>'


def test_a_script_tag_printed_from_the_task_input_is_escaped_text_and_not_a_script() -> None:
    task = {"note": '<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>'}
    assert render("<p>{{ task.input.note }}</p>", task) == (
        f"{TAG}<p>&lt;script src=&quot;https://assets.crowd.aws/crowd-html-elements.js&quot;&gt;&lt;/script&gt;</p>"
    )
