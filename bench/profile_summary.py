#!/usr/bin/env python3
"""Summarise a py-spy ``--format raw`` profile (collapsed stacks): where the sampled time went.

    .venv/bin/python bench/profile_summary.py .cache/bench-results/profile-workers-....txt

Prints the share of samples per category (by the innermost matching frame rule, first match wins),
the functions with the largest inclusive share, and the largest self (leaf) shares. Samples are of
threads that were not idle (py-spy's default), so a thread blocked in fsync counts too.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

# (category, substrings): a stack belongs to the first category all of whose substrings occur in
# some frame of it (rules are ordered from most to least specific).
CATEGORIES: list[tuple[str, tuple[str, ...]]] = [
    ("background: output manifest rewrite", ("write_output_manifest",)),
    ("background: intermediate manifest", ("write_intermediate",)),
    ("background: consolidation, worker-response file writes",
     ("crowdform/engine/consolidation.py", "write_stream (crowdform/storage/local.py")),
    ("background: consolidation, other", ("crowdform/engine/consolidation.py",)),
    ("background: other rounds", ("crowdform/engine/background.py",)),
    ("other file writes (fsync, rename)", ("write_stream (crowdform/storage/local.py",)),
    ("submit: engine (SQL, commit)", ("submit (crowdform/engine/tasks.py",)),
    ("next: engine (SQL)", ("next_task (crowdform/engine/tasks.py",)),
    ("authenticate (token lookup, own transaction)", ("authenticate (crowdform/engine/workforce.py",)),
    ("FastAPI/Starlette request handling", ("fastapi/",)),
    ("FastAPI/Starlette request handling", ("starlette/",)),
    ("Uvicorn/HTTP protocol", ("uvicorn/",)),
    ("asyncio/anyio thread hand-off", ("anyio/",)),
    ("asyncio/anyio thread hand-off", ("asyncio/",)),
    ("thread pool / threading", ("threading.py",)),
]


def _frames(stack: str) -> list[str]:
    return stack.split(";")


def _name(frame: str) -> str:
    """``func (path/to/file.py:123)`` -> ``func (file.py-path)`` without the line number."""
    if frame.endswith(")") and ":" in frame:
        return frame[: frame.rfind(":")] + ")"
    return frame


def summarize(path: Path, top: int = 40) -> dict[str, Any]:
    total = 0
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    cats: Counter[str] = Counter()
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = _frames(stack)
        names = {_name(f) for f in frames if not f.startswith(("thread (", "process "))}
        for name in names:
            inclusive[name] += n
        leaf[_name(frames[-1])] += n
        for cat, needles in CATEGORIES:
            if all(any(needle in f for f in frames) for needle in needles):
                cats[cat] += n
                break
        else:
            cats["other"] += n
    pct = lambda c: round(100.0 * c / total, 1) if total else 0.0  # noqa: E731
    return {
        "samples": total,
        "categories_pct": {k: pct(v) for k, v in cats.most_common()},
        "top_inclusive": [[k, pct(v)] for k, v in inclusive.most_common(top)],
        "top_self": [[k, pct(v)] for k, v in leaf.most_common(top)],
    }


def main() -> None:
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if len(sys.argv) == 2 else 2)
    s = summarize(Path(sys.argv[1]))
    print(f"samples: {s['samples']}\n\ncategories (% of samples):")
    for k, v in s["categories_pct"].items():
        print(f"  {v:5.1f}  {k}")
    print("\ntop inclusive:")
    for k, v in s["top_inclusive"]:
        print(f"  {v:5.1f}  {k}")
    print("\ntop self:")
    for k, v in s["top_self"]:
        print(f"  {v:5.1f}  {k}")


if __name__ == "__main__":
    main()
