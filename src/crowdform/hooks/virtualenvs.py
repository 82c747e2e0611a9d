"""A hook's own Python environment, built from its ``requirements.txt`` as Lambda builds a function's.

``crowdform hook add NAME REF --requirements requirements.txt`` (or ``--zip``) gives a hook a virtual
environment of its own under the data folder, ``<data dir>/hook-environments/<id>/``, where ``id``
hashes the requirements text, the Python version and the runtime layer: built once per distinct
requirements and reused by every hook and job that lists the same ones. The environment has no
packages but the requirements, the runtime layer (the server's boto3, after its own
site-packages: see :mod:`crowdform.hooks.runtime_layer`) and, out of the handler's reach, the
child runtime.

pip is the server's own (``python -m pip --python <environment>``), run with the operator's options
(the ``hook_pip_options`` setting: ``--index-url`` of a mirror, ``--no-index --find-links DIR``
offline...). A build is serialised per environment with a lock file, and only an environment whose
build finished (its ``ready`` file) is used; a failed build is removed and reported with the
requirement pip could not install and pip's own error lines.
"""

from __future__ import annotations

import fcntl
import hashlib
import re
import shutil
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from crowdform.errors import InvalidInput
from crowdform.hooks.runtime_layer import bootstrap, runtime_layer

FOLDER_NAME = "hook-environments"
LAYER_PTH = "zz-crowdform-runtime-layer.pth"  # .pth paths go after site-packages: the hook's pins win
PIP_TIMEOUT_S = 900.0
_REQUIREMENT = re.compile(r"(?:satisfies the requirement|distribution found for|Invalid requirement:?|"
                          r"Failed to build|Failed building wheel for|Could not build wheels for) '?([^\s'(]+)")


@dataclass(frozen=True)
class HookPython:
    """An isolated interpreter for a hook: the environment's ``python`` and the child runtime's folder."""

    python: Path
    bootstrap: Path


class HookEnvironments:
    """The hook environments of one data folder."""

    def __init__(self, data_dir: Path, pip_options: Sequence[str] = ()) -> None:
        self.root = data_dir.resolve() / FOLDER_NAME
        self.pip_options = tuple(pip_options)

    def ensure(self, requirements: str, *, source: str = "--requirements") -> HookPython:
        """The environment for ``requirements``, built now if it is not yet; raise :class:`InvalidInput`
        naming the requirement and pip's error when it cannot be built."""
        layer = runtime_layer(self.root)
        runtime = bootstrap(self.root)
        folder = self.root / environment_id(requirements, layer)
        python = folder / "venv" / "bin" / "python"
        if (folder / "ready").is_file():
            return HookPython(python, runtime)
        (self.root / "locks").mkdir(parents=True, exist_ok=True)
        with open(self.root / "locks" / f"{folder.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building the same one
            if not (folder / "ready").is_file():
                try:
                    self._build(folder, requirements, layer, source)
                except BaseException:
                    shutil.rmtree(folder, ignore_errors=True)
                    raise
        return HookPython(python, runtime)

    def _build(self, folder: Path, requirements: str, layer: Path, source: str) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        (folder / "requirements.txt").write_text(requirements, encoding="utf-8")
        venv.EnvBuilder(with_pip=False, symlinks=True, clear=True).create(folder / "venv")
        python = folder / "venv" / "bin" / "python"
        if _has_requirements(requirements):
            command = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-input",
                       "--disable-pip-version-check", *self.pip_options, "-r", str(folder / "requirements.txt")]
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=PIP_TIMEOUT_S,
                                      stdin=subprocess.DEVNULL, cwd=folder)
            except subprocess.TimeoutExpired:
                raise InvalidInput.one(source, f"pip did not finish installing within {PIP_TIMEOUT_S:g} s",
                                       hint="Check the hook_pip_options setting (an index that does not answer?)") from None
            (folder / "pip.log").write_text(done.stdout + done.stderr, encoding="utf-8")
            if done.returncode != 0:
                raise _build_failed(source, requirements, done.stdout + "\n" + done.stderr, self.pip_options)
        site = _site_packages(folder / "venv")
        (site / LAYER_PTH).write_text(f"{layer}\n", encoding="utf-8")
        (folder / "ready").write_text("", encoding="utf-8")


def environment_id(requirements: str, layer: Path) -> str:
    """Hash of the requirements (blank lines and comments aside), the Python version and the layer."""
    lines = [line.strip() for line in requirements.splitlines()]
    kept = "\n".join(line for line in lines if line and not line.startswith("#"))
    version = f"{sys.implementation.name}-{sys.version_info.major}.{sys.version_info.minor}"
    return hashlib.sha256(f"{version}\n{layer.name}\n{kept}".encode()).hexdigest()[:24]


def _has_requirements(requirements: str) -> bool:
    return any(line.strip() and not line.strip().startswith("#") for line in requirements.splitlines())


def _site_packages(environment: Path) -> Path:
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    return environment / "lib" / version / "site-packages"


def _build_failed(source: str, requirements: str, output: str, pip_options: Sequence[str]) -> InvalidInput:
    """Name the requirement pip stopped at (or the requirements as given) and quote pip's error lines."""
    errors = [line.strip() for line in output.splitlines() if line.strip().startswith("ERROR:")]
    found = next((m.group(1) for line in errors if (m := _REQUIREMENT.search(line))), None)
    message = "; ".join(errors[-3:]) or (output.strip().splitlines() or ["pip failed without a message"])[-1]
    where = f"the requirement {found!r}" if found else "the hook's requirements"
    options = " ".join(pip_options) or "(none: pip's defaults)"
    return InvalidInput.one(source, f"pip could not install {where}: {message}",
                            value=found or requirements.strip()[:200],
                            hint=f"Fix the requirement, or the package index: hook_pip_options is {options}")
