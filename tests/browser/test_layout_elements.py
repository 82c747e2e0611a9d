"""Layout and display elements: crowd-toggle-button (5.30), crowd-tabs/crowd-tab (5.26, 5.27),
crowd-badge (5.2), crowd-fab (5.10), crowd-icon-button (5.11), crowd-modal (5.19), crowd-toast (5.29).
Checklist TG-1, TG-2, D-1, D-2."""

from __future__ import annotations

from tests.browser.helpers import blocked, form_errors, preview_answer, screenshot, submit

TOGGLES = """<crowd-form>
  <crowd-toggle-button name="theToggler"></crowd-toggle-button> The toggler
  <crowd-toggle-button name="t" value="someValue"></crowd-toggle-button>
  <crowd-toggle-button name="pre" checked invalid></crowd-toggle-button>
  <crowd-toggle-button name="off" disabled></crowd-toggle-button>
</crowd-form>"""


def switch(page, n):
    return page.locator("crowd-toggle-button").nth(n).locator("input")


def test_tg1_tg2_switch_on_with_the_mouse_and_leave_off(open_crowd_page):
    page = open_crowd_page(TOGGLES)
    assert switch(page, 0).get_attribute("role") == "switch"
    switch(page, 0).click()
    switch(page, 2).click()
    switch(page, 2).click()  # off and on again
    switch(page, 3).click(force=True)  # disabled: no change
    assert page.evaluate("document.querySelectorAll('crowd-toggle-button')[3].checked") is False
    screenshot(page, "crowd-toggle-button")
    submit(page)
    assert preview_answer(page) == {"theToggler": {"on": True}, "t": {"someValue": False}, "pre": {"on": True}}


def test_toggle_with_the_keyboard_and_invalid_colour(open_crowd_page):
    page = open_crowd_page(TOGGLES)
    switch(page, 1).focus()
    page.keyboard.press("Space")
    assert page.evaluate("document.querySelectorAll('crowd-toggle-button')[1].checked") is True
    colour = "el => getComputedStyle(el).backgroundColor"
    assert switch(page, 2).evaluate(colour) != "rgb(209, 50, 18)"  # invalid but on
    switch(page, 2).click()
    assert switch(page, 2).evaluate(colour) == "rgb(209, 50, 18)"  # invalid and off: alert colour
    submit(page)
    assert preview_answer(page) == {"theToggler": {"on": False}, "t": {"someValue": True}, "pre": {"on": False}}


def test_required_toggle_must_be_on(open_crowd_page):
    page = open_crowd_page('<crowd-form><crowd-toggle-button name="agree" required>I agree</crowd-toggle-button></crowd-form>')
    submit(page)
    assert blocked(page)
    assert "Switch this on to continue." in form_errors(page)
    page.locator("crowd-toggle-button input").click()
    submit(page)
    assert preview_answer(page) == {"agree": {"on": True}}


TABS = """<crowd-form><crowd-tabs>
  <crowd-tab header="First"><p id="one">Tab one</p><crowd-input name="a" label="A"></crowd-input></crowd-tab>
  <crowd-tab header="Second"><p id="two">Tab two</p><crowd-toggle-button name="sw"></crowd-toggle-button></crowd-tab>
  <crowd-tab header="Third"><crowd-input name="inputInsideTab" value="x"></crowd-input>
    <crowd-input name="must" label="Must" required></crowd-input></crowd-tab>
</crowd-tabs></crowd-form>"""


def test_tabs_switch_by_click_and_keys_and_hidden_panels_are_submitted(open_crowd_page):
    page = open_crowd_page(TABS)
    tabs = page.locator("crowd-tabs .tab")
    assert tabs.all_inner_texts() == ["First", "Second", "Third"]
    assert page.locator("#one").is_visible() and not page.locator("#two").is_visible()
    page.locator("crowd-input[name=a] input").fill("typed")
    tabs.nth(1).click()
    assert page.locator("#two").is_visible() and not page.locator("#one").is_visible()
    assert tabs.nth(1).get_attribute("aria-selected") == "true"
    page.locator("crowd-toggle-button input").click()
    page.keyboard.press("ArrowLeft")  # focus is in the panel, not on the tab list: no change
    assert page.locator("#two").is_visible()
    tabs.nth(1).focus()
    page.keyboard.press("ArrowLeft")
    assert page.locator("#one").is_visible()
    page.keyboard.press("End")
    assert not page.locator("#one").is_visible() and tabs.nth(2).get_attribute("aria-selected") == "true"
    page.keyboard.press("Home")
    screenshot(page, "crowd-tabs")
    # D-2: a required input in the never-shown third tab: blocked, and its tab opens.
    submit(page)
    assert blocked(page)
    assert tabs.nth(2).get_attribute("aria-selected") == "true"
    page.locator("crowd-input[name=must] input").fill("m")
    page.locator("crowd-tabs .tab").first.click()
    submit(page)
    assert preview_answer(page) == {"a": "typed", "sw": {"on": True}, "inputInsideTab": "x", "must": "m"}


def test_d2_input_in_an_unopened_tab(open_crowd_page):
    page = open_crowd_page(TABS.replace(" required", ""))
    submit(page)
    assert preview_answer(page) == {"sw": {"on": False}, "inputInsideTab": "x"}


DISPLAY = """<crowd-form>
  <crowd-alert type="info">Read this.</crowd-alert>
  <p id="target" style="display:inline-block;margin:40px 0 0 40px;padding:8px;border:1px solid #888">Badge target</p>
  <crowd-badge for="target" icon="star"></crowd-badge>
  <crowd-badge for="target2" label="42" />
  <p id="target2" style="display:inline-block;margin-left:60px;padding:8px;border:1px solid #888">Second target</p>
  <crowd-card heading="Card">card body</crowd-card>
  <crowd-fab id="fab" icon="add" title="Add"></crowd-fab>
  <crowd-fab id="fab2" label="S" title="Submit" disabled></crowd-fab>
  <crowd-icon-button id="ib" icon="search" title="Search"></crowd-icon-button>
  <crowd-instructions link-text="Instructions"><short-summary>Summary</short-summary></crowd-instructions>
  <crowd-modal link-text="See an example" link-type="button"><p id="inmodal">Example content</p>
    <crowd-input name="inModal" value="m"></crowd-input></crowd-modal>
  <crowd-modal><p id="inmodal2">Second</p></crowd-modal>
  <crowd-tabs><crowd-tab header="One">first</crowd-tab><crowd-tab header="Two">second</crowd-tab></crowd-tabs>
  <crowd-toast id="toast1" duration="1500" text="Saved!" opened></crowd-toast>
  <crowd-toast id="toast2" duration="0">Second toast</crowd-toast>
  <crowd-button>Plain button</crowd-button>
</crowd-form>
<script>window.clicks = [];
for (const id of ['fab', 'fab2', 'ib']) document.getElementById(id).addEventListener('click', () => clicks.push(id));</script>"""


def test_badges_are_pinned_to_the_upper_right_corner_of_their_target(open_crowd_page):
    page = open_crowd_page(DISPLAY)
    for badge, target in (("crowd-badge[for=target]", "#target"), ("crowd-badge[for=target2]", "#target2")):
        b = page.locator(f"{badge} .badge").bounding_box()
        t = page.locator(target).bounding_box()
        assert abs(b["x"] + b["width"] / 2 - (t["x"] + t["width"])) <= 1.5, (b, t)
        assert abs(b["y"] + b["height"] / 2 - t["y"]) <= 1.5, (b, t)
    assert page.locator("crowd-badge[for=target] .badge svg").count() == 1  # the icon wins
    assert page.locator("crowd-badge[for=target2] .badge").inner_text() == "42"
    # the self-closing form: following content became its child and still renders
    assert page.evaluate("document.querySelector('crowd-badge[for=target2]').contains(document.getElementById('target2'))")
    assert page.locator("#target2").is_visible()


def test_d1_click_every_display_element_then_submit(open_crowd_page):
    page = open_crowd_page(DISPLAY)
    assert page.locator("#toast1 .toast").is_visible()  # opened on load
    assert page.locator("#toast1 .toast").inner_text() == "Saved!"
    screenshot(page, "crowd-display-elements")
    page.locator("#toast1 .toast").wait_for(state="hidden", timeout=5000)  # gone after `duration`
    page.locator("#fab").click()
    page.locator("#fab2").click(force=True)  # disabled: ignored
    page.locator("#ib").click()
    page.locator("#ib button").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("window.clicks") == ["fab", "ib", "ib"]
    assert page.locator("#fab button").get_attribute("aria-label") == "Add"
    assert page.locator("#fab2 .label").inner_text() == "S"
    # modals: the trigger opens the dialog; Escape and the close button close it
    assert not page.locator("#inmodal").is_visible()
    page.locator("crowd-modal .trigger", has_text="See an example").click()
    assert page.locator("#inmodal").is_visible()
    screenshot(page, "crowd-modal")
    page.keyboard.press("Escape")
    assert not page.locator("#inmodal").is_visible()
    page.locator("crowd-modal .trigger", has_text="Click to open modal").click()
    assert page.locator("#inmodal2").is_visible()
    page.locator("crowd-modal:has(#inmodal2) .modal-close").click()
    assert not page.locator("#inmodal2").is_visible()
    # toasts: only one visible at a time
    page.evaluate("document.getElementById('toast2').show()")
    assert page.locator("#toast2 .toast").is_visible()
    page.evaluate("document.getElementById('toast1').show()")
    assert page.locator("#toast1 .toast").is_visible() and not page.locator("#toast2 .toast").is_visible()
    page.locator("crowd-tabs .tab", has_text="Two").click()
    page.locator("crowd-button", has_text="Plain button").click()
    page.locator("crowd-alert").click()
    submit(page)
    # D-1 gives {} for display elements; the named input inside the modal is still submitted
    assert preview_answer(page) == {"inModal": "m"}


def test_fab_and_icon_button_submit_as_in_the_documented_examples(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-input name="q" value="v"></crowd-input>
      <crowd-button form-action="submit" style="display:none"></crowd-button></crowd-form>
      <crowd-fab id="submitButton" icon="check" title="Submit"></crowd-fab>
      <script>document.querySelector('#submitButton').onclick = () => document.querySelector('crowd-form').submit();</script>""")
    page.locator("#submitButton").click()
    assert preview_answer(page) == {"q": "v"}
