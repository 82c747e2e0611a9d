"""Ground Truth's autoescaping: every ``{{ }}`` is HTML-escaped unless its filters opt out.

The rule (decision Q11): a statement whose filter chain names ``escape``, ``escape_once`` or
``skip_autoescape`` is printed as those filters left it; any other is escaped once on output,
literals included (``{{ "Tom & Jerry's" }}`` prints ``Tom &amp; Jerry&#39;s``). The rule is read
from the statement when the template is compiled, so ``{{ x | escape | upcase }}`` is not escaped
twice. A value that already went through one of those filters (kept by ``assign``) and the text of
a ``capture`` block (escaped as it was rendered) are not escaped again.

python-liquid's own ``autoescape`` mode is not used: it trusts string literals and escapes quotes
differently.
"""

from __future__ import annotations

from io import StringIO
from typing import TextIO

from liquid import RenderContext
from liquid.builtin.expressions import FilteredExpression
from liquid.builtin.output import Output, OutputNode
from liquid.builtin.tags.capture_tag import CaptureNode, CaptureTag
from liquid.builtin.tags.echo_tag import EchoTag
from liquid.expression import Expression
from liquid.token import Token

from crowdform.templating.text import SafeHtml, escape_html, to_text

OPT_OUT_FILTERS = frozenset({"escape", "escape_once", "skip_autoescape"})


class EscapingOutputNode(OutputNode):
    """``{{ expression }}`` (and ``{% echo expression %}``), escaped as Ground Truth does."""

    __slots__ = ("raw",)

    def __init__(self, token: Token, expression: Expression) -> None:
        super().__init__(token, expression)
        self.raw = isinstance(expression, FilteredExpression) and any(
            f.name in OPT_OUT_FILTERS for f in expression.filters or ()
        )

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        value = self.expression.evaluate(context)
        printed = to_text(value)
        if not (self.raw or isinstance(value, SafeHtml)):
            printed = escape_html(printed)
        return buffer.write(printed)


class EscapingOutput(Output):
    node_class = EscapingOutputNode


class EscapingEcho(EchoTag):
    node_class = EscapingOutputNode


class CaptureAsHtmlNode(CaptureNode):
    """``{% capture %}``: the captured text was escaped while it rendered, so it is kept as HTML."""

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        captured: StringIO = context.get_buffer(buffer)
        self.block.render(context, captured)
        context.assign(self.name, SafeHtml(captured.getvalue()))
        return 0


class CaptureAsHtml(CaptureTag):
    node_class = CaptureAsHtmlNode
