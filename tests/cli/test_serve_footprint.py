"""``crowdform serve`` idles light: a server process and a background process, nothing else (no
multiprocessing resource tracker), and neither holds a library that only busy work needs.

numpy, scipy and Pillow come with the first consolidation of a built-in task type, botocore with the
first AWS request, Alembic only in the short-lived process that migrates, psycopg only on PostgreSQL.
What each process has imported is read from inside it: the test puts a ``sitecustomize`` module on
the server's ``PYTHONPATH`` (nothing in crowdform itself) that writes ``sys.modules`` to a file when
asked. Memory is psutil's, summed over the process tree: RSS (which counts shared library pages
once per process) and PSS (which shares them out); bench/RESULTS.md, "Idle footprint", says where
it goes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.fixtures.servers import free_port

HEAVY = ("numpy", "scipy", "sklearn", "PIL", "botocore", "boto3", "s3transfer", "alembic", "mako")
MB = 2**20
IDLE_PSS_BUDGET = {"sqlite": 120 * MB, "postgresql": 135 * MB}
IDLE_RSS_BUDGET = {"sqlite": 150 * MB, "postgresql": 170 * MB}
IDLE_SECONDS = 3.0  # a few background rounds (tick 0.5 s) after /health answers

DUMPER = '''
import os, sys, threading, time

def _dump_when_asked(folder):
    trigger = os.path.join(folder, "dump")
    while not os.path.exists(trigger):
        time.sleep(0.1)
    path = os.path.join(folder, f"{os.getpid()}.modules")
    with open(path + ".tmp", "w") as out:
        out.write("\\n".join(sorted(sys.modules)))
    os.replace(path + ".tmp", path)

if os.environ.get("FOOTPRINT_MODULES_DIR"):
    threading.Thread(target=_dump_when_asked, args=(os.environ["FOOTPRINT_MODULES_DIR"],), daemon=True).start()
'''


def test_serve_idles_in_two_light_processes(tmp_path: Path, database_url: str) -> None:
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    modules_dir = tmp_path / "modules"
    modules_dir.mkdir()
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(DUMPER)
    port = free_port()
    env = {**os.environ, "CROWDFORM_DATABASE_URL": database_url, "FOOTPRINT_MODULES_DIR": str(modules_dir),
           "PYTHONPATH": os.pathsep.join([str(tmp_path / "site"), os.environ.get("PYTHONPATH", "")])}
    with open(tmp_path / "server.log", "wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "crowdform", "serve", "--port", str(port),
                                   "--data-dir", str(tmp_path / "data")], env=env, cwd=tmp_path,
                                  stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_health(f"http://127.0.0.1:{port}", server, tmp_path / "server.log")
        time.sleep(IDLE_SECONDS)
        root = psutil.Process(server.pid)
        tree = [root, *root.children(recursive=True)]
        commands = [" ".join(process.cmdline()) for process in tree]
        assert len(tree) == 2, commands  # the server and the background process: no resource tracker
        assert "-m crowdform.engine.background_process" in commands[1]
        memory = [process.memory_full_info() for process in tree]
        rss, pss = sum(m.rss for m in memory), sum(m.pss for m in memory)

        (modules_dir / "dump").touch()
        loaded = {process.pid: read_modules(modules_dir / f"{process.pid}.modules") for process in tree}
    finally:
        server.terminate()
        server.wait(timeout=60)

    for pid, modules in loaded.items():
        heavy = sorted({name.partition(".")[0] for name in modules} & set(HEAVY))
        assert heavy == [], f"process {pid} imported {heavy} while idle"
        assert ("psycopg" in modules) == (backend == "postgresql"), pid
        assert "sqlalchemy.dialects.postgresql" not in modules or backend == "postgresql", pid
    assert "crowdform.web.app" in loaded[tree[0].pid]  # the files came from the processes they name
    assert "crowdform.engine.background" in loaded[tree[1].pid]
    assert "multiprocessing" not in loaded[tree[1].pid]
    assert pss <= IDLE_PSS_BUDGET[backend], f"PSS {pss / MB:.1f} MB, RSS {rss / MB:.1f} MB"
    assert rss <= IDLE_RSS_BUDGET[backend], f"RSS {rss / MB:.1f} MB, PSS {pss / MB:.1f} MB"


def test_background_process_exits_when_its_server_is_killed(tmp_path: Path) -> None:
    port = free_port()
    with open(tmp_path / "server.log", "wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "crowdform", "serve", "--port", str(port),
                                   "--data-dir", str(tmp_path / "data")], cwd=tmp_path,
                                  stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_health(f"http://127.0.0.1:{port}", server, tmp_path / "server.log")
        (background,) = psutil.Process(server.pid).children()
    finally:
        server.kill()
        server.wait(timeout=60)
    background.wait(timeout=30)  # it noticed that its parent is gone (psutil.TimeoutExpired if not)


def wait_for_health(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"the server did not start: {log.read_text()}")


def read_modules(path: Path) -> set[str]:
    deadline = time.monotonic() + 30
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return set(path.read_text().split("\n"))
