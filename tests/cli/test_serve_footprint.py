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

from crowdform.engine.jobs import Jobs
from tests.fixtures.servers import free_port
from tests.helpers import open_runtime, synthetic_job, team_with_workers

HEAVY = ("numpy", "scipy", "sklearn", "PIL", "botocore", "boto3", "s3transfer", "alembic", "mako")
MB = 2**20
IDLE_RSS_BUDGET = {"sqlite": 120 * MB, "postgresql": 120 * MB}  # issue 13's goal: serve idles at <= 120 MB
RUNNING_PSS_BUDGET = {"sqlite": 120 * MB, "postgresql": 135 * MB}  # with the background process of a job
RUNNING_RSS_BUDGET = {"sqlite": 150 * MB, "postgresql": 170 * MB}
IDLE_SECONDS = 3.0  # longer than the supervisor's look for running jobs (1 s), a few background rounds

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


def test_serve_idles_in_one_light_process_and_runs_a_light_background_process_for_a_job(
        tmp_path: Path, database_url: str) -> None:
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    modules_dir = tmp_path / "modules"
    modules_dir.mkdir()
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(DUMPER)
    server = start_serve(tmp_path, {"CROWDFORM_DATABASE_URL": database_url, "FOOTPRINT_MODULES_DIR": str(modules_dir),
                                    "PYTHONPATH": os.pathsep.join([str(tmp_path / "site"),
                                                                   os.environ.get("PYTHONPATH", "")])})
    try:
        time.sleep(IDLE_SECONDS)
        root = psutil.Process(server.pid)
        assert root.children(recursive=True) == []  # no job runs: no background process, no resource tracker
        idle = root.memory_full_info()
        (modules_dir / "dump").touch()
        server_modules = read_modules(modules_dir / f"{server.pid}.modules")
        (modules_dir / "dump").unlink()  # the background process, started below, waits for the next one

        runtime = open_runtime(tmp_path, database_url)
        try:
            team_with_workers(runtime, "animal-team", 1)
            synthetic_job(runtime, tmp_path, name="footprint", objects=10, workers_per_object=1)
        finally:
            runtime.close()
        (background,) = wait_for_children(root, 1)
        time.sleep(IDLE_SECONDS)
        assert "-m crowdform.engine.background_process" in " ".join(background.cmdline())
        running = [root.memory_full_info(), background.memory_full_info()]
        (modules_dir / "dump").touch()
        background_modules = read_modules(modules_dir / f"{background.pid}.modules")
    finally:
        server.terminate()
        server.wait(timeout=60)

    for pid, modules in ((server.pid, server_modules), (background.pid, background_modules)):
        heavy = sorted({name.partition(".")[0] for name in modules} & set(HEAVY))
        assert heavy == [], f"process {pid} imported {heavy} while idle"
        assert ("psycopg" in modules) == (backend == "postgresql"), pid
        assert "sqlalchemy.dialects.postgresql" not in modules or backend == "postgresql", pid
    assert "crowdform.web.app" in server_modules  # the files came from the processes they name
    assert "crowdform.engine.background" in background_modules
    assert "multiprocessing" not in background_modules
    assert idle.rss <= IDLE_RSS_BUDGET[backend], f"RSS {idle.rss / MB:.1f} MB, PSS {idle.pss / MB:.1f} MB"
    rss, pss = sum(m.rss for m in running), sum(m.pss for m in running)
    assert pss <= RUNNING_PSS_BUDGET[backend], f"PSS {pss / MB:.1f} MB, RSS {rss / MB:.1f} MB"
    assert rss <= RUNNING_RSS_BUDGET[backend], f"RSS {rss / MB:.1f} MB, PSS {pss / MB:.1f} MB"


def wait_for_children(root: psutil.Process, count: int) -> list[psutil.Process]:
    deadline = time.monotonic() + 30
    while len(children := root.children(recursive=True)) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(children) == count, [" ".join(c.cmdline()) for c in children]
    return children


def test_the_background_process_runs_while_a_job_runs_and_follows_a_killed_server(tmp_path: Path,
                                                                                  database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    try:
        team_with_workers(runtime, "animal-team", 1)
        synthetic_job(runtime, tmp_path, name="first", objects=3, workers_per_object=1)
    finally:
        runtime.close()
    server = start_serve(tmp_path, {"CROWDFORM_DATABASE_URL": database_url, "CROWDFORM_BACKGROUND_LINGER_SECONDS": "1"})
    try:
        root = psutil.Process(server.pid)
        (first,) = wait_for_children(root, 1)  # the job runs: the background process starts
        runtime = open_runtime(tmp_path, database_url)
        try:
            Jobs(runtime).stop("first")
            first.wait(timeout=60)  # the job stopped, and a second later the process went too
            assert Jobs(runtime).get("first").status == "Stopped"
            synthetic_job(runtime, tmp_path, name="second", objects=3, workers_per_object=1)
        finally:
            runtime.close()
        (background,) = wait_for_children(root, 1)  # a new job: a new background process
        assert background.pid != first.pid
    finally:
        server.kill()
        server.wait(timeout=60)
    background.wait(timeout=30)  # it noticed that its parent is gone (psutil.TimeoutExpired if not)


def start_serve(tmp_path: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """``crowdform serve`` on a fresh data folder with these variables, once ``/health`` answers."""
    port = free_port()
    with open(tmp_path / "server.log", "wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "crowdform", "serve", "--port", str(port),
                                   "--data-dir", str(tmp_path / "data")], env={**os.environ, **env}, cwd=tmp_path,
                                  stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_health(f"http://127.0.0.1:{port}", server, tmp_path / "server.log")
    except BaseException:
        server.kill()
        raise
    return server


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
