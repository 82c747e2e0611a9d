"""Display and action elements: crowd-button (5.4), crowd-alert (5.1), crowd-card (5.5),
crowd-instructions (5.16); checklist D-1."""

from __future__ import annotations

from tests.browser.helpers import announced, preview_answer, screenshot, submit_and_read


def test_button_variants_icons_and_link(open_crowd_page):
    page = open_crowd_page("""<div style="display:flex;gap:12px;padding:12px">
        <crowd-button id="n">Normal</crowd-button><crowd-button id="p" variant="primary">Primary</crowd-button>
        <crowd-button id="l" variant="link">Link</crowd-button>
        <crowd-button id="i" variant="icon" icon="search" title="Search"></crowd-button>
        <crowd-button id="r" icon="star" icon-align="right">Starred</crowd-button>
        <crowd-button id="h" href="#target" target="_self">Go</crowd-button>
        <crowd-button id="w" loading>Wait</crowd-button><crowd-button id="d" disabled="true">Off</crowd-button>
        <crowd-button id="u" icon="no-such-icon">Unknown icon</crowd-button></div><p id="target">t</p>""")
    screenshot(page, "crowd-button")
    inner = "(id) => document.getElementById(id).shadowRoot.querySelector('.btn')"
    assert page.evaluate(f"({inner})('p').className") == "btn primary"
    assert page.evaluate(f"({inner})('i').querySelector('svg') !== null")
    assert page.evaluate(f"({inner})('i').getAttribute('aria-label')") == "Search"
    assert page.evaluate(f"({inner})('r').className") == "btn normal right"
    assert page.evaluate(f"({inner})('h').localName") == "a"
    assert page.evaluate(f"({inner})('w').querySelector('.spinner') !== null")
    assert page.evaluate(f"({inner})('d').disabled") is True
    assert page.evaluate(f"({inner})('u').querySelector('.icon') === null")
    page.locator("#h").click()
    assert page.url.endswith("#target")


def test_disabled_and_loading_buttons_never_submit(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-input name="a" value="1"></crowd-input>
        <crowd-button id="s" form-action="submit" variant="primary" disabled="true">Submit</crowd-button></crowd-form>
        <script>window.clicks = 0; document.getElementById('s').addEventListener('click', () => clicks++);</script>""")
    page.locator("#s").click(force=True)
    page.evaluate("document.getElementById('s').loading = true; document.getElementById('s').disabled = false")
    page.locator("#s").click(force=True)
    page.wait_for_timeout(100)
    assert announced(page) == []
    assert page.evaluate("window.clicks") == 0
    page.evaluate("document.getElementById('s').loading = false")
    assert page.evaluate("document.getElementById('s').hasAttribute('disabled')") is False
    page.locator("#s").click()
    assert preview_answer(page) == {"a": "1"}


def test_button_without_form_action_does_nothing_by_itself(open_crowd_page):
    page = open_crowd_page("""<crowd-form><short-instructions><crowd-input name="_customLabel"></crowd-input>
        <crowd-button id="add">Add label</crowd-button></short-instructions></crowd-form>
        <script>window.added = 0; document.getElementById('add').addEventListener('click', () => added++);</script>""")
    page.locator("#add").click()
    page.wait_for_timeout(100)
    assert page.evaluate("window.added") == 1
    assert announced(page) == []


def test_button_is_keyboard_operable(open_crowd_page):
    page = open_crowd_page('<crowd-form><crowd-input name="a" value="k"></crowd-input></crowd-form>')
    page.locator("crowd-input").click()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert preview_answer(page) == {"a": "k"}


def test_alert_types_and_dismiss(open_crowd_page):
    page = open_crowd_page("""<crowd-alert id="i">Information</crowd-alert>
        <crowd-alert id="s" type="success">Saved</crowd-alert><crowd-alert id="w" type="warning">Careful</crowd-alert>
        <crowd-alert id="e" type="error" dismissible>Broken</crowd-alert>
        <script>window.dismissed = 0; document.addEventListener('dismiss', () => dismissed++);</script>""")
    screenshot(page, "crowd-alert")
    cls = "(id) => document.getElementById(id).shadowRoot.querySelector('.alert').className"
    assert [page.evaluate(f"({cls})('{i}')") for i in "iswe"] == [
        "alert info", "alert success", "alert warning", "alert error"]
    assert not page.locator("#i .dismiss").is_visible()
    assert page.locator("#e .alert").get_attribute("role") == "alert"
    page.locator("#e .dismiss").click()
    assert not page.locator("#e").is_visible()
    assert page.evaluate("window.dismissed") == 1


def test_card_heading_image_and_controls_inside(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-card heading="Product" image="/img/300x120.png">
        <p>Details</p><crowd-input name="inside" value="kept"></crowd-input></crowd-card></crowd-form>
        <script>
        const card = document.createElement('crowd-card');
        card.setAttribute('heading', 'Made by script');
        card.innerHTML = '<label><input type="checkbox" name="made" checked> made</label>';
        document.querySelector('crowd-form').form.appendChild(card);
        </script>""")
    page.wait_for_function("document.querySelector('crowd-card').shadowRoot.querySelector('img').complete")
    screenshot(page, "crowd-card")
    assert page.locator("crowd-card").first.locator(".heading").inner_text() == "Product"
    assert page.locator("crowd-card").nth(1).locator(".heading").inner_text() == "Made by script"
    assert page.evaluate("document.querySelector('crowd-card').shadowRoot.querySelector('img').naturalWidth") == 300
    assert submit_and_read(page) == {"inside": "kept", "made": {"on": True}}


def test_instructions_dialog_with_tabs(open_crowd_page):
    page = open_crowd_page("""<crowd-instructions link-text="See instructions">
        <short-summary><p id="sum">Label every cat.</p></short-summary>
        <detailed-instructions><p id="det">Cats are small felines.</p></detailed-instructions>
        <positive-example><p id="pos1">A tabby</p></positive-example><positive-example><p id="pos2">A lion cub</p>
        </positive-example><negative-example><p id="neg">A dog</p></negative-example></crowd-instructions>
        <crowd-instructions id="b" link-type="button"><short-instructions>Short</short-instructions>
        </crowd-instructions>""")
    trigger = page.locator("crowd-instructions").first.locator(".open")
    assert trigger.inner_text() == "See instructions"
    assert not page.locator("#sum").is_visible()
    trigger.click()
    assert page.locator("#sum").is_visible()
    assert not page.locator("#det").is_visible()
    page.get_by_role("tab", name="Detailed Instructions").click()
    assert page.locator("#det").is_visible()
    page.keyboard.press("ArrowRight")
    assert page.locator("#pos1").is_visible() and page.locator("#pos2").is_visible() and page.locator("#neg").is_visible()
    assert page.get_by_role("tab", name="Examples").get_attribute("aria-selected") == "true"
    screenshot(page, "crowd-instructions")
    page.keyboard.press("Escape")
    assert not page.locator("#pos1").is_visible()
    second = page.locator("#b .open")
    assert page.evaluate("document.getElementById('b').shadowRoot.querySelector('.open').localName") == "crowd-button"
    assert second.inner_text() == "Click for instructions"
    second.click()
    assert page.get_by_text("Short").is_visible()


def test_d1_display_elements_contribute_nothing(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-alert>a</crowd-alert><crowd-card heading="h">c</crowd-card>
        <crowd-instructions><short-summary>s</short-summary></crowd-instructions><crowd-button>b</crowd-button>
        <crowd-radio-group></crowd-radio-group></crowd-form>""")
    page.locator("crowd-button:not([form-action])").click()
    page.locator("crowd-instructions .open").click()
    page.keyboard.press("Escape")
    assert submit_and_read(page) == {}
