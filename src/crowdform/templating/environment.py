"""The Liquid environment of Ground Truth's worker templates, shared by every template.

Shopify Liquid plus the five Ground Truth filters, with Ground Truth's autoescaping. Differences
from python-liquid's defaults, each for a reason:

* ``include`` and ``render`` are removed: a Ground Truth template is one file, and there is nothing
  to load partials from. ``safe`` (a python-liquid extra) is removed: under Ground Truth's rules it
  would do nothing, which would surprise whoever wrote it; ``skip_autoescape`` is the way.
* Undefined values are :class:`~crowdform.templating.undefined.Missing` (empty text, noted in
  strict mode).
* A page may run at most 100,000 loop iterations and be at most 16 Mi characters long, so a task
  input such as ``{"n": 1000000000}`` with ``{% for i in (1..task.input.n) %}`` fails quickly instead of
  holding a server thread.
"""

from __future__ import annotations

from liquid import Environment

from crowdform.templating.autoescape import CaptureAsHtml, EscapingEcho, EscapingOutput
from crowdform.templating.filters import GROUND_TRUTH_FILTERS
from crowdform.templating.undefined import Missing


class GroundTruthEnvironment(Environment):
    loop_iteration_limit = 100_000
    output_stream_limit = 16 * 1024 * 1024

    def setup_tags_and_filters(self, *, extra: bool = False) -> None:
        super().setup_tags_and_filters(extra=extra)
        for tag in (EscapingOutput, EscapingEcho, CaptureAsHtml):
            self.add_tag(tag)
        for name in ("include", "render"):
            self.tags.pop(name, None)
        self.filters.pop("safe", None)
        for name, function in GROUND_TRUTH_FILTERS.items():
            self.add_filter(name, function)


ENVIRONMENT = GroundTruthEnvironment(undefined=Missing)
