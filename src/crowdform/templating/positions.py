"""Line and column of a character offset, counted from 1 as editors show them."""

from __future__ import annotations


def line_and_column(source: str, index: int) -> tuple[int, int]:
    line = source.count("\n", 0, index) + 1
    column = index - source.rfind("\n", 0, index)
    return line, column
