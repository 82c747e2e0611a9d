"""RenderUiTemplate with a real boto3 client: rendered pages, Liquid errors as codes with line and
column (decision Q26), built-in task UIs, and file links that work where the page is opened."""

from __future__ import annotations

import json
import re

import httpx

from tests.aws.sagemaker.conftest import ROLE, SageMaker, error_of

CROWD_SCRIPT = '<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>'


def render(sagemaker: SageMaker, content: str, task_input: object) -> dict[str, object]:
    reply = sagemaker.client.render_ui_template(UiTemplate={"Content": content}, Task={"Input": json.dumps(task_input)},
                                                RoleArn=ROLE)
    return {"RenderedContent": reply["RenderedContent"], "Errors": reply["Errors"]}


def test_a_template_renders_with_the_task_input_escaped_and_its_scripts_as_written(sagemaker: SageMaker) -> None:
    assert render(sagemaker, "<p>{{ task.input.source }}</p>", {"source": "A & B"}) == {
        "RenderedContent": "<p>A &amp; B</p>", "Errors": []}
    page = render(sagemaker, CROWD_SCRIPT + "<crowd-form>{{ task.input.labels | to_json }}</crowd-form>",
                  {"labels": ["cat", "dog"]})["RenderedContent"]
    assert page == CROWD_SCRIPT + '<crowd-form>[&quot;cat&quot;, &quot;dog&quot;]</crowd-form>'


def test_liquid_errors_are_codes_with_line_and_column(sagemaker: SageMaker) -> None:
    broken = render(sagemaker, "<p>ok</p>\n<p>{% for x in task.input.items %}{{ x }}</p>", {"items": [1]})
    assert broken["RenderedContent"] == ""
    [error] = broken["Errors"]
    assert error["Code"] == "LiquidSyntaxError"
    assert error["Message"].startswith("line 2: column 7: ") and "{% endfor %}" in error["Message"]
    unknown = render(sagemaker, "{{ task.input.x | upcase }}\n{{ task.input.x | jsonify }}", {"x": "a"})
    assert unknown["Errors"] == [{"Code": "UnknownFilter", "Message": unknown["Errors"][0]["Message"]}]
    assert unknown["Errors"][0]["Message"].startswith("line 2: column 19: unknown filter 'jsonify'")
    assert "to_json" in unknown["Errors"][0]["Message"]
    refused = render(sagemaker, "<img src=\"{{ task.input.image | grant_read_access }}\">", {"image": "/etc/passwd"})
    assert refused["RenderedContent"] == "" and refused["Errors"][0]["Code"] == "LiquidRenderError"
    assert refused["Errors"][0]["Message"].startswith("line 1: ") and "/etc/passwd" in refused["Errors"][0]["Message"]


def test_granted_files_are_absolute_links_that_serve_the_file(sagemaker: SageMaker) -> None:
    image = sagemaker.folder / "cat.txt"
    image.write_text("a cat")
    page = render(sagemaker, "<img src=\"{{ task.input.image | grant_read_access }}\">",
                  {"image": str(image)})["RenderedContent"]
    url = re.fullmatch(r'<img src="([^"]+)">', str(page))
    assert url is not None and url[1].startswith(sagemaker.endpoint.url + "/files/")
    assert httpx.get(url[1]).text == "a cat"


def test_built_in_task_uis_render_by_their_arn(sagemaker: SageMaker) -> None:
    arn = "arn:aws:sagemaker:us-east-1:394669845002:human-task-ui/NamedEntityRecognition"
    task_input = {"taskObject": "Ada Lovelace wrote the first program.", "labels": [{"label": "person"}]}
    reply = sagemaker.client.render_ui_template(HumanTaskUiArn=arn, Task={"Input": json.dumps(task_input)}, RoleArn=ROLE)
    assert reply["Errors"] == [] and "crowd-entity-annotation" in reply["RenderedContent"]
    assert "Ada Lovelace" in reply["RenderedContent"]
    code, message = error_of(sagemaker.client.render_ui_template, RoleArn=ROLE, Task={"Input": "{}"},
                             HumanTaskUiArn="arn:aws:sagemaker:us-east-1:394669845002:human-task-ui/PointCloudObjectDetection")
    assert code == "ResourceNotFound" and "NamedEntityRecognition" in message


def test_the_request_must_name_one_template_and_a_json_input(sagemaker: SageMaker) -> None:
    arn = "arn:aws:sagemaker:us-east-1:394669845002:human-task-ui/NamedEntityRecognition"
    code, message = error_of(sagemaker.client.render_ui_template, UiTemplate={"Content": "x"}, HumanTaskUiArn=arn,
                             Task={"Input": "{}"}, RoleArn=ROLE)
    assert code == "ValidationException" and "exactly one" in message
    code, message = error_of(sagemaker.client.render_ui_template, Task={"Input": "{}"}, RoleArn=ROLE)
    assert code == "ValidationException" and "exactly one" in message
    for text in ("{not json", '{"a": NaN}', "[" * 70 + "]" * 70, '{"a": "\\ud800"}'):
        code, message = error_of(sagemaker.client.render_ui_template, UiTemplate={"Content": "x"},
                                 Task={"Input": text}, RoleArn=ROLE)
        assert code == "ValidationException" and "'task.input'" in message, text
