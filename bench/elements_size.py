"""Bytes per file of the crowd elements library and of the joined bundle.

There is no bundler or minifier to hide growth, so the size of every file under
``src/crowdform/web/static/crowd/`` is tracked here (STYLE.md, "Web components"). Target: the whole
library, every element of the reference, at most 300 KB unminified (issue 6). The image tools
(``5x``/``6x``: the shared image and vertex tools and the tools built on them) are shown apart.

    .venv/bin/python bench/elements_size.py [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CROWD = REPO / "src" / "crowdform" / "web" / "static" / "crowd"
LIBRARY_TARGET = 300 * 1024
IMAGE_TOOL_PREFIXES = ("5", "6")  # 50-image-tool.js and the tools built on it


def joined_bundle(files: list[Path]) -> bytes:
    """The bundle as served: crowd_script() when that module exists, else the files joined in order."""
    sys.path.insert(0, str(REPO / "src"))
    try:
        from crowdform.web.crowd_script import crowd_script
    except ImportError:
        return b"\n".join(path.read_bytes() for path in files)
    script = crowd_script()
    return script.encode("utf-8") if isinstance(script, str) else bytes(script)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    files = sorted(CROWD.glob("*.js"))
    sizes = {path.name: path.stat().st_size for path in files}
    bundle = joined_bundle(files)
    image_tools = sum(size for name, size in sizes.items() if name.startswith(IMAGE_TOOL_PREFIXES))
    result = {
        "files": sizes,
        "files_total": sum(sizes.values()),
        "image_tools_total": image_tools,
        "bundle_bytes": len(bundle),
        "bundle_gzip_bytes": len(gzip.compress(bundle, 9)),
        "targets": {"library": LIBRARY_TARGET},
    }
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    width = max((len(name) for name in sizes), default=10)
    for name, size in sizes.items():
        print(f"{name:<{width}}  {size:>8,} B")
    print("-" * (width + 12))
    print(f"{'image tools (5x, 6x)':<{width}}  {image_tools:>8,} B")
    print(f"{'joined bundle':<{width}}  {len(bundle):>8,} B  (target <= {LIBRARY_TARGET:,})")
    print(f"{'joined bundle, gzip -9':<{width}}  {result['bundle_gzip_bytes']:>8,} B")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
