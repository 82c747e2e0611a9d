"""Library mechanics (spec 2, 9.1, 9.2): attribute parsing, loading and registration, the
all-crowd-elements-ready event, open shadow roots, elements created from script, the shared layout."""

from __future__ import annotations

import json

import pytest

from crowdform.web.crowd_script import CROWD_SCRIPT_PATH
from tests.browser.helpers import preview_answer, screenshot, submit_and_read

MY_ELEMENTS = ["crowd-form", "crowd-button", "crowd-alert", "crowd-card", "crowd-instructions", "crowd-input",
               "crowd-text-area", "crowd-checkbox", "crowd-radio-group", "crowd-radio-button", "crowd-slider",
               "crowd-classifier", "crowd-image-classifier"]

PARSED = [
    ('["A","B"]', ["A", "B"]),  # P-1
    ("['A', 'B']", ["A", "B"]),  # P-2
    ("[ 'A', 'B', ]", ["A", "B"]),  # P-3
    ('[\n  "A", // first\n  "B"\n]', ["A", "B"]),  # P-4
    ("{ text: 'None of the above' }", {"text": "None of the above"}),  # P-6
    ("[{label: 'Dog', left: 1, top: 2, width: 3, height: 4,},]",
     [{"label": "Dog", "left": 1, "top": 2, "width": 3, "height": 4}]),  # P-7
    ("[{'label': 'person', 'shortDisplayName': 'per', 'fullDisplayName': 'Person'}]",
     [{"label": "person", "shortDisplayName": "per", "fullDisplayName": "Person"}]),  # P-8
    ("{ 'src': 'x.png', 'labelMappings': { \"Bird\": { 'color': \"#2ca02c\" }, } }",
     {"src": "x.png", "labelMappings": {"Bird": {"color": "#2ca02c"}}}),
    ("{ lines: [ { label: 'sideline', // label of this line\n vertices: [] } ] }",
     {"lines": [{"label": "sideline", "vertices": []}]}),
    ("/* lead */ [1, -2.5, .5, 1e3, +4, 0x1F, true, false, null] /* tail */", [1, -2.5, 0.5, 1000, 4, 31, True, False, None]),
    ("['it\\'s', 'tab\\there', 'A\\u00e9\\x41', \"q\\\"\", 'line\\\nbreak']",
     ["it's", "tab\there", "A\u00e9A", 'q"', "linebreak"]),
    ("{ $id: 1, _x: [], 'a b': {}, \"\": 2 }", {"$id": 1, "_x": [], "a b": {}, "": 2}),
    ("[\n\n]", []),
]


@pytest.mark.parametrize(("text", "expected"), PARSED)
def test_structured_attribute_grammar(open_crowd_page, text, expected):
    page = open_crowd_page("")
    assert page.evaluate("(t) => CrowdCore.parseAttribute(t)", text) == expected


def test_parser_rejects_bad_text_and_never_evaluates(open_crowd_page):
    page = open_crowd_page("")
    for bad in ["not json", "[1, 2", "{a: 1} x", "['unterminated]", "[1,,2]", "alert(1)", "{a 1}", "`x`"]:
        message = page.evaluate("(t) => { try { CrowdCore.parseAttribute(t); return null; } catch (e) { return e.name; } }", bad)
        assert message == "SyntaxError", bad
    # __proto__ as a key is data, not a prototype change.
    assert page.evaluate("Object.getPrototypeOf(CrowdCore.parseAttribute('{\"__proto__\": {\"x\": 1}}')) === Object.prototype")
    assert page.evaluate("CrowdCore.parseAttribute('{\"__proto__\": {\"x\": 1}}').__proto__.x") == 1


def test_p5_escaped_json_in_html_and_p9_malformed_attribute(open_crowd_page):
    page = open_crowd_page('<crowd-classifier id="a" categories="[&quot;A&quot;,&quot;B&quot;]"></crowd-classifier>'
                           '<crowd-classifier id="b" categories="not json"></crowd-classifier>')
    assert page.evaluate("document.getElementById('a').categories") == ["A", "B"]
    assert page.evaluate("document.getElementById('b').categories") == []
    assert 'attribute "categories": cannot parse "not json"' in open_crowd_page.console_text("error")
    assert page.evaluate("CrowdCore.readAttribute(document.getElementById('b'), 'categories')") is None


def test_p10_boolean_and_number_attributes(open_crowd_page):
    page = open_crowd_page("""<crowd-slider id="a" pin="true" max=10></crowd-slider><crowd-slider id="b" pin></crowd-slider>
        <crowd-slider id="c" pin=""></crowd-slider><crowd-slider id="d" step="x"></crowd-slider>
        <crowd-button id="e" disabled="false">x</crowd-button>""")
    assert page.evaluate("['a','b','c','d'].map((i) => document.getElementById(i).pin)") == [True, True, True, False]
    assert page.evaluate("[document.getElementById('a').max, document.getElementById('d').step]") == [10, 1]
    assert page.evaluate("document.getElementById('e').disabled") is True
    page.evaluate("document.getElementById('e').disabled = false")
    assert page.evaluate("document.getElementById('e').hasAttribute('disabled')") is False


def test_every_element_has_an_open_shadow_root_and_renders(open_crowd_page):
    page = open_crowd_page("".join(f"<{tag}></{tag}>" for tag in MY_ELEMENTS))
    result = page.evaluate("""(tags) => tags.map((t) => {
        const el = document.querySelector(t);
        return [t, !!customElements.get(t), el.shadowRoot && el.shadowRoot.mode, el.shadowRoot.childElementCount > 0];
    })""", MY_ELEMENTS)
    assert result == [[t, True, "open", True] for t in MY_ELEMENTS]


def test_elements_created_from_script_after_load(open_crowd_page):
    page = open_crowd_page("<crowd-form id='f'></crowd-form>")
    page.evaluate("""() => {
        const f = document.getElementById('f').form;
        const c = document.createElement('crowd-classifier');
        if (c.shadowRoot !== null) throw new Error('the constructor must do nothing');
        c.setAttribute('name', 'cls');
        c.categories = ['red', 'green'];
        f.append(c);
        f.insertAdjacentHTML('beforeend', '<crowd-checkbox name="cb" checked>cb</crowd-checkbox>'
          + '<crowd-radio-group><crowd-radio-button name="r">r</crowd-radio-button></crowd-radio-group>'
          + '<crowd-slider name="s" value="4"></crowd-slider><crowd-text-area name="t" value="t"></crowd-text-area>');
    }""")
    page.keyboard.press("2")
    page.locator("crowd-radio-button").click()
    page.locator("crowd-classifier .tool-submit").click()
    assert preview_answer(page) == {"cls": {"label": "green"}, "cb": {"on": True}, "r": {"on": True}, "s": 4, "t": "t"}


def test_ready_event_once_after_dom_content_loaded_and_first_render(open_crowd_page):
    page = open_crowd_page("""
        <crowd-form><crowd-classifier name="c" categories="['placeholder']"></crowd-classifier></crowd-form>
        <script>
          window.log = [];
          document.addEventListener('DOMContentLoaded', () => {
            log.push('DOMContentLoaded');
            document.addEventListener('all-crowd-elements-ready', () => log.push('late listener'));
          });
          document.addEventListener('all-crowd-elements-ready', (e) => {
            const c = document.querySelector('crowd-classifier');
            log.push(['ready', e.bubbles, c.shadowRoot.querySelectorAll('.category').length, c.categories]);
            c.categories = [];
          });
          window.addEventListener('all-crowd-elements-ready', () => log.push('window heard it'));
        </script>""")
    page.wait_for_timeout(300)
    assert page.evaluate("window.log") == ["DOMContentLoaded", ["ready", False, 1, ["placeholder"]], "late listener"]
    # G-12 with categories: the property assigned in the listener wins, the attribute keeps its raw text.
    assert page.evaluate("document.querySelector('crowd-classifier').categories") == []
    assert page.evaluate("document.querySelector('crowd-classifier').getAttribute('categories')") == "['placeholder']"
    assert page.locator("crowd-classifier .category").count() == 0


def test_script_loaded_twice_and_at_the_end_of_the_body(open_crowd_page):
    page = open_crowd_page(
        f"""<crowd-form><crowd-input name="a" value="1"></crowd-input></crowd-form>
        <script>window.readyCount = 0; document.addEventListener('all-crowd-elements-ready', () => readyCount++);</script>
        <script src="{CROWD_SCRIPT_PATH}"></script>""",
        head=f'<script src="{CROWD_SCRIPT_PATH}?again"></script>')
    page.wait_for_timeout(200)
    assert page.evaluate("window.readyCount") == 1
    assert page.locator("crowd-form crowd-button[form-action=submit]").count() == 1
    # Even without the load guard, running the library again does not throw (guarded definitions).
    page.evaluate("""async () => {
        delete window.__crowdformElementsLoaded;
        const s = document.createElement('script');
        s.src = '/static/crowd-html-elements.js?third';
        await new Promise((ok, bad) => { s.onload = ok; s.onerror = bad; document.head.append(s); });
    }""")
    assert submit_and_read(page) == {"a": "1"}
    assert open_crowd_page.console_text("error") == ""


def test_script_at_the_end_of_the_body_upgrades_parsed_elements(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-radio-group><crowd-radio-button name="x" checked>x</crowd-radio-button>
        <crowd-radio-button name="y" checked>y</crowd-radio-button></crowd-radio-group>
        <crowd-input name="i" value="v"></crowd-input></crowd-form>""", script_at_end=True)
    assert page.locator("crowd-form crowd-button[form-action=submit]").count() == 1
    assert submit_and_read(page) == {"x": {"on": False}, "y": {"on": True}, "i": "v"}


def test_disconnected_elements_stop_listening(open_crowd_page):
    page = open_crowd_page("""<div id="holder"><crowd-classifier name="c" categories="['a','b']"></crowd-classifier></div>
        <script>window.changes = 0; document.querySelector('crowd-classifier').onchange = () => changes++;</script>""")
    page.evaluate("window.kept = document.querySelector('crowd-classifier'); kept.remove()")
    page.keyboard.press("1")
    assert page.evaluate("[window.kept.value, window.changes]") == ["", 0]
    page.evaluate("document.getElementById('holder').append(window.kept)")
    page.keyboard.press("2")
    assert page.evaluate("[window.kept.value, window.changes]") == ["b", 1]


def test_tool_layout_in_a_third_party_element_with_named_slots(open_crowd_page):
    # toolLayout also works for a shadow root without manual slot assignment (it sets `slot` attributes).
    page = open_crowd_page("""<crowd-form><my-tool name="mine" header="My tool">
        <short-instructions><b id="si">Short.</b></short-instructions><full-instructions>Full.</full-instructions>
        <p id="other">Other content</p></my-tool></crowd-form>
        <script>
        class MyTool extends CrowdCore.CrowdElement {
          render(root) {
            const content = CrowdCore.toolLayout(root, this, {submit: true});
            content.textContent = 'drawing area';
          }
          answer() { return {ok: true}; }
        }
        CrowdCore.define('my-tool', MyTool);
        CrowdCore.define('my-tool', class extends HTMLElement {});  // guarded: no throw
        </script>""")
    assert page.locator("#si").is_visible()
    assert page.locator("#other").is_visible()
    assert page.evaluate("document.querySelector('short-instructions').slot") == "short-instructions"
    assert page.locator("my-tool .tool-header").inner_text() == "My tool"
    page.evaluate("document.querySelector('my-tool').setAttribute('header', 'Renamed')")
    page.wait_for_function("document.querySelector('my-tool').shadowRoot.querySelector('.tool-header').textContent === 'Renamed'")
    page.locator("my-tool .full-instructions-link").click()
    assert page.get_by_text("Full.").is_visible()
    page.keyboard.press("Escape")
    screenshot(page, "tool-layout")
    page.locator("my-tool .tool-submit").click()
    assert preview_answer(page) == {"mine": {"ok": True}}


def test_theme_variables_can_be_overridden_by_the_page(open_crowd_page):
    page = open_crowd_page('<crowd-radio-button checked>x</crowd-radio-button>',
                           head="<style>:root { --crowd-primary: rgb(1, 2, 3); }</style>")
    color = page.evaluate("getComputedStyle(document.querySelector('crowd-radio-button').shadowRoot"
                          ".querySelector('.radio')).borderTopColor")
    assert color == "rgb(1, 2, 3)"


def test_contract_used_by_other_elements(open_crowd_page):
    page = open_crowd_page("")
    names = page.evaluate("Object.keys(window.CrowdCore)")
    for name in ["parseAttribute", "readAttribute", "parseBoolean", "parseNumber", "define", "CrowdElement",
                 "submitEnclosingForm", "toolLayout", "style", "handOff", "ready"]:
        assert name in names
    probe = page.evaluate("""() => {
        CrowdCore.define('x-probe', class extends CrowdCore.CrowdElement {});
        const el = document.createElement('x-probe');
        el.name = 'n';
        document.body.append(el);
        return [el.validate(), el.answer() === undefined, el.value === undefined, el._submittableValue === undefined,
                el.getAttribute('name'), el.shadowRoot.mode];
    }""")
    assert probe == [None, True, True, True, "n", "open"]
    assert json.loads(page.evaluate("JSON.stringify(CrowdCore.TOOL_TAGS)"))[0] == "crowd-bounding-box"
