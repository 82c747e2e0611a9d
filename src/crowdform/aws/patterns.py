"""The ``pattern`` constraints of AWS service models, which are Java regular expressions, as Python matchers.

AWS checks a value against the whole pattern (Java's ``matches``). Java differs from Python's ``re``
in ways these patterns use: ``\\d``, ``\\w`` and ``\\s`` are ASCII-only (so ``re.ASCII``); ``.`` stops at
any line terminator, not only ``\\n``; and ``\\p{L}``-style Unicode categories, which ``re`` lacks,
appear in tag and group-name patterns (``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*``). A pattern that is one
character class of such categories is checked character by character with ``unicodedata``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

Matcher = Callable[[str], bool]

_LINE_TERMINATORS = "\n\r\u0085\u2028\u2029"
# One bracketed class with \p{..} categories, repeated, optionally in one group: ([\p{L}_.-]*)
_CATEGORY_CLASS = re.compile(r"^\(?\[((?:\\p\{[A-Z][a-z]?\}|\\.|[^\\\]])*)\]([*+])\)?$")
_CLASS_ITEM = re.compile(r"\\p\{([A-Z][a-z]?)\}|\\(.)|(.)")


@lru_cache(maxsize=256)
def matcher(pattern: str) -> Matcher:
    """A function telling whether a whole string matches ``pattern`` as AWS (Java) reads it."""
    if "\\p{" in pattern:
        return _category_matcher(pattern)
    compiled = re.compile(_python_pattern(pattern), re.ASCII | re.DOTALL)
    return lambda value: compiled.fullmatch(value) is not None


def _python_pattern(pattern: str) -> str:
    """``pattern`` with each ``.`` outside a character class made Java's (no line terminators)."""
    out, in_class, i = [], False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "." and not in_class:
            char = f"[^{_LINE_TERMINATORS}]"
        out.append(char)
        i += 1
    return "".join(out)


def _category_matcher(pattern: str) -> Matcher:
    match = _CATEGORY_CLASS.match(pattern)
    if match is None:
        raise ValueError(f"unsupported pattern with Unicode categories: {pattern!r}")
    categories, literals = set(), set()
    for item in _CLASS_ITEM.finditer(match[1]):
        category, escaped, plain = item.groups()
        if plain == "-":  # a range: the patterns of the models escape their hyphens
            raise ValueError(f"unsupported range in a pattern with Unicode categories: {pattern!r}")
        if category:
            categories.add(category)
        else:
            literals.add(escaped or plain)
    at_least_one = match[2] == "+"

    def matches(value: str) -> bool:
        if at_least_one and not value:
            return False
        return all(char in literals or _in_categories(char, categories) for char in value)
    return matches


def _in_categories(char: str, categories: set[str]) -> bool:
    category = unicodedata.category(char)
    return category in categories or category[0] in categories
