"""Whole templates as Ground Truth users write them, compiled once and rendered per task."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from crowdform.errors import InvalidInput
from crowdform.templating import DEFAULT_BUNDLE_URL, compile_template
from tests.templating.rendering import BUNDLE, render
from tests.templating.test_autoescape import Attributes

BOUNDING_BOX = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>

<crowd-form>
  <crowd-bounding-box
    name="boundingBox"
    src="{{ task.input.taskObject | grant_read_access }}"
    header="{{ task.input.header }}"
    labels="{{ task.input.labels | to_json | escape }}"
  >
    <full-instructions header="Bounding box instructions">
      <ol><li><strong>Inspect</strong> the image.</li><li>Box every {{ task.input.labels | join: ", " }}.</li></ol>
    </full-instructions>
    <short-instructions>Draw tight boxes.</short-instructions>
  </crowd-bounding-box>
</crowd-form>
"""

CLASSIFIER = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-classifier name="sentiment" categories="{{ task.input.labels | to_json | escape }}" header="{{ task.input.header }}">
    <classification-target>{{ task.input.taskObject }}</classification-target>
    <full-instructions header="Sentiment">Pick the closest match.</full-instructions>
    <short-instructions>Pick the closest match.</short-instructions>
  </crowd-classifier>
  {% if task.input.ticket %}<p>Ticket {{ task.input.ticket }}</p>{% endif %}
</crowd-form>
"""

# Augmented AI style: objects printed straight into attributes, an S3 URL built with capture.
TEXTRACT = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
{% capture s3_uri %}http://s3.amazonaws.com/{{ task.input.aiServiceRequest.document.s3Object.bucket }}/{{ task.input.aiServiceRequest.document.s3Object.name }}{% endcapture %}
<crowd-form>
  <crowd-textract-analyze-document
    src="{{ s3_uri | grant_read_access }}"
    initial-value="{{ task.input.selectedAiServiceResponse.blocks }}"
    keys="{{ task.input.humanLoopContext.importantFormKeys }}"
  ></crowd-textract-analyze-document>
</crowd-form>
"""


def test_bounding_box_template() -> None:
    task = {"taskObject": "s3://acme-images/street/000173.jpg", "header": "Box the vehicles",
            "labels": ["car", "bus & coach"]}
    assert render(BOUNDING_BOX, task) == f"""<script src="{BUNDLE}"></script>

<crowd-form>
  <crowd-bounding-box
    name="boundingBox"
    src="https://files.test/get?uri=s3://acme-images/street/000173.jpg&amp;sig=abc"
    header="Box the vehicles"
    labels="[&quot;car&quot;, &quot;bus &amp; coach&quot;]"
  >
    <full-instructions header="Bounding box instructions">
      <ol><li><strong>Inspect</strong> the image.</li><li>Box every car, bus &amp; coach.</li></ol>
    </full-instructions>
    <short-instructions>Draw tight boxes.</short-instructions>
  </crowd-bounding-box>
</crowd-form>
"""


def test_classifier_template_with_a_script_in_the_text_to_classify() -> None:
    task = {"taskObject": "Great!<script>steal()</script>", "labels": ["Positive", "Negative"],
            "header": "How does the \"customer\" feel?", "ticket": "T-1"}
    page = render(CLASSIFIER, task)
    assert page == f"""<script src="{BUNDLE}"></script>
<crowd-form>
  <crowd-classifier name="sentiment" categories="[&quot;Positive&quot;, &quot;Negative&quot;]" header="How does the &quot;customer&quot; feel?">
    <classification-target>Great!&lt;script&gt;steal()&lt;/script&gt;</classification-target>
    <full-instructions header="Sentiment">Pick the closest match.</full-instructions>
    <short-instructions>Pick the closest match.</short-instructions>
  </crowd-classifier>
  <p>Ticket T-1</p>
</crowd-form>
"""
    assert json.loads(Attributes(page).found["categories"] or "") == ["Positive", "Negative"]


def test_objects_printed_into_attributes_reach_the_element_as_json() -> None:
    blocks = [{"BlockType": "KEY_VALUE_SET", "Id": "k1", "Text": "Name's \"first\" <b>"}, {"Confidence": 99.5}]
    keys = [{"key": "Name", "importantFormKeyAliases": ["First name", "Given name"]}]
    task = {"aiServiceRequest": {"document": {"s3Object": {"bucket": "forms", "name": "w2/0001.png"}}},
            "selectedAiServiceResponse": {"blocks": blocks}, "humanLoopContext": {"importantFormKeys": keys}}
    attributes = Attributes(render(TEXTRACT, task)).found
    assert attributes["src"] == "https://files.test/get?uri=http://s3.amazonaws.com/forms/w2/0001.png&sig=abc"
    assert json.loads(attributes["initial-value"] or "") == blocks
    assert json.loads(attributes["keys"] or "") == keys


def test_compiling_is_cached_by_source_name_and_bundle() -> None:
    first = compile_template(CLASSIFIER, "a.html")
    assert compile_template(CLASSIFIER, "a.html") is first
    assert compile_template(CLASSIFIER, "b.html") is not first
    assert first.bundle_url == DEFAULT_BUNDLE_URL == "/static/crowd-html-elements.js"


def test_one_template_renders_many_tasks_at_once_each_with_its_own_signer_and_mode() -> None:
    template = compile_template(BOUNDING_BOX, "boxes.html", bundle_url=BUNDLE)

    def render_one(i: int) -> str:
        task = {"taskObject": f"s3://b/{i}.jpg", "labels": ["x"]} if i % 3 else {"labels": ["x"]}
        try:
            page = template.render(task, grant_read_access=lambda uri: f"/signed/{i}/{uri}", strict=i % 2 == 0)
        except InvalidInput as error:
            return f"{i} refused {[p.field for p in error.problems]}"
        return Attributes(page).found["src"] or ""

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(render_one, range(60)))
    assert results == [
        (f"{i} refused ['task.input.taskObject', 'task.input.header']" if i % 2 == 0 and i % 3 == 0
         else f"{i} refused ['task.input.header']" if i % 2 == 0
         else "" if i % 3 == 0
         else f"/signed/{i}/s3://b/{i}.jpg")
        for i in range(60)
    ]


@pytest.mark.parametrize("bundle", ["/static/crowd-html-elements.js", "https://cdn.example.com/crowd.js"])
def test_the_bundle_url_is_a_parameter(bundle: str) -> None:
    page = compile_template(CLASSIFIER, "c.html", bundle_url=bundle).render(
        {"labels": []}, grant_read_access=str)
    assert page.startswith(f'<script src="{bundle}"></script>\n<crowd-form>')
