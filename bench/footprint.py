"""Idle footprint of ``crowdform serve``: memory of each process of its tree, and where it goes.

1. ``crowdform serve`` on a fresh data folder (or database); once ``/health`` answers and
   ``--idle`` seconds have passed, psutil's RSS, USS and PSS of every process of the tree, and their
   sums. RSS counts a shared page (libpython, libcrypto, a library's ``.so``) once in every process
   that maps it; PSS divides it among them, so the sum of PSS is what the tree costs the machine.
2. Each process's RSS by mapping (``/proc/<pid>/smaps``): Python's objects (anonymous memory and the
   heap), libpython, and the shared libraries.
3. Module groups by size: in a fresh interpreter, the groups a process imports, in the order it
   imports them, each with the RSS it adds (a group's share of what both need is counted where it is
   first imported). Approximate: the server's own objects (the app, its routes, the database pool)
   come on top.

    .venv/bin/python bench/footprint.py [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil

import benchlib as bl

STDLIB = "asyncio+ssl+email.message+importlib.metadata+decimal+uuid+sqlite3"
SERVER_GROUPS = [
    ("standard library the libraries pull in (asyncio, ssl, email, importlib.metadata...)", STDLIB),
    ("SQLAlchemy, core and ORM", "sqlalchemy+sqlalchemy.orm+sqlalchemy.dialects.sqlite"),
    ("the CLI: Typer, Click, Rich", "typer+click+rich.console+rich.text"),
    ("pydantic", "pydantic"),
    ("FastAPI and Starlette (with Jinja2)", "fastapi+fastapi.responses+starlette.templating"),
    ("Uvicorn (uvloop, httptools)", "uvicorn+uvloop+httptools"),
    ("python-liquid (with babel, dateutil, pytz)", "liquid"),
    ("argon2", "argon2"),
    ("crowdform's CLI and engine", "crowdform.cli.main"),
    ("crowdform's web app and AWS endpoint", "crowdform.web.app"),
]
BACKGROUND_GROUPS = [
    ("standard library the libraries pull in", STDLIB),
    ("SQLAlchemy, core and ORM", "sqlalchemy+sqlalchemy.orm+sqlalchemy.dialects.sqlite"),
    ("argon2", "argon2"),
    ("crowdform's engine (background rounds)", "crowdform.engine.background+crowdform.engine.runtime"),
]
ON_FIRST_USE = [
    ("(the server's imports, as the base)", "crowdform.cli.main+crowdform.web.app+uvicorn"),
    ("numpy, scipy, Pillow (built-in consolidation)", "crowdform.builtin.consolidate"),
    ("botocore (first SageMaker request)", "crowdform.aws.service_model+crowdform.aws.validation"),
    ("boto3 (external S3)", "boto3"),
    ("psycopg and SQLAlchemy's PostgreSQL dialect", "psycopg+sqlalchemy.dialects.postgresql"),
    ("Alembic (migrations, in a short-lived process)", "alembic.command+alembic.config"),
]

GROUP_SIZES = """
import importlib, json, psutil, sys
process = psutil.Process()
out = [["python itself", process.memory_info().rss]]
for name, modules in json.loads(sys.argv[1]):
    before = process.memory_info().rss
    for module in modules.split("+"):
        importlib.import_module(module)
    out.append([name, process.memory_info().rss - before])
print(json.dumps(out))
"""


def group_sizes(groups: list[tuple[str, str]]) -> list[tuple[str, float]]:
    import json

    done = subprocess.run([bl.PYTHON, "-c", GROUP_SIZES, json.dumps(groups)], capture_output=True, text=True,
                          check=True)
    return [(name, round(size / bl.MB, 1)) for name, size in json.loads(done.stdout)]


def by_mapping(pid: int) -> dict[str, float]:
    groups: collections.Counter[str] = collections.Counter()
    current = ""
    with open(f"/proc/{pid}/smaps") as smaps:
        for line in smaps:
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                parts = line.split()
                path = parts[5] if len(parts) > 5 else ""
                if not path or path in ("[heap]", "[stack]"):
                    current = "Python objects (anonymous, heap, stacks)"
                elif "libpython" in path:
                    current = "libpython"
                elif "site-packages/" in path:
                    current = "extension modules of packages"
                elif "lib-dynload" in path:
                    current = "extension modules of the standard library"
                else:
                    current = "system libraries (libc, libcrypto, libssl...)"
            elif line.startswith("Rss:"):
                groups[current] += int(line.split()[1]) * 1024
    return {name: round(size / bl.MB, 1) for name, size in groups.most_common()}


def measure_tree(args: argparse.Namespace, base: Path) -> dict[str, Any]:
    rec: dict[str, Any] = {}
    data = base / "data"
    with bl.fresh_database(args.database_url, data) as url:
        rec["database"] = bl.database_kind(url)
        server = bl.start_server(data, url, roots=(base,))
        try:
            time.sleep(args.idle)
            root = psutil.Process(server.pid)
            processes = []
            for process in [root, *root.children(recursive=True)]:
                memory = process.memory_full_info()
                processes.append({"pid": process.pid, "command": " ".join(process.cmdline()[1:4]),
                                  "rss_mb": round(memory.rss / bl.MB, 1), "uss_mb": round(memory.uss / bl.MB, 1),
                                  "pss_mb": round(memory.pss / bl.MB, 1), "by_mapping": by_mapping(process.pid)})
        finally:
            server.stop()
    rec["processes"] = processes
    for key in ("rss_mb", "uss_mb", "pss_mb"):
        rec[f"tree_{key}"] = round(sum(p[key] for p in processes), 1)
    return rec


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    bl.add_common_args(ap)
    ap.add_argument("--idle", type=float, default=5.0, help="seconds to idle after /health answers (5)")
    args = ap.parse_args()
    bl.exit_cleanly_on_sigterm()
    with bl.workdir("footprint", args.workdir, args.keep) as base:
        rec = measure_tree(args, base)
    rec["machine"] = bl.machine()
    rec["server_groups_mb"] = group_sizes(SERVER_GROUPS)
    rec["background_groups_mb"] = group_sizes(BACKGROUND_GROUPS)
    rec["on_first_use_mb"] = group_sizes(ON_FIRST_USE)
    print(bl.table(["process", "RSS MB", "USS MB", "PSS MB"],
                   [[p["command"], p["rss_mb"], p["uss_mb"], p["pss_mb"]] for p in rec["processes"]]
                   + [[f"tree ({rec['database']})", rec["tree_rss_mb"], rec["tree_uss_mb"], rec["tree_pss_mb"]]]))
    for p in rec["processes"]:
        print(f"\n{p['command']}: " + ", ".join(f"{k} {v}" for k, v in p["by_mapping"].items()))
    for title, key in (("server imports", "server_groups_mb"), ("background process imports", "background_groups_mb"),
                       ("loaded on first use (each on top of the server's imports)", "on_first_use_mb")):
        print(f"\n{title}:")
        print(bl.table(["group", "RSS MB"], [[name, size] for name, size in rec[key]]))
    print(f"results: {bl.save_results('footprint', rec, args.out)}")


if __name__ == "__main__":
    sys.exit(main())
