"""crowd-form (spec 4): structure, the automatic Submit button, the submission sequence, serialisation
of crowd and native controls, validation and preview mode. Conformance ids from spec section 9."""

from __future__ import annotations

from tests.browser.helpers import announced, blocked, form_errors, preview_answer, screenshot, submit, submit_and_read

EXAMPLE_4_10 = """
<crowd-form>
  <crowd-classifier name="sentiment" categories="['Positive', 'Negative']" header="Tone?">
    <classification-target>Great phone, awful battery.</classification-target>
  </crowd-classifier>
  <crowd-checkbox name="flags" value="sarcasm">Sarcastic</crowd-checkbox>
  <crowd-checkbox name="flags" value="spam">Spam</crowd-checkbox>
  <crowd-input name="note"></crowd-input>
  <select name="confidence"><option value="">--</option><option>high</option><option>low</option></select>
  <input type="hidden" name="_" value="ignored-first">
  <input type="hidden" name="_" value="_">
</crowd-form>"""


def test_spec_example_4_10(open_crowd_page):
    page = open_crowd_page(EXAMPLE_4_10)
    page.locator("crowd-classifier .category", has_text="Negative").click()
    page.locator("crowd-checkbox", has_text="Sarcastic").click()
    page.locator("select[name=confidence]").select_option("low")
    page.locator("crowd-classifier crowd-button.tool-submit").click()
    assert preview_answer(page) == {
        "_": "_", "confidence": "low", "flags": {"sarcasm": True, "spam": False}, "sentiment": {"label": "Negative"}}
    # A tool draws its own Submit button: crowd-form appended none (Q 4).
    assert page.locator("crowd-form crowd-button[form-action=submit]").count() == 0
    screenshot(page, "crowd-form-example-4-10")


def test_structure_inner_form_and_open_shadow_root(open_crowd_page):
    page = open_crowd_page('<crowd-form id="f"><p id="para">Text</p><crowd-input name="a"></crowd-input></crowd-form>')
    info = page.evaluate("""() => {
        const f = document.getElementById('f');
        return {
          mode: f.shadowRoot.mode,
          onlyChildIsForm: f.children.length === 1 && f.children[0].localName === 'form',
          formProp: f.form === f.querySelector('form'),
          novalidate: f.form.noValidate,
          paraInForm: document.getElementById('para').parentElement === f.form,
          answersBox: !!f.shadowRoot.querySelector('#answers-box'),
          answersHidden: f.shadowRoot.querySelector('#answers-box').hidden,
        };
    }""")
    assert info == {"mode": "open", "onlyChildIsForm": True, "formProp": True, "novalidate": True,
                    "paraInForm": True, "answersBox": True, "answersHidden": True}


def test_g1_empty_form_gets_one_automatic_submit_button(open_crowd_page):
    page = open_crowd_page("<crowd-form></crowd-form>")
    buttons = page.locator("crowd-form crowd-button[form-action=submit]")
    assert buttons.count() == 1
    assert buttons.get_attribute("variant") == "primary"
    assert buttons.inner_text().strip() == "Submit"
    buttons.click()
    assert preview_answer(page) == {}
    screenshot(page, "crowd-form-empty")


def test_g2_hidden_submit_button_suppresses_the_automatic_one(open_crowd_page):
    page = open_crowd_page('<crowd-form><crowd-button form-action="submit" style="display:none"></crowd-button>'
                           '<crowd-input name="x" value="1"></crowd-input></crowd-form>')
    assert page.locator("crowd-form crowd-button[form-action=submit]").count() == 1
    page.evaluate("document.querySelector('crowd-form').submit()")
    assert preview_answer(page) == {"x": "1"}


def test_g3_answer_prepared_in_onsubmit_is_a_string(open_crowd_page):
    page = open_crowd_page("""
        <crowd-form><input type="hidden" id="a" name="instances" value="[]"></crowd-form>
        <script>
          document.querySelector('crowd-form').onsubmit = () => { a.value = JSON.stringify([{x: 1}]); };
        </script>""")
    assert submit_and_read(page) == {"instances": '[{"x":1}]'}


def test_g4_onsubmit_prevent_default_blocks_silently(open_crowd_page):
    page = open_crowd_page("""
        <crowd-form><crowd-input name="t" required></crowd-input></crowd-form>
        <script>
          window.block = (e) => e.preventDefault();
          document.querySelector('crowd-form').addEventListener('submit', window.block);
        </script>""")
    page.locator("crowd-input").click()
    page.keyboard.type("a")
    submit(page)
    page.wait_for_timeout(100)
    assert blocked(page)
    assert form_errors(page) == ""
    page.evaluate("document.querySelector('crowd-form').removeEventListener('submit', window.block)")
    assert submit_and_read(page) == {"t": "a"}


def test_g5_external_button_calls_submit_and_onsubmit_runs(open_crowd_page):
    page = open_crowd_page("""
        <button id="mine">Send</button>
        <crowd-form>
          <crowd-button form-action="submit" style="display: none;"></crowd-button>
          <textarea id="notes">typed notes</textarea>
          <input type="hidden" name="annotations">
        </crowd-form>
        <script>
          const crowdForm = document.querySelector('crowd-form');
          crowdForm.onsubmit = () => {
            document.querySelector('input[name=annotations]').value = document.getElementById('notes').value;
          };
          document.getElementById('mine').onclick = () => crowdForm.submit();
        </script>""")
    page.locator("#mine").click()
    assert preview_answer(page) == {"annotations": "typed notes"}


def test_g6_hidden_input_last_wins(open_crowd_page):
    page = open_crowd_page("""<crowd-form><select name="_"><option>PERSON</option></select>
        <crowd-input name="_" value="typed"></crowd-input><input type="hidden" name="_" value="_"></crowd-form>""")
    assert submit_and_read(page) == {"_": "_"}


def test_g7_required_native_radio_blocks_then_serialises_as_boolean_map(open_crowd_page):
    page = open_crowd_page("""<crowd-form>
        <label><input type="radio" name="animal-type" value="cat" required> Cat</label>
        <label><input type="radio" name="animal-type" value="dog"> Dog</label>
        <label><input type="radio" name="animal-type" value="unknown"> Unknown</label></crowd-form>""")
    submit(page)
    assert blocked(page)
    assert "Cat" in form_errors(page)
    page.get_by_label("Dog").check()
    assert submit_and_read(page) == {"animal-type": {"cat": False, "dog": True, "unknown": False}}


def test_g8_nested_native_form_does_not_navigate(open_crowd_page):
    page = open_crowd_page("""<crowd-form><form action=""><select name="clarity"><option value="">-</option>
        <option value="Yes">Yes</option></select><crowd-button form-action="submit">Submit</crowd-button></form>
        </crowd-form>""")
    url = page.url
    assert page.locator("crowd-form crowd-button[form-action=submit]").count() == 1
    page.locator("select[name=clarity]").select_option("Yes")
    submit(page)
    assert preview_answer(page) == {"clarity": "Yes"}
    assert page.url == url


def test_native_submit_button_and_enter_key_run_the_crowd_sequence(open_crowd_page):
    page = open_crowd_page("""<crowd-form><form><input name="q" required><button id="go">Go</button></form>
        </crowd-form><script>window.submits = 0;
        document.querySelector('crowd-form').addEventListener('submit', () => window.submits++);</script>""")
    url = page.url
    page.locator("input[name=q]").click()
    page.keyboard.type("hello")
    page.keyboard.press("Enter")
    assert preview_answer(page) == {"q": "hello"}
    assert page.evaluate("window.submits") == 1
    assert page.url == url


def test_g9_native_button_calling_submit_hands_off_once(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-input name="v" value="x"></crowd-input>
        <button id="b" onclick="document.querySelector('crowd-form').submit()">Send</button></crowd-form>""")
    page.locator("#b").click()
    preview_answer(page)
    page.wait_for_timeout(200)
    assert announced(page) == [{"v": "x"}]


def test_g11_preview_shows_the_answer_array(open_crowd_page):
    page = open_crowd_page('<crowd-form><crowd-input name="w" value="http://x.example"></crowd-input></crowd-form>')
    submit(page)
    text = page.evaluate(
        "document.querySelector('crowd-form').shadowRoot.querySelector('#answers-box').textContent")
    assert text == '[\n  {\n    "w": "http://x.example"\n  }\n]'
    screenshot(page, "crowd-form-preview")


def test_g14_last_text_area_with_a_name_wins(open_crowd_page):
    page = open_crowd_page('<crowd-form><crowd-text-area name="p1" value="a"></crowd-text-area>'
                           '<crowd-text-area name="p1" value="b"></crowd-text-area></crowd-form>')
    assert submit_and_read(page) == {"p1": "b"}


def test_g15_disabled_controls_contribute_nothing(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-checkbox name="n" value="x" disabled checked>N</crowd-checkbox>
        <input name="d" value="v" disabled><fieldset disabled><input name="f" value="v"></fieldset>
        <crowd-input name="ci" value="v" disabled></crowd-input><input name="kept" value="k"></crowd-form>""")
    assert submit_and_read(page) == {"kept": "k"}


def test_native_controls_serialise_per_spec(open_crowd_page):
    page = open_crowd_page("""<crowd-form>
        <input type="checkbox" name="box"><input type="checkbox" name="opts" value="a" checked>
        <input type="checkbox" name="opts" value="b">
        <input type="text" name="empty"><input type="number" name="num" value="5"><input type="date" name="day">
        <select name="many" multiple><option value="1" selected>one</option><option value="2">two</option>
        <option value="3" selected>three</option></select><select name="none" multiple><option>x</option></select>
        <textarea name="ta"></textarea><input type="button" name="btn" value="x"><button name="b2" value="y">B</button>
        <input type="file" name="upload"><span name="not-a-control">x</span>
        </crowd-form>""")
    page.locator("textarea[name=ta]").click()
    page.keyboard.type("line 1")
    page.keyboard.press("Enter")
    page.keyboard.type("line 2")
    page.locator("input[name=day]").fill("2024-05-06")
    assert page.evaluate("document.querySelector('crowd-form').collectAnswer()") == {
        "box": {"on": False}, "opts": {"a": True, "b": False}, "num": "5", "day": "2024-05-06",
        "many": ["1", "3"], "ta": "line 1\nline 2"}
    page.evaluate("document.querySelector('crowd-form').submit()")
    assert preview_answer(page)["ta"] == "line 1\nline 2"
    assert "not supported" in open_crowd_page.console_text("warning")


def test_checkable_contribution_replaces_an_earlier_value_and_keys_are_verbatim(open_crowd_page):
    page = open_crowd_page("""<crowd-form><input name="x" value="text"><crowd-checkbox name="x" value="v" checked>
        </crowd-checkbox><input name="Change Reason1" value="r"><input name="a.b/c" value="d">
        <input name="__proto__" value="safe"></crowd-form>""")
    answer = submit_and_read(page)
    assert answer == {"x": {"v": True}, "Change Reason1": "r", "a.b/c": "d", "__proto__": "safe"}


def test_dynamically_created_native_checkboxes_are_serialised(open_crowd_page):
    # Spec 4.11 pattern 6 (the dynamic two-tier classification sample).
    page = open_crowd_page("""<crowd-form><reasons-container></reasons-container>
        <crowd-button form-action="submit">Send</crowd-button></crowd-form>
        <script>
        document.addEventListener('all-crowd-elements-ready', () => {
          const box = document.querySelector('reasons-container');
          for (const q of ['Too short', 'Off topic']) {
            const label = document.createElement('label');
            label.innerHTML = `<input type="checkbox" name="reasons" value="${q}"> ${q}`;
            box.appendChild(label);
          }
        });
        </script>""")
    page.get_by_label("Off topic").check()
    assert submit_and_read(page) == {"reasons": {"Too short": False, "Off topic": True}}


def test_controls_appended_to_the_inner_form_and_outside_the_form(open_crowd_page):
    page = open_crowd_page("""<input name="outside" value="no"><crowd-form></crowd-form><script>
        const extra = document.createElement('crowd-input');
        extra.setAttribute('name', 'added');
        extra.value = 'yes';
        document.querySelector('crowd-form').form.appendChild(extra);</script>""")
    assert submit_and_read(page) == {"added": "yes"}


def test_validation_blocks_with_visible_messages_and_focuses_the_first_problem(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-input name="who" label="Your name" required></crowd-input>
        <crowd-checkbox name="ok" required>I agree</crowd-checkbox>
        <crowd-text-area name="why" required error-message="Tell us why."></crowd-text-area></crowd-form>""")
    submit(page)
    assert blocked(page)
    banner = form_errors(page)
    assert "Your name: This field is required." in banner
    assert "I agree: Check this box to continue." in banner
    assert "why: Tell us why." in banner
    assert page.evaluate("document.activeElement.localName") == "crowd-input"
    assert page.locator("crowd-input .crowd-error").inner_text() == "This field is required."
    screenshot(page, "crowd-form-validation")
    page.keyboard.type("Ann")
    assert page.locator("crowd-input .crowd-error").inner_text() == ""
    assert "Your name" not in form_errors(page)
    page.locator("crowd-checkbox").click()
    page.locator("crowd-text-area").click()
    page.keyboard.type("because")
    assert form_errors(page) == ""
    assert submit_and_read(page) == {"who": "Ann", "ok": {"on": True}, "why": "because"}


def test_submit_event_fires_once_before_serialisation_with_onsubmit_attribute(open_crowd_page):
    page = open_crowd_page("""<crowd-form onsubmit="window.order.push('attr'); hidden1.value = 'filled'">
        <input type="hidden" id="hidden1" name="h"></crowd-form>
        <script>window.order = [];
        document.addEventListener('submit', (e) => window.order.push('doc:' + e.target.localName));</script>""")
    assert submit_and_read(page) == {"h": "filled"}
    assert page.evaluate("window.order") == ["attr", "doc:crowd-form"]


def test_d3_onsubmit_validation_with_inserted_alert(open_crowd_page):
    page = open_crowd_page("""<crowd-form><div id="errorBox"></div><crowd-input name="n"></crowd-input></crowd-form>
        <script>
        document.querySelector('crowd-form').onsubmit = (e) => {
          if (document.querySelector('crowd-input').value !== 'ok') {
            e.preventDefault();
            errorBox.innerHTML = '<crowd-alert type="error" dismissible>Fix it</crowd-alert>';
            errorBox.scrollIntoView();
          }
        };
        </script>""")
    submit(page)
    alert = page.locator("#errorBox crowd-alert")
    alert.wait_for()
    assert blocked(page)
    assert page.evaluate("document.querySelector('crowd-alert').shadowRoot.querySelector('.alert').className") == "alert error"
    assert page.locator("crowd-alert .dismiss").is_visible()
    page.locator("crowd-alert .dismiss").click()
    assert not alert.is_visible()
    page.locator("crowd-input").click()
    page.keyboard.type("ok")
    assert submit_and_read(page) == {"n": "ok"}


def test_d4_reset_button_restores_initial_values(open_crowd_page):
    page = open_crowd_page("""<crowd-form>
        <short-instructions><input name="side" value="s0"></short-instructions>
        <crowd-input name="a" value="start"></crowd-input><crowd-checkbox name="c" checked>C</crowd-checkbox>
        <crowd-slider name="s" value="3" max="10"></crowd-slider><input name="n" value="n0">
        <crowd-radio-group><crowd-radio-button name="r1" checked>One</crowd-radio-button>
        <crowd-radio-button name="r2">Two</crowd-radio-button></crowd-radio-group>
        <crowd-classifier name="k" categories="['x','y']"></crowd-classifier>
        <crowd-button form-action="reset">Reset</crowd-button></crowd-form>""")
    initial = page.evaluate("document.querySelector('crowd-form').collectAnswer()")
    page.locator("crowd-input").click()
    page.keyboard.type(" more")
    page.locator("crowd-checkbox").click()
    page.locator("crowd-slider input").focus()
    page.keyboard.press("ArrowRight")
    page.locator("input[name=n]").fill("changed")
    page.locator("input[name=side]").fill("changed")
    page.locator("crowd-radio-button", has_text="Two").click()
    page.locator("crowd-classifier .category", has_text="y").click()
    assert page.evaluate("document.querySelector('crowd-form').collectAnswer()") != initial
    page.locator("crowd-button[form-action=reset]").click()
    assert page.evaluate("document.querySelector('crowd-form').collectAnswer()") == initial


def test_form_level_instructions_regions_get_a_pane_and_dialog(open_crowd_page):
    page = open_crowd_page("""<crowd-form>
        <short-instructions header="How to">Read carefully. <crowd-input name="_customLabel"></crowd-input></short-instructions>
        <full-instructions header="All the rules"><p id="rules">Long rules.</p></full-instructions>
        <crowd-input name="answer" value="42"></crowd-input></crowd-form>""")
    nav = page.locator("crowd-form .awsui-app-layout__navigation")
    assert nav.is_visible()
    assert "How to" in nav.inner_text()
    assert not page.locator("#rules").is_visible()
    page.locator("crowd-form .full-instructions-link").click()
    assert page.locator("crowd-form .awsui-modal-dialog").get_attribute("open") is not None
    assert page.locator("#rules").is_visible()
    assert page.locator("crowd-form .modal-title").inner_text() == "All the rules"
    screenshot(page, "crowd-form-instructions")
    page.keyboard.press("Escape")
    assert not page.locator("#rules").is_visible()
    page.locator("short-instructions crowd-input").click()
    page.keyboard.type("hand")
    assert submit_and_read(page) == {"_customLabel": "hand", "answer": "42"}


def test_answer_format_flatten_objects_is_ignored_in_ground_truth_mode(open_crowd_page):
    # G-10, Ground Truth half: the answer stays nested.
    page = open_crowd_page('<crowd-form answer-format="flatten-objects">'
                           '<crowd-checkbox name="q.0" checked>Q</crowd-checkbox></crowd-form>')
    assert submit_and_read(page) == {"q.0": {"on": True}}


def test_submission_is_idempotent_in_preview(open_crowd_page):
    page = open_crowd_page('<crowd-form><crowd-input name="a" value="1"></crowd-input></crowd-form>')
    submit(page)
    preview_answer(page)
    page.evaluate("document.querySelector('crowd-form').submit()")
    page.wait_for_timeout(100)
    assert announced(page) == [{"a": "1"}]


def test_undefined_or_nested_entity_annotation_tools_do_not_suppress_the_submit_button(open_crowd_page):
    page = open_crowd_page('<crowd-form><crowd-keypoint-unknown></crowd-keypoint-unknown>'
                           '<crowd-entity-annotation name="e"></crowd-entity-annotation></crowd-form>')
    assert page.locator("crowd-form crowd-button[form-action=submit]").count() == 1
