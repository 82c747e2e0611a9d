"""RenderUiTemplate: a worker template rendered with one task input, as the worker would get it.

The template is ``UiTemplate.Content``, or a built-in task type's own template for the
``HumanTaskUiArn`` of its task UI (``...:human-task-ui/NamedEntityRecognition``). ``Task.Input`` is
a JSON text, exposed as ``task.input``. A template that does not compile or render gives no page but
``Errors``, one per problem, with our codes (decision Q26): ``LiquidSyntaxError``, ``UnknownFilter``
and ``LiquidRenderError``, each message starting with the line and column. ``grant_read_access``
gives crowdform's signed file URLs, absolute so the page works wherever it is opened; the page's
script tags stay as written, as AWS returns them.
"""

from __future__ import annotations

import json
from typing import Any

from crowdform.aws import json_protocol
from crowdform.aws.errors import AwsError
from crowdform.aws.sagemaker.context import Context, Handler
from crowdform.builtin.worker_templates import worker_template
from crowdform.engine.file_access import FILES_PATH, FileAccess
from crowdform.errors import InvalidInput, NotFound
from crowdform.groundtruth.task_types import BY_FUNCTION
from crowdform.templating import compile_template


def render_ui_template(context: Context, request: dict[str, Any]) -> dict[str, Any]:
    source, name = _template(request)
    task_input = _task_input(request["Task"]["Input"])
    try:
        template = compile_template(source, name)
    except InvalidInput as error:
        return _failed(error, "LiquidSyntaxError")
    settings = context.runtime.settings
    files = FileAccess(context.runtime.signing_secret, context.runtime.storage, context.runtime.clock,
                       ttl_seconds=settings.signed_url_ttl_seconds, base_path=context.base_url + FILES_PATH,
                       presign_s3=settings.presign_s3_urls)
    try:
        page = template.render(task_input, grant_read_access=files.grant, crowd_script=False)
    except InvalidInput as error:
        return _failed(error, "LiquidRenderError")
    return {"RenderedContent": page, "Errors": []}


def _template(request: dict[str, Any]) -> tuple[str, str]:
    """The template's text and the name its errors use."""
    content = (request.get("UiTemplate") or {}).get("Content")
    arn = request.get("HumanTaskUiArn")
    if (content is None) == (arn is None):
        raise AwsError("ValidationException", "Give exactly one of UiTemplate.Content (your template) and "
                       "HumanTaskUiArn (a built-in task UI).")
    if content is not None:
        return content, "UiTemplate.Content"
    task = BY_FUNCTION.get(arn.rsplit("/", 1)[-1])
    if task is None:
        known = ", ".join(sorted(BY_FUNCTION))
        raise NotFound(f"crowdform has no task UI {arn!r}. The task UIs of its built-in task types are "
                       f"...:human-task-ui/<type>, with type one of {known}.")
    return worker_template(task.name), arn


def _task_input(text: str) -> Any:
    """``Task.Input`` parsed; text that is not JSON, or JSON no page could show, is refused."""
    try:
        value = json_protocol.loads(text)
        json.dumps(value, ensure_ascii=False).encode("utf-8")  # unpaired surrogates cannot be sent back
    except (ValueError, RecursionError) as error:  # UnicodeEncodeError is a ValueError too
        raise AwsError("ValidationException", f"Value at 'task.input' failed to satisfy constraint: Member must be "
                       f"a JSON text ({str(error)[:200]})") from None
    return value


def _failed(error: InvalidInput, stage: str) -> dict[str, Any]:
    return {"RenderedContent": "", "Errors": [
        {"Code": "UnknownFilter" if "unknown filter" in problem.message else stage, "Message": str(problem)}
        for problem in error.problems]}


OPERATIONS: dict[str, Handler] = {"RenderUiTemplate": render_ui_template}
