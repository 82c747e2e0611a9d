"""Compile a worker task template once, render it for many tasks.

``compile_template`` parses (and checks) the Liquid once and is cached by source text, so the
engine can call it for every task it hands out; ``TaskTemplate.render`` is then a walk over the
parsed template with one task's input.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from liquid import Undefined
from liquid.exceptions import LiquidError
from liquid.template import BoundTemplate

from crowdform.errors import InvalidInput
from crowdform.templating.environment import ENVIRONMENT
from crowdform.templating.errors import template_error, unknown_filters
from crowdform.templating.render_state import RenderState, rendering
from crowdform.templating.scripts import DEFAULT_BUNDLE_URL, use_bundle
from crowdform.templating.undefined import missing_problems


@dataclass(frozen=True)
class TaskTemplate:
    """A compiled template. Immutable, so one instance serves any number of threads."""

    name: str
    source: str = field(repr=False)
    bundle_url: str
    _template: BoundTemplate = field(repr=False)

    def render(self, task_input: object, *, grant_read_access: Callable[[str], str], strict: bool = False,
               crowd_script: bool = True) -> str:
        """The worker's page for ``task_input`` (the pre-hook's ``taskInput``, any JSON value).

        ``grant_read_access`` turns a URI into a URL the worker's browser may fetch. With
        ``strict``, undefined values the page uses are refused (one problem each) instead of
        rendering as empty text. ``crowd_script`` False leaves the page's script tags as the template
        wrote them (SageMaker's RenderUiTemplate returns the rendered Liquid alone). Raises
        :class:`InvalidInput` naming this template.
        """
        missing: list[Undefined] | None = [] if strict else None
        with rendering(RenderState(grant_read_access, missing)):
            try:
                page = self._template.render(task={"input": task_input})
            except LiquidError as error:
                raise template_error(self.name, self.source, error, ENVIRONMENT) from None
        problems = missing_problems(missing) if missing else []
        if problems:
            raise InvalidInput(self.name, problems)
        return use_bundle(page, self.bundle_url) if crowd_script else page


@lru_cache(maxsize=128)
def compile_template(source: str, name: str = "template", *, bundle_url: str = DEFAULT_BUNDLE_URL) -> TaskTemplate:
    """Parse ``source``; syntax errors and unknown filters raise :class:`InvalidInput` naming ``name``.

    Cached by (source, name, bundle URL): calling it per task costs a dictionary lookup.
    """
    try:
        template = ENVIRONMENT.from_string(source, name=name)
    except LiquidError as error:
        raise template_error(name, source, error, ENVIRONMENT) from None
    unknown = unknown_filters(name, source, template, ENVIRONMENT)
    if unknown is not None:
        raise unknown
    return TaskTemplate(name, source, bundle_url, template)
