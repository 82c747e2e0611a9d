"""Ground Truth's worker templates: Liquid with Ground Truth's filters, autoescaping and context.

Pure: no I/O. The caller passes the template text, the task input and a function that turns a URI
into a URL the worker's browser can fetch (``grant_read_access``).

    template = compile_template(source, "s3://bucket/template.liquid.html")
    page = template.render(task_input, grant_read_access=file_access.grant)
"""

from crowdform.templating.scripts import DEFAULT_BUNDLE_URL
from crowdform.templating.template import TaskTemplate, compile_template

__all__ = ["DEFAULT_BUNDLE_URL", "TaskTemplate", "compile_template"]
