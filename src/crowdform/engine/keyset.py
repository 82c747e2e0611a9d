"""Keyset paging: a page starts after the sort key of the previous page's last row.

An offset would shift when rows are added between two pages (a job created while a script pages
through ListLabelingJobs), repeating or skipping rows. Resuming after a key does not: every row
that existed is listed once, and new rows appear where the order puts them. The key is the sort
columns plus the row id (unique), compared as one row value, which SQLite and PostgreSQL both do
with an index-friendly ``(a, b) > (?, ?)``. Text sorts by code point on both (PostgreSQL's
``COLLATE "C"``), so a listing is in the same order whichever database holds it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Float, Integer, Select, String, literal, tuple_

from crowdform.errors import InvalidInput

_KINDS: dict[type, tuple[type, ...]] = {Float: (int, float), Integer: (int,), String: (str,)}


@dataclass(frozen=True)
class Keyset:
    """The order of a listing: its columns (the last one unique, an id) and direction."""

    columns: tuple[ColumnElement[Any], ...]
    descending: bool = False

    def page(self, query: Select[Any], after: Sequence[Any] | None, limit: int, *, postgres: bool) -> Select[Any]:
        """``query`` ordered by the key, starting after ``after``, with one row more than ``limit``
        (so the caller knows whether another page follows)."""
        sort = [column.collate("C") if postgres and isinstance(column.type, String) else column
                for column in self.columns]
        if after is not None:
            self.check(after)
            start = tuple_(*(literal(value, column.type) for value, column in zip(after, self.columns)))
            query = query.where(tuple_(*sort) < start if self.descending else tuple_(*sort) > start)
        return query.order_by(*(column.desc() if self.descending else column.asc() for column in sort)).limit(limit + 1)

    def key_of(self, row: Any) -> list[Any]:
        """The key of a row the query returned (its columns are selected under their own names)."""
        return [getattr(row, str(getattr(column, "key"))) for column in self.columns]

    def check(self, after: Sequence[Any]) -> None:
        """A key read from a token must have one value of the right kind per column."""
        problem = len(after) != len(self.columns) or any(
            isinstance(value, bool) or not isinstance(value, _kinds(column))
            or (isinstance(value, float) and not math.isfinite(value))
            for value, column in zip(after, self.columns))
        if problem:
            raise InvalidInput.one("NextToken", "is not a token this listing gave out", field="NextToken",
                                   hint="Pass the NextToken of the previous page unchanged, with the same "
                                        "SortBy and SortOrder")


def split_page(rows: Sequence[Any], limit: int, keyset: Keyset) -> tuple[list[Any], list[Any] | None]:
    """The rows of the page and the key to resume after (None on the last page)."""
    if len(rows) <= limit:
        return list(rows), None
    page = list(rows[:limit])
    return page, keyset.key_of(page[-1])


def _kinds(column: ColumnElement[Any]) -> tuple[type, ...]:
    for sql_type, kinds in _KINDS.items():
        if isinstance(column.type, sql_type):
            return kinds
    raise TypeError(f"no key kind for column type {column.type!r}")  # pragma: no cover - a programming error

