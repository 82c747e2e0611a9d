"""Input elements (spec 5.6, 5.14, 5.22, 5.23, 5.25, 5.28; checklist 9.3), driven by mouse and keyboard."""

from __future__ import annotations

import pytest

from tests.browser.helpers import blocked, form_errors, screenshot, submit, submit_and_read


def answer_now(page):
    return page.evaluate("document.querySelector('crowd-form').collectAnswer()")


# ---------------------------------------------------------------- crowd-input


def test_in1_in2_inputs_filled_and_preset(open_crowd_page):
    page = open_crowd_page("""<crowd-form>
        <crowd-input name="tag1" label="First tag"></crowd-input><crowd-input name="tag2" placeholder="Second">
        </crowd-input><crowd-input name="tag3"></crowd-input>
        <crowd-input name="w" value="http://x.example"></crowd-input></crowd-form>""")
    page.locator("crowd-input[name=tag1]").click()
    page.keyboard.type("blue")
    page.keyboard.press("Tab")
    page.keyboard.type("red")
    screenshot(page, "crowd-input")
    assert submit_and_read(page) == {"tag1": "blue", "tag2": "red", "w": "http://x.example"}


def test_in3_required_input_blocks(open_crowd_page):
    page = open_crowd_page('<crowd-form><crowd-input name="w" required></crowd-input></crowd-form>')
    submit(page)
    assert blocked(page)
    assert "w: This field is required." in form_errors(page)
    assert page.locator("crowd-input .crowd-error").is_visible()


def test_floating_label_and_placeholder(open_crowd_page):
    page = open_crowd_page('<crowd-input label="City" placeholder="e.g. Paris"></crowd-input>')
    label = page.locator("crowd-input .label")
    y_empty = label.bounding_box()["y"]
    assert page.evaluate("getComputedStyle(document.querySelector('crowd-input').shadowRoot.querySelector('input'),"
                         " '::placeholder').color") == "rgba(0, 0, 0, 0)"
    page.locator("crowd-input").click()
    page.wait_for_timeout(200)
    assert label.bounding_box()["y"] < y_empty - 10
    page.keyboard.type("Oslo")
    page.mouse.click(600, 600)
    page.wait_for_timeout(200)
    assert label.bounding_box()["y"] < y_empty - 10


def test_allowed_pattern_filters_keystrokes_with_auto_validate(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-input name="digits" auto-validate allowed-pattern="[0-9]">
        </crowd-input><crowd-input name="free" allowed-pattern="[0-9]"></crowd-input></crowd-form>""")
    page.locator("crowd-input[name=digits]").click()
    page.keyboard.type("a1b2 3")
    page.locator("crowd-input[name=free]").click()
    page.keyboard.type("x9")
    assert answer_now(page) == {"digits": "123", "free": "x9"}


def test_max_length_min_length_and_error_message(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-input name="a" max-length="3"></crowd-input>
        <crowd-input name="b" min-length="4" auto-validate error-message="Four or more, please."></crowd-input>
        </crowd-form>""")
    page.locator("crowd-input[name=a]").click()
    page.keyboard.type("abcdef")
    page.locator("crowd-input[name=b]").click()
    page.keyboard.type("xy")
    assert page.locator("crowd-input[name=b] .crowd-error").inner_text() == "Four or more, please."
    submit(page)
    assert blocked(page)
    page.keyboard.type("zz")
    assert page.locator("crowd-input[name=b] .crowd-error").inner_text() == ""
    assert submit_and_read(page) == {"a": "abc", "b": "xyzz"}


def test_native_type_checks_date_and_number(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-input name="mail" type="email"></crowd-input>
        <crowd-input name="n" type="number" value="7"></crowd-input>
        <crowd-input name="d" type="date" label="Day"></crowd-input></crowd-form>""")
    page.locator("crowd-input[name=mail]").click()
    page.keyboard.type("not-an-address")
    submit(page)
    assert blocked(page)
    assert "mail:" in form_errors(page)
    page.locator("crowd-input[name=mail]").click()
    page.keyboard.press("Control+a")
    page.keyboard.type("a@b.example")
    page.locator("crowd-input[name=d] input").fill("2024-01-31")
    assert submit_and_read(page) == {"mail": "a@b.example", "n": "7", "d": "2024-01-31"}


def test_value_property_events_and_null_clears(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-input name="_customLabel"></crowd-input></crowd-form><script>
        window.events = [];
        const ci = document.querySelector('crowd-input');
        ci.addEventListener('input', (e) => events.push('input:' + e.target.value));
        ci.addEventListener('change', (e) => events.push('change:' + e.target.value));
        </script>""")
    page.locator("crowd-input").click()
    page.keyboard.type("ab")
    page.keyboard.press("Tab")
    assert page.evaluate("window.events") == ["input:a", "input:ab", "change:ab"]
    page.evaluate("document.querySelector('crowd-input').value = null")
    assert page.evaluate("document.querySelector('crowd-input').value") == ""
    assert answer_now(page) == {}


def test_disabled_input_and_auto_focus(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-input name="off" value="fixed" disabled></crowd-input>
        <crowd-input name="first" auto-focus></crowd-input></crowd-form>""")
    page.wait_for_function("document.activeElement && document.activeElement.getAttribute('name') === 'first'")
    page.keyboard.type("typed")
    assert page.locator("crowd-input[name=off] input").is_disabled()
    assert answer_now(page) == {"first": "typed"}


def test_created_from_script_with_properties_set_before_connection(open_crowd_page):
    page = open_crowd_page("<crowd-form></crowd-form>")
    page.evaluate("""() => {
        const el = document.createElement('crowd-input');
        el.setAttribute('name', 'late');
        el.value = 'set early';
        document.querySelector('crowd-form').form.prepend(el);
    }""")
    assert page.locator("crowd-input input").input_value() == "set early"
    assert submit_and_read(page) == {"late": "set early"}


def test_mistakenly_self_closed_input_still_shows_what_follows(open_crowd_page):
    page = open_crowd_page('<crowd-form><crowd-input name="a" /><p id="after">Visible text</p></crowd-form>')
    assert page.locator("#after").is_visible()


# ---------------------------------------------------------------- crowd-text-area


def test_ta1_multi_line_text(open_crowd_page):
    page = open_crowd_page('<crowd-form><crowd-text-area name="transcription" label="Transcript">'
                           '</crowd-text-area></crowd-form>')
    page.locator("crowd-text-area").click()
    page.keyboard.type("a")
    page.keyboard.press("Enter")
    page.keyboard.type("b")
    screenshot(page, "crowd-text-area")
    assert submit_and_read(page) == {"transcription": "a\nb"}


def test_text_area_grows_to_max_rows_counts_and_limits(open_crowd_page):
    page = open_crowd_page('<crowd-form><crowd-text-area name="t" rows="2" max-rows="4" max-length="40" char-counter>'
                           '</crowd-text-area><crowd-text-area name="e"></crowd-text-area></crowd-form>')
    area = page.locator("crowd-text-area[name=t] textarea")
    h2 = area.bounding_box()["height"]
    page.locator("crowd-text-area[name=t]").click()
    for word in ["one", "two", "three"]:
        page.keyboard.type(word)
        page.keyboard.press("Enter")
    h4 = area.bounding_box()["height"]
    assert h4 > h2 + 30
    for word in ["four", "five", "six"]:
        page.keyboard.type(word)
        page.keyboard.press("Enter")
    assert area.bounding_box()["height"] == h4  # stops at max-rows, then scrolls
    assert page.evaluate("getComputedStyle(document.querySelector('crowd-text-area').shadowRoot"
                         ".querySelector('textarea')).overflowY") == "auto"
    assert page.locator("crowd-text-area[name=t] .counter").inner_text() == "28/40"
    page.keyboard.type("x" * 30)
    assert len(answer_now(page)["t"]) == 40
    assert "e" not in answer_now(page)


def test_text_area_value_set_from_script_normalises_line_breaks(open_crowd_page):
    page = open_crowd_page('<crowd-form><crowd-text-area name="t"></crowd-text-area></crowd-form>')
    page.evaluate("document.querySelector('crowd-text-area').value = 'x\\r\\ny\\rz'")
    assert submit_and_read(page) == {"t": "x\ny\nz"}


# ---------------------------------------------------------------- crowd-checkbox


def test_cb1_cb2_checkboxes(open_crowd_page):
    page = open_crowd_page("""<crowd-form>
        <crowd-checkbox name="image_attributes" value="blurry">Blurry</crowd-checkbox>
        <crowd-checkbox name="image_attributes" value="dim">Dim</crowd-checkbox>
        <crowd-checkbox name="image_attributes" value="exposed">Exposed</crowd-checkbox>
        <crowd-checkbox name="website-found">Website Found</crowd-checkbox></crowd-form>""")
    page.get_by_text("Blurry").click()  # the label text toggles
    page.locator("crowd-checkbox[value=dim] input").focus()
    page.keyboard.press("Space")
    screenshot(page, "crowd-checkbox")
    assert submit_and_read(page) == {
        "image_attributes": {"blurry": True, "dim": True, "exposed": False}, "website-found": {"on": False}}


def test_cb3_required_checkbox_blocks(open_crowd_page):
    page = open_crowd_page('<crowd-form><crowd-checkbox name="ok" required>Agree</crowd-checkbox></crowd-form>')
    submit(page)
    assert blocked(page)
    assert "Agree: Check this box to continue." in form_errors(page)
    page.locator("crowd-checkbox").click()
    assert submit_and_read(page) == {"ok": {"on": True}}


def test_checkbox_api_and_change_event(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-checkbox name="c" value="v" checked="false">C</crowd-checkbox></crowd-form>
        <script>window.changes = 0; document.querySelector('crowd-checkbox').onchange = () => changes++;</script>""")
    assert page.evaluate("document.querySelector('crowd-checkbox').checked") is True  # presence means true (Q 3)
    page.locator("crowd-checkbox").click()
    assert page.evaluate("[document.querySelector('crowd-checkbox').checked, window.changes]") == [False, 1]
    page.evaluate("document.querySelector('crowd-checkbox').click()")
    assert page.evaluate("document.querySelector('crowd-checkbox').checked") is True
    assert page.evaluate("document.querySelector('crowd-checkbox').value") == "v"


def test_disabling_crowd_checkboxes_from_a_native_radio(open_crowd_page):
    # Spec 4.11 pattern 8.
    page = open_crowd_page("""<crowd-form>
        <label><input type="radio" name="has" value="yes"> Yes</label>
        <label><input type="radio" name="has" value="no"> No</label>
        <crowd-checkbox name="kind" value="a" disabled>A</crowd-checkbox>
        <crowd-checkbox name="kind" value="b" disabled>B</crowd-checkbox></crowd-form>
        <script>
        for (const r of document.querySelectorAll('input[name=has]')) r.addEventListener('change', () => {
          for (const c of document.querySelectorAll('crowd-checkbox')) c.disabled = r.value !== 'yes';
        });
        </script>""")
    page.locator("crowd-checkbox", has_text="A").click(force=True)
    assert page.evaluate("document.querySelector('crowd-checkbox').checked") is False
    page.get_by_label("Yes").check()
    assert page.evaluate("document.querySelector('crowd-checkbox').hasAttribute('disabled')") is False
    page.locator("crowd-checkbox", has_text="A").click()
    assert submit_and_read(page) == {"has": {"yes": True, "no": False}, "kind": {"a": True, "b": False}}


# ---------------------------------------------------------------- crowd-radio-group / crowd-radio-button


def test_rb1_radio_group_is_exclusive(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-radio-group>
        <crowd-radio-button name="tech" value="tech">Technology</crowd-radio-button>
        <crowd-radio-button name="politics" value="politics">Politics</crowd-radio-button>
        </crowd-radio-group></crowd-form>""")
    page.get_by_text("Politics").click()
    page.get_by_text("Technology").click()
    screenshot(page, "crowd-radio-group")
    assert submit_and_read(page) == {"politics": {"politics": False}, "tech": {"tech": True}}


def test_rb2_default_value_and_keyboard(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-radio-group>
        <crowd-radio-button name="q.0">A</crowd-radio-button><crowd-radio-button name="q.1">B</crowd-radio-button>
        <crowd-radio-button name="q.2" disabled>C</crowd-radio-button><crowd-radio-button name="q.3">D</crowd-radio-button>
        </crowd-radio-group></crowd-form>
        <script>window.changes = [];
        document.addEventListener('change', (e) => changes.push(e.target.getAttribute('name')));</script>""")
    page.locator("crowd-radio-button[name='q.0'] .radio").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    # q.2 is disabled: it contributes nothing (Q 8).
    assert answer_now(page) == {"q.0": {"on": False}, "q.1": {"on": True}, "q.3": {"on": False}}
    page.keyboard.press("ArrowDown")  # skips the disabled button
    assert answer_now(page)["q.3"] == {"on": True}
    page.keyboard.press("ArrowDown")  # wraps around
    assert answer_now(page)["q.0"] == {"on": True}
    assert page.evaluate("window.changes") == ["q.0", "q.1", "q.3", "q.0"]
    page.locator("crowd-radio-button[name='q.2']").click(force=True)
    assert answer_now(page)["q.0"] == {"on": True}


def test_radio_buttons_outside_a_group_sharing_a_name(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-radio-button name="size" value="s">S</crowd-radio-button>
        <crowd-radio-button name="size" value="m" checked>M</crowd-radio-button>
        <crowd-radio-button name="other">O</crowd-radio-button></crowd-form>""")
    assert answer_now(page) == {"size": {"s": False, "m": True}, "other": {"on": False}}
    page.get_by_text("S", exact=True).click()
    assert answer_now(page) == {"size": {"s": True, "m": False}, "other": {"on": False}}
    page.evaluate("document.querySelector('crowd-radio-button[name=other]').checked = true")
    assert answer_now(page)["size"] == {"s": True, "m": False}


# ---------------------------------------------------------------- crowd-slider


def slider_x(page, value, lo, hi):
    """Screen x of the thumb centre for `value` on the slider's native range input."""
    box = page.locator("crowd-slider input").bounding_box()
    return box["x"] + 8 + (value - lo) / (hi - lo) * (box["width"] - 16), box["y"] + box["height"] / 2


def test_sl1_drag_the_knob_with_the_mouse(open_crowd_page):
    page = open_crowd_page('<crowd-form><crowd-slider name="howMuch" min="1" max="10" step="1" pin>'
                           '</crowd-slider></crowd-form>')
    x0, y = slider_x(page, 1, 1, 10)
    x7, _ = slider_x(page, 7, 1, 10)
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move(x7, y, steps=8)
    pin = page.locator("crowd-slider .pin")
    assert pin.is_visible()
    assert pin.inner_text() == "7"
    screenshot(page, "crowd-slider")
    page.mouse.up()
    assert submit_and_read(page) == {"howMuch": 7}


def test_sl2_preset_value_and_defaults(open_crowd_page):
    page = open_crowd_page('<crowd-form><crowd-slider name="o" value="50"></crowd-slider>'
                           '<crowd-slider name="d" min="3"></crowd-slider><crowd-slider name="bad" value="x">'
                           '</crowd-slider></crowd-form>')
    assert submit_and_read(page) == {"o": 50, "d": 3, "bad": 0}


def test_slider_keyboard_fractional_step_editable_buttons_and_events(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-slider name="r" min="0" max="1" step="0.1" value="0.2" editable required>
        </crowd-slider></crowd-form><script>window.changes = [];
        document.querySelector('crowd-slider').onchange = (e) => changes.push(e.target.value);</script>""")
    page.locator("crowd-slider input").focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.querySelector('crowd-slider').value") == pytest.approx(0.3)
    page.locator("crowd-slider .up").click()
    page.locator("crowd-slider .up").click()
    page.locator("crowd-slider .down").click()
    assert page.locator("crowd-slider .value").inner_text() == "0.4"
    assert page.evaluate("window.changes") == [0.3, 0.4, 0.5, 0.4]
    assert submit_and_read(page) == {"r": 0.4}


def test_slider_labels_secondary_progress_and_self_closing(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-slider name="q" min="1" max="5" value="2" secondary-progress="4" required pin/>
        <crowd-slider-label position="1">Bad</crowd-slider-label><crowd-slider-label position="5">Good</crowd-slider-label>
        <p id="after">After the slider</p></crowd-form>""")
    ticks = page.locator("crowd-slider .tick")
    assert ticks.all_inner_texts() == ["Bad", "Good"]
    assert ticks.nth(0).bounding_box()["x"] < ticks.nth(1).bounding_box()["x"] - 300
    assert page.locator("#after").is_visible()
    assert not page.locator("crowd-slider-label").first.is_visible()
    track = page.evaluate("document.querySelector('crowd-slider').shadowRoot.querySelector('input')"
                          ".style.getPropertyValue('--track')")
    assert "25% 75%" in track
    page.evaluate("document.querySelector('crowd-slider').value = 5")
    assert submit_and_read(page) == {"q": 5}
