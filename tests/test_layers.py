"""Imports point downward only: a lower layer never imports a higher one (docs/architecture.md, "Layers").

Every module under ``src/crowdform`` is parsed (not imported) and each ``import`` in it -- top level,
inside functions and under ``TYPE_CHECKING`` alike -- is checked against the table below. A module in
a folder the table does not know fails the test, so a new layer is placed on purpose.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import crowdform

PACKAGE_DIR = Path(crowdform.__file__).resolve().parent

# Layer of each top-level part of the package: a module may import its own layer and lower ranks.
RANK = {
    "__main__": 7,  # `python -m crowdform`: the entry point
    "web": 6,  # FastAPI app factory and the JSON APIs
    "cli": 6,  # Typer commands (peers of web: neither imports the other, but see ALLOWED_EDGES)
    "aws": 5,  # the AWS-compatible endpoint: signatures and the services' wire protocols
    "engine": 4,  # job lifecycle
    "demo": 4,  # engine-level: sets up the demo job through the engine's services
    "hooks": 3,  # run users' hooks (child processes, HTTP)
    "store": 3,  # SQLAlchemy models, connections, migrations
    "storage": 3,  # read/write by URI: local roots, S3
    "builtin": 2,  # Ground Truth's built-in task types over the pure layers; no file or database I/O
    "secrets": 2,
    "settings": 2,
    "groundtruth": 1,  # pure: Ground Truth's contracts
    "manifest": 1,  # pure: manifests, label categories, output lines
    "templating": 1,  # pure: Ground Truth's Liquid dialect
    "consolidation": 1,  # pure (when it appears)
    "errors": 0,
    "untrusted": 0,  # what crowdform refuses in data from outside: anyone may use it
    "unique_ids": 0,  # cheap unique ids (request ids, temporary names): anyone may use it
    "": 0,  # crowdform/__init__.py: the version
}
# Same-rank layers that may import one another, one way only (as the code does today).
SIBLINGS = {
    ("groundtruth", "manifest"),  # groundtruth uses manifest.codec; manifest never imports groundtruth
    ("secrets", "settings"),
    ("demo", "engine"),
    ("hooks", "storage"),  # allowed by the architecture sketch; unused today
    ("untrusted", "errors"),  # its refusals are InvalidInput
}
# Single module-to-module exceptions, each with its reason. Every entry must still be in use.
ALLOWED_EDGES = {
    ("crowdform.cli.serve", "crowdform.web.app"): "`crowdform serve` and `demo` run the one app factory (lazily)",
    ("crowdform.cli.templates", "crowdform.web.preview_app"): "`crowdform preview` serves the preview app (lazily)",
}
# The pure layers import the standard library, crowdform.errors and crowdform.untrusted, their own
# package, their siblings above, and these third-party packages only.
PURE = {"groundtruth": set(), "manifest": set(), "templating": {"liquid", "markupsafe"},
        "consolidation": {"numpy", "scipy"}}


def module_name(path: Path, package_dir: Path = PACKAGE_DIR) -> str:
    parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def imports_of(path: Path, module: str, package_dir: Path = PACKAGE_DIR) -> list[tuple[int, str]]:
    """(line, imported module) for every import statement in the file, relative ones resolved."""
    found = []
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            if target.startswith("crowdform"):  # `from crowdform.x import y` may import module x.y
                found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names
                          if _is_module(f"{target}.{alias.name}", package_dir)]
    return found


def _is_module(name: str, package_dir: Path) -> bool:
    relative = Path(*name.split(".")[1:])
    return (package_dir / relative).with_suffix(".py").is_file() or (package_dir / relative / "__init__.py").is_file()


def all_modules(package_dir: Path = PACKAGE_DIR) -> list[tuple[str, Path]]:
    return sorted((module_name(p, package_dir), p) for p in package_dir.rglob("*.py"))


def upward_imports(package_dir: Path = PACKAGE_DIR) -> tuple[list[str], set[tuple[str, str]]]:
    """Imports of a higher layer (as ``file:line: ...`` texts), and the ALLOWED_EDGES that were used."""
    wrong = []
    used_exceptions = set()
    for module, path in all_modules(package_dir):
        here = layer_of(module)
        for line, target in imports_of(path, module, package_dir):
            if target != "crowdform" and not target.startswith("crowdform."):
                continue
            there = layer_of(target)
            if there == here or RANK.get(there, 99) < RANK.get(here, -1) or (here, there) in SIBLINGS:
                continue
            if (module, target) in ALLOWED_EDGES:
                used_exceptions.add((module, target))
                continue
            wrong.append(f"{path.relative_to(package_dir.parent)}:{line}: {here or 'crowdform'} imports {target}")
    return wrong, used_exceptions


def impure_imports(layer: str, package_dir: Path = PACKAGE_DIR) -> list[str]:
    """Imports of a pure layer that are neither the standard library nor allowed by the table."""
    allowed_crowdform = {layer, "errors", "untrusted"} | {there for here, there in SIBLINGS if here == layer}
    wrong = []
    for module, path in all_modules(package_dir):
        if layer_of(module) != layer:
            continue
        for line, target in imports_of(path, module, package_dir):
            top = target.split(".")[0]
            if top == "crowdform":
                ok = layer_of(target) in allowed_crowdform
            else:
                ok = top in sys.stdlib_module_names or top == "__future__" or top in PURE[layer]
            if not ok:
                wrong.append(f"{path.relative_to(package_dir.parent)}:{line}: imports {target}")
    return wrong


def test_the_scan_sees_the_whole_package() -> None:
    modules = dict(all_modules())
    assert {"crowdform.cli.main", "crowdform.engine.tasks", "crowdform.store.models", "crowdform.manifest.reader",
            "crowdform.groundtruth.layout", "crowdform.web.app", "crowdform.hooks.child"} <= set(modules)
    edges = {(m, target) for m, p in modules.items() for _, target in imports_of(p, m)}
    assert ("crowdform.engine.ingest", "crowdform.manifest.reader") in edges
    assert ("crowdform.cli.serve", "crowdform.web.app") in edges  # imported inside a function: still seen
    assert ("crowdform.manifest.reader", "crowdform.manifest.codec") in edges  # `from crowdform.manifest import codec`


def test_the_checks_catch_violations_in_a_made_up_package(tmp_path: Path) -> None:
    fake = tmp_path / "crowdform"
    files = {
        "__init__.py": "",
        "errors.py": "",
        "engine/__init__.py": "",
        "engine/jobs.py": "from crowdform.manifest import reader\n",  # fine: downward
        "manifest/__init__.py": "",
        "manifest/reader.py": "import json\nimport numpy\nfrom ..groundtruth import layout\n",
        "groundtruth/__init__.py": "",
        "groundtruth/layout.py": "from crowdform.manifest.reader import read\nfrom crowdform.errors import X\n",
        "storage/__init__.py": "",
        "storage/s3.py": "def f():\n    from crowdform.engine import jobs\n",
    }
    for name, text in files.items():
        (fake / name).parent.mkdir(parents=True, exist_ok=True)
        (fake / name).write_text(text)
    wrong, _ = upward_imports(fake)
    assert wrong == ["crowdform/manifest/reader.py:3: manifest imports crowdform.groundtruth",
                     "crowdform/manifest/reader.py:3: manifest imports crowdform.groundtruth.layout",
                     "crowdform/storage/s3.py:2: storage imports crowdform.engine",
                     "crowdform/storage/s3.py:2: storage imports crowdform.engine.jobs"]
    assert impure_imports("manifest", fake) == ["crowdform/manifest/reader.py:2: imports numpy",
                                                "crowdform/manifest/reader.py:3: imports crowdform.groundtruth",
                                                "crowdform/manifest/reader.py:3: imports crowdform.groundtruth.layout"]
    assert impure_imports("groundtruth", fake) == []


def test_every_module_belongs_to_a_known_layer() -> None:
    unknown = sorted(m for m, _ in all_modules() if layer_of(m) not in RANK)
    assert not unknown, f"place these in a layer in tests/test_layers.py (and docs/architecture.md): {unknown}"


def test_no_layer_imports_a_higher_one() -> None:
    wrong, used_exceptions = upward_imports()
    assert not wrong, "lower layers import higher ones:\n" + "\n".join(wrong)
    assert used_exceptions == set(ALLOWED_EDGES), f"unused exceptions: {set(ALLOWED_EDGES) - used_exceptions}"


@pytest.mark.parametrize("layer", sorted(layer for layer in PURE if (PACKAGE_DIR / layer).is_dir()))
def test_pure_layers_import_only_the_standard_library_errors_and_their_siblings(layer: str) -> None:
    wrong = impure_imports(layer)
    assert not wrong, f"crowdform.{layer} must stay pure:\n" + "\n".join(wrong)


def test_builtin_task_types_do_no_io_of_their_own() -> None:
    """crowdform.builtin reads answers and formats labels: the pure layers, numpy and Pillow (for mask PNGs)
    only; storage, the database and HTTP stay with the engine that calls it."""
    allowed_layers = {"builtin", "errors", "groundtruth", "manifest", "consolidation"}
    wrong = [f"{path.name}:{line}: {target}" for module, path in all_modules() if layer_of(module) == "builtin"
             for line, target in imports_of(path, module)
             if (layer_of(target) not in allowed_layers if target.startswith("crowdform")
                 else target.split(".")[0] not in sys.stdlib_module_names | {"__future__", "numpy", "PIL"})]
    assert not wrong, "\n".join(wrong)


def test_manifest_does_not_import_groundtruth_but_groundtruth_may_import_manifest() -> None:
    assert ("manifest", "groundtruth") not in SIBLINGS
    edges = {(layer_of(m), layer_of(t)) for m, p in all_modules() for _, t in imports_of(p, m) if t.startswith("crowdform.")}
    assert ("groundtruth", "manifest") in edges and ("manifest", "groundtruth") not in edges


@pytest.mark.parametrize("layer", ["storage", "store", "hooks"])
def test_infrastructure_layers_do_not_import_engine_web_or_cli(layer: str) -> None:
    modules = [(m, p) for m, p in all_modules() if layer_of(m) == layer]
    assert modules
    wrong = [f"{module}:{line} imports {target}" for module, path in modules
             for line, target in imports_of(path, module)
             if target.startswith("crowdform.") and layer_of(target) in {"engine", "web", "cli", "demo"}]
    assert not wrong


def loaded_after_import(module: str) -> set[str]:
    """The modules loaded in a fresh interpreter by importing ``module``."""
    code = f"import json, sys; import {module}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return set(json.loads(done.stdout))


def test_the_command_line_starts_without_heavy_libraries() -> None:
    loaded = loaded_after_import("crowdform.cli.main")
    assert "crowdform.cli.main" in loaded and "typer" in loaded  # the import did happen
    heavy = {"boto3", "botocore", "s3transfer", "scipy", "PIL", "playwright"}
    assert not {m.split(".")[0] for m in loaded} & heavy


def test_hook_child_processes_load_no_engine_side_libraries() -> None:
    loaded = loaded_after_import("crowdform.hooks.child")
    assert "crowdform.hooks.child" in loaded
    tops = {m.split(".")[0] for m in loaded}
    assert not tops & {"sqlalchemy", "httpx", "boto3", "fastapi", "typer", "alembic"}
    assert not {m for m in loaded if m.startswith(("crowdform.engine", "crowdform.store", "crowdform.storage"))}
