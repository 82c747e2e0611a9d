"""The fenced code blocks of a documentation page, with what the page says to do with each.

A block's info string is its language and then tags, which renderers ignore (```` ```python run ````):

- ``run``: run it, in page order (shell blocks with bash, Python blocks in one interpreter);
- ``background``: start it and leave it running (the server);
- ``file=PATH``: write the block's text to PATH (a Lambda handler, a template).

A ``text`` block right after a ``run`` block is what that block prints. Shell, Python and HTML
blocks with none of these tags are untested snippets, which a runnable page must not have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FENCE = re.compile(r"^```(?P<info>[^`\n]*)\n(?P<body>.*?)^```[ \t]*$", flags=re.MULTILINE | re.DOTALL)
CODE_LANGUAGES = {"bash", "sh", "shell", "console", "python", "py", "html"}


@dataclass
class Block:
    language: str
    tags: list[str]
    text: str
    line: int
    """1-based line of the opening fence, for failure messages."""
    prints: str | None = field(default=None)
    """The ``text`` block that follows a ``run`` block: its expected output."""

    @property
    def action(self) -> str | None:
        """``run``, ``background``, ``file`` or None (shown only)."""
        for tag in self.tags:
            if tag in ("run", "background"):
                return tag
            if tag.startswith("file="):
                return "file"
        return None

    @property
    def path(self) -> str:
        return next(tag.removeprefix("file=") for tag in self.tags if tag.startswith("file="))

    def where(self, page: Path) -> str:
        return f"{page.name}:{self.line} ({self.language} {' '.join(self.tags)})".rstrip()


def page_blocks(page: Path) -> list[Block]:
    """Every fenced block of the page in order; ``text`` blocks after a ``run`` block become its ``prints``."""
    source = page.read_text(encoding="utf-8")
    blocks: list[Block] = []
    for match in FENCE.finditer(source):
        words = match["info"].split()
        language, tags = (words[0], words[1:]) if words else ("", [])
        line = source.count("\n", 0, match.start()) + 1
        block = Block(language, tags, match["body"], line)
        if language == "text" and blocks and blocks[-1].action == "run" and blocks[-1].prints is None:
            blocks[-1].prints = block.text
            continue
        blocks.append(block)
    return blocks


def untested(blocks: list[Block]) -> list[Block]:
    """Code blocks that the page shows but that no test runs or writes."""
    return [b for b in blocks if b.language in CODE_LANGUAGES and b.action is None]
