"""What an isolated hook environment borrows from the server: boto3 (as Lambda's runtime has it) and
the small runtime that talks to the engine.

* **The runtime layer**: Lambda's Python runtime ships boto3, so Lambda code imports it without
  listing it. A hook environment gets the server's boto3, botocore, s3transfer and their
  dependencies (:data:`LAYER_DISTRIBUTIONS`) through a folder of links to exactly those packages,
  put on ``sys.path`` *after* the environment's own site-packages: a hook that pins its own boto3
  (or urllib3, six...) gets its version. Nothing else of the server's packages is reachable.
* **The bootstrap**: the child program (:mod:`crowdform.hooks.child` and the two modules it imports)
  copied into a folder of its own. The child imports it, then removes it from ``sys.path`` and
  ``sys.modules`` before it loads the handler, so the handler cannot import crowdform.

Both are built once per content (their folder names are hashes) and shared by every environment.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

LAYER_DISTRIBUTIONS = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3")
BOOTSTRAP_MODULES = ("child.py", "context.py", "protocol.py")


def runtime_layer(root: Path) -> Path:
    """The folder of links to the server's boto3 and its dependencies (``root/layers/<hash>``)."""
    entries: dict[str, Path] = {}
    for name in LAYER_DISTRIBUTIONS:
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # the server has no boto3: hooks must bring their own
        for file in dist.files or ():
            top = file.parts[0]
            if top not in entries and top not in ("..", "__pycache__") and not top.endswith(".pth"):
                entries[top] = Path(str(dist.locate_file(top))).resolve()
    digest = hashlib.sha256("\n".join(f"{k}={v}" for k, v in sorted(entries.items())).encode()).hexdigest()[:16]
    folder = root / "layers" / digest

    def fill(staging: Path) -> None:
        for top, target in entries.items():
            if target.exists():
                (staging / top).symlink_to(target)

    return _build_once(folder, fill)


def bootstrap(root: Path) -> Path:
    """The folder holding the child runtime as package ``crowdform.hooks`` (``root/runtime/<hash>``)."""
    here = Path(__file__).parent
    sources = {name: (here / name).read_bytes() for name in BOOTSTRAP_MODULES}
    digest = hashlib.sha256(b"".join(name.encode() + b"\0" + data for name, data in sorted(sources.items())))
    folder = root / "runtime" / digest.hexdigest()[:16]

    def fill(staging: Path) -> None:
        package = staging / "crowdform" / "hooks"
        package.mkdir(parents=True)
        (staging / "crowdform" / "__init__.py").write_text('"""The hook runtime alone."""\n')
        (package / "__init__.py").write_text('"""The hook runtime alone."""\n')
        for name, data in sources.items():
            (package / name).write_bytes(data)

    return _build_once(folder, fill)


def _build_once(folder: Path, fill: Callable[[Path], None]) -> Path:
    """Build ``folder`` in a staging folder beside it and rename it into place: concurrent builders
    each make their own, one rename wins, and nobody sees a half-filled folder."""
    if folder.is_dir():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder.parent))
    try:
        fill(staging)
        os.rename(staging, folder)
    except OSError:
        if not folder.is_dir():
            raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return folder
