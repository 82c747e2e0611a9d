"""crowd-classifier (5.7) and crowd-image-classifier (5.12): the tool layout with its instructions
pane and dialog, choosing with mouse and keys, dynamic categories, worker comments and overlays.
Checklist CL-1, CL-2, IC-1, IC-2, G-13 and the AWS sample patterns of 4.11."""

from __future__ import annotations

from tests.browser.helpers import announced, blocked, form_errors, preview_answer, screenshot, submit_and_read

CLASSIFIER = """<crowd-form><crowd-classifier name="intent" categories="['buy','eat']" header="What does the user want?">
  <classification-target><p id="target">I am hungry</p></classification-target>
  <short-instructions header="Quick guide"><p>Pick the intent.</p>
    <crowd-input name="_customLabel" label="Other intent"></crowd-input></short-instructions>
  <full-instructions header="Intent guide"><p id="full">Everything about intents.</p></full-instructions>
</crowd-classifier></crowd-form>
<script>window.changes = [];
const classifier = document.querySelector('crowd-classifier');
classifier.addEventListener('change', (e) => { if (e.target === classifier) changes.push(e.target.value); });</script>"""


def tool_submit(page, tool="crowd-classifier"):
    page.locator(f"{tool} crowd-button.tool-submit").click()


def test_cl1_choose_with_the_mouse(open_crowd_page):
    page = open_crowd_page(CLASSIFIER)
    assert page.locator("crowd-classifier .tool-header").inner_text() == "What does the user want?"
    assert page.locator("#target").is_visible()
    page.locator("crowd-classifier .category", has_text="buy").click()
    page.locator("crowd-classifier .category", has_text="eat").click()
    assert page.evaluate("window.changes") == ["buy", "eat"]
    assert page.evaluate("document.querySelector('crowd-classifier').value") == "eat"
    screenshot(page, "crowd-classifier")
    tool_submit(page)
    assert preview_answer(page) == {"intent": {"label": "eat"}}
    assert page.locator("crowd-form crowd-button[form-action=submit]").count() == 0


def test_cl2_submit_without_a_choice_is_blocked_with_a_message(open_crowd_page):
    page = open_crowd_page(CLASSIFIER)
    tool_submit(page)
    assert blocked(page)
    assert page.locator("crowd-classifier .category-picker-wrapper .crowd-error").inner_text() == "Choose a category."
    assert "What does the user want?: Choose a category." in form_errors(page)
    assert page.evaluate("document.activeElement.localName") == "crowd-classifier"
    page.keyboard.press("Space")  # the first category has the focus
    assert page.locator("crowd-classifier .category-picker-wrapper .crowd-error").inner_text() == ""
    tool_submit(page)
    assert preview_answer(page) == {"intent": {"label": "buy"}}


def test_number_keys_and_arrow_keys_choose(open_crowd_page):
    page = open_crowd_page(CLASSIFIER)
    page.keyboard.press("2")
    assert page.evaluate("document.querySelector('crowd-classifier').value") == "eat"
    page.keyboard.press("3")  # no third category
    assert page.evaluate("document.querySelector('crowd-classifier').value") == "eat"
    page.locator("short-instructions crowd-input").click()
    page.keyboard.type("1 more")  # typing in a field is not a shortcut
    assert page.evaluate("document.querySelector('crowd-classifier').value") == "eat"
    page.locator("crowd-classifier .category", has_text="eat").focus()
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.querySelector('crowd-classifier').value") == "buy"
    assert page.evaluate("window.changes") == ["eat", "buy"]
    tool_submit(page)
    # G-13: a helper input inside a region of the tool is part of the answer.
    assert preview_answer(page) == {"intent": {"label": "buy"}, "_customLabel": "1 more"}


def test_instructions_pane_and_full_instructions_dialog(open_crowd_page):
    page = open_crowd_page(CLASSIFIER + """<script>
      document.addEventListener('all-crowd-elements-ready', () => {
        const c = document.querySelector('crowd-classifier');
        c.shadowRoot.querySelector('.awsui-app-layout__navigation').style.width = '400px';
        c.shadowRoot.querySelector('.awsui-modal-dialog').style.maxWidth = '90%';
      });</script>""")
    nav = page.locator("crowd-classifier .awsui-app-layout__navigation")
    assert nav.bounding_box()["width"] == 400
    assert page.locator("crowd-classifier .instructions-title").inner_text() == "Quick guide"
    assert not page.locator("#full").is_visible()
    page.locator("crowd-classifier .full-instructions-link").click()
    assert page.locator("#full").is_visible()
    assert page.locator("crowd-classifier .modal-title").inner_text() == "Intent guide"
    screenshot(page, "crowd-classifier-full-instructions")
    page.locator("crowd-classifier .modal-close").click()
    assert not page.locator("#full").is_visible()


def test_dynamic_categories_and_the_two_tier_sample_pattern(open_crowd_page):
    # The AWS dynamic two-tier sample: a card inserted after .category-picker-wrapper in the shadow root,
    # categories replaced from script, change events creating native checkboxes in the light DOM.
    page = open_crowd_page("""<crowd-form>
        <crowd-classifier name="quality" categories="['placeholder']" header="Rate it">
          <classification-target>Some response</classification-target></crowd-classifier>
        <reasons-container></reasons-container></crowd-form>
        <script>
        document.addEventListener('all-crowd-elements-ready', function () {
          const container = document.querySelector('crowd-classifier').shadowRoot
            .querySelector('.annotation-area .category-picker-wrapper');
          const box = document.querySelector('reasons-container');
          const card = document.createElement('crowd-card');
          card.innerHTML = 'Depending on your selection, there may be additional questions';
          customElements.whenDefined('crowd-classifier').then(() => {
            container.insertAdjacentElement('afterend', card);
            const c = document.querySelector('crowd-classifier');
            c.categories = ['Good', 'Poor'];
            c.addEventListener('change', (e) => {
              box.innerHTML = '';
              for (const q of e.target.value === 'Poor' ? ['Off-topic', 'Wrong'] : ['Clear']) {
                const input = document.createElement('input');
                input.type = 'checkbox'; input.name = 'reasons'; input.value = q;
                box.appendChild(input);
              }
              card.textContent = 'Questions for ' + e.target.value;
            });
          });
        });
        </script>""")
    page.wait_for_function("document.querySelector('crowd-classifier').categories.length === 2")
    assert page.locator("crowd-classifier .category").all_inner_texts() == ["Good", "Poor"]
    assert page.evaluate("document.querySelector('crowd-classifier').getAttribute('categories')") == "['placeholder']"
    page.locator("crowd-classifier .category", has_text="Poor").click()
    assert page.locator("crowd-classifier crowd-card").inner_text() == "Questions for Poor"
    page.evaluate("document.querySelector('input[value=Wrong]').checked = true")
    # Replacing the categories again keeps the inserted card and the choice (still offered).
    page.evaluate("document.querySelector('crowd-classifier').categories = ['Poor', 'Excellent']")
    assert page.locator("crowd-classifier crowd-card").is_visible()
    assert page.evaluate("document.querySelector('crowd-classifier').value") == "Poor"
    screenshot(page, "crowd-classifier-two-tier")
    tool_submit(page)
    assert preview_answer(page) == {"quality": {"label": "Poor"}, "reasons": {"Off-topic": False, "Wrong": True}}


def test_categories_attribute_change_replaces_the_property_and_filtering_follows(open_crowd_page):
    page = open_crowd_page('<crowd-form><crowd-classifier name="c" categories="[\'a\', \'b\']"></crowd-classifier>'
                           '</crowd-form>')
    page.evaluate("const c = document.querySelector('crowd-classifier'); c.categories = c.categories.concat(['x'])")
    assert page.locator("crowd-classifier .category .text").all_inner_texts() == ["a", "b", "x"]
    page.locator("crowd-classifier .category", has_text="x").click()
    page.evaluate("const c = document.querySelector('crowd-classifier'); c.categories = c.categories.filter(v => v !== 'x')")
    assert page.evaluate("document.querySelector('crowd-classifier').value") == ""
    page.evaluate("document.querySelector('crowd-classifier').setAttribute('categories', '[\"p\", \"q\"]')")
    assert page.locator("crowd-classifier .category .text").all_inner_texts() == ["p", "q"]
    page.keyboard.press("1")
    assert submit_and_read_tool(page) == {"c": {"label": "p"}}


def submit_and_read_tool(page, tool="crowd-classifier"):
    tool_submit(page, tool)
    return preview_answer(page)


def test_malformed_categories_do_not_crash(open_crowd_page):
    page = open_crowd_page('<crowd-form><crowd-classifier name="c" categories="not json"></crowd-classifier>'
                           '<crowd-input name="i" value="v"></crowd-input></crowd-form>')
    assert page.locator("crowd-classifier .empty").inner_text() == "No categories."
    errors = open_crowd_page.console_text("error")
    assert "<crowd-classifier> attribute \"categories\"" in errors
    tool_submit(page)
    assert blocked(page)
    assert "There are no categories to choose from." in form_errors(page)


def test_classifier_outside_a_form_submits_on_its_own(open_crowd_page):
    page = open_crowd_page('<crowd-classifier name="solo" categories="[\'x\', \'y\']"></crowd-classifier>')
    tool_submit(page)
    page.wait_for_timeout(100)
    assert announced(page) == []
    assert page.locator("crowd-classifier .category-picker-wrapper .crowd-error").inner_text() == "Choose a category."
    page.locator("crowd-classifier .category", has_text="y").click()
    tool_submit(page)
    page.wait_for_function("window.__crowdAnswers.length === 1")
    assert announced(page) == [{"solo": {"label": "y"}}]
    assert page.locator("crowd-classifier .crowd-answers").inner_text() == '[\n  {\n    "solo": {\n      "label": "y"\n    }\n  }\n]'


# ---------------------------------------------------------------- crowd-image-classifier

IMAGE_CLASSIFIER = """<crowd-form><crowd-image-classifier name="category" src="/img/400x300.png"
    categories="['Cat', 'Dog']" header="What is in the image?">{extra}
  <short-instructions>Look at the animal.</short-instructions></crowd-image-classifier></crowd-form>"""

COMMENT = '<worker-comment header="Why?" link-text="Add a comment" placeholder="Tell us more">Explain.</worker-comment>'


def image_loaded(page):
    page.wait_for_function("document.querySelector('crowd-image-classifier').shadowRoot.querySelector('.image')"
                           ".naturalWidth > 0")


def test_ic1_choose_without_comment(open_crowd_page):
    page = open_crowd_page(IMAGE_CLASSIFIER.format(extra=""))
    image_loaded(page)
    assert not page.locator("crowd-image-classifier .comment").is_visible()
    page.locator("crowd-image-classifier .category", has_text="Dog").click()
    screenshot(page, "crowd-image-classifier")
    assert submit_and_read_tool(page, "crowd-image-classifier") == {"category": {"label": "Dog"}}


def test_ic2_worker_comment(open_crowd_page):
    page = open_crowd_page(IMAGE_CLASSIFIER.format(extra=COMMENT))
    image_loaded(page)
    link = page.locator("crowd-image-classifier .comment-link")
    assert link.inner_text() == "Add a comment"
    page.keyboard.press("1")
    link.click()
    assert page.locator("crowd-image-classifier .comment-title").inner_text() == "Why?"
    assert page.get_by_text("Explain.").is_visible()
    assert page.locator("crowd-image-classifier .comment-box").get_attribute("placeholder") == "Tell us more"
    page.keyboard.type("blurry")
    screenshot(page, "crowd-image-classifier-comment")
    page.locator("crowd-image-classifier .save").click()
    assert page.locator("crowd-image-classifier .comment-text").inner_text() == "blurry"
    assert submit_and_read_tool(page, "crowd-image-classifier") == {"category": {"label": "Cat", "workerComment": "blurry"}}


def test_image_classifier_required_and_cancelled_comment(open_crowd_page):
    page = open_crowd_page(IMAGE_CLASSIFIER.format(extra=COMMENT))
    image_loaded(page)
    page.locator("crowd-image-classifier .comment-link").click()
    page.keyboard.type("not kept")
    page.locator("crowd-image-classifier .cancel").click()
    tool_submit(page, "crowd-image-classifier")
    assert blocked(page)
    page.locator("crowd-image-classifier .category", has_text="Cat").click()
    assert submit_and_read_tool(page, "crowd-image-classifier") == {"category": {"label": "Cat"}}


def test_bounding_box_overlay(open_crowd_page):
    overlay = ("{ boundingBox: { labels: ['bird', 'cat'], value: [ { height: 150, label: 'bird', left: 100, top: 30,"
               " width: 200, }, { height: 60, label: 'cat', left: 0, top: 0, width: 40 }, ], }, }")
    page = open_crowd_page(IMAGE_CLASSIFIER.format(extra="").replace('header=', f'overlay="{overlay}" header='))
    image_loaded(page)
    page.wait_for_function("document.querySelector('crowd-image-classifier').shadowRoot.querySelectorAll('.box').length === 2")
    img = page.locator("crowd-image-classifier .image").bounding_box()
    box = page.locator("crowd-image-classifier .box").first.bounding_box()
    scale = img["width"] / 400
    assert abs(box["x"] - (img["x"] + 100 * scale)) < 1.5
    assert abs(box["width"] - 200 * scale) < 1.5
    assert abs(box["height"] - 150 * scale) < 1.5
    assert page.locator("crowd-image-classifier .legend").inner_text().split() == ["bird", "cat"]
    screenshot(page, "crowd-image-classifier-overlay-boxes")


def test_segmentation_overlay_with_opacity_control(open_crowd_page):
    overlay = ("{ semanticSegmentation: { labels: ['Road'], labelMappings: { 'Road': { color: '#2ca02c' } },"
               " src: '/img/400x300.png' } }")
    page = open_crowd_page(IMAGE_CLASSIFIER.format(extra="").replace('header=', f'overlay="{overlay}" header='))
    image_loaded(page)
    png = page.locator("crowd-image-classifier .overlay-image")
    assert png.is_visible()
    assert page.locator("crowd-image-classifier .legend").inner_text().strip() == "Road"
    slider = page.locator("crowd-image-classifier .opacity input")
    slider.focus()
    page.keyboard.press("End")
    assert page.evaluate("document.querySelector('crowd-image-classifier').shadowRoot"
                         ".querySelector('.overlay-image').style.opacity") == "1"
    page.locator("crowd-image-classifier .category", has_text="Cat").click()
    assert submit_and_read_tool(page, "crowd-image-classifier") == {"category": {"label": "Cat"}}


def test_segmentation_overlay_shows_only_the_mapped_colours(open_crowd_page):
    """A consolidated mask paints its background white: only the labels' colours are drawn over the image.
    The served PNG is (120, 160, 200) with darker vertical lines every 50 px; only the first is mapped."""
    overlay = ("{ semanticSegmentation: { labels: ['Sky'], labelMappings: { 'Sky': { color: '#78a0c8' } },"
               " src: '/img/400x300.png' } }")
    page = open_crowd_page(IMAGE_CLASSIFIER.format(extra="").replace('header=', f'overlay="{overlay}" header='))
    image_loaded(page)
    page.wait_for_function("document.querySelector('crowd-image-classifier').shadowRoot"
                           ".querySelector('.overlay-image').src.startsWith('data:image/png')")
    alpha = page.evaluate("""async () => {
        const img = document.querySelector('crowd-image-classifier').shadowRoot.querySelector('.overlay-image');
        await img.decode();
        const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
        const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
        return [ctx.getImageData(0, 10, 1, 1).data[3], ctx.getImageData(10, 10, 1, 1).data[3]];
    }""")
    assert alpha == [0, 255]  # the unmapped line is see-through, the mapped colour is drawn


def test_classifiers_inside_a_form_with_other_inputs(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-image-classifier name="crowd-image-classifier" src="/img/50x50.png"
        categories='["A","B"]'></crowd-image-classifier><crowd-input name="note" value="n"></crowd-input></crowd-form>""")
    page.keyboard.press("2")
    assert submit_and_read_tool(page, "crowd-image-classifier") == {"crowd-image-classifier": {"label": "B"}, "note": "n"}


def test_reach_into_shadow_root_for_cosmetic_hooks(open_crowd_page):
    page = open_crowd_page(CLASSIFIER)
    assert page.evaluate("""() => {
        const c = document.querySelector('crowd-classifier');
        return c.shadowRoot.mode === 'open' && !!c.shadowRoot.querySelector('.annotation-area .category-picker-wrapper')
          && !!c.shadowRoot.querySelector('.awsui-app-layout__navigation') && !!c.shadowRoot.querySelector('.awsui-modal-dialog');
    }""")


def test_classifier_answer_via_submit_and_read_helper(open_crowd_page):
    page = open_crowd_page('<crowd-form><crowd-classifier name="k" categories="[\'only\']"></crowd-classifier>'
                           '<crowd-button form-action="submit">Send</crowd-button></crowd-form>')
    page.keyboard.press("1")
    assert submit_and_read(page) == {"k": {"label": "only"}}
