"""What the benchmarks share: work folders, fresh databases, manifests, job requests, a server
subprocess, CPU/RSS metering and machine facts. No timing logic of its own beyond metering.

Everything generated goes under ``.cache/bench/`` of the repository (git-ignored) unless a script is
given ``--workdir``; PostgreSQL runs get a database of their own (``crowdform_bench_<hex>``) that is
dropped afterwards.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import psutil

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".cache"
EXAMPLE = REPO / "examples" / "animal-custom-task"
PYTHON = sys.executable
MB = 1024 * 1024
TEAM = "bench-team"
WORKER_PASSWORD = "bench-worker-pass-1"
IMAGE_URI = "s3://bucket/img/{:06d}.jpg"


# ------------------------------------------------------------------ machine and output

def machine() -> dict[str, Any]:
    model = "?"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        model = next(line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name"))
    except (OSError, StopIteration, subprocess.SubprocessError):
        pass
    return {"cores": os.cpu_count(), "cpu_model": model,
            "ram_gib": round(psutil.virtual_memory().total / 1024 ** 3, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime())}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def save_results(name: str, results: dict[str, Any], out: Path | None) -> Path:
    path = out or CACHE / "bench-results" / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1))
    log(f"results: {path}")
    return path


def table(headers: list[str], rows: list[list[Any]]) -> str:
    def fmt(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:,.1f}" if abs(v) >= 10 else f"{v:,.2f}"
        if isinstance(v, int) and not isinstance(v, bool):
            return f"{v:,}"
        return str(v)
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (as the peer harness computes it)."""
    if not values:
        return None
    s = sorted(values)
    rank = max(1, min(len(s), -(-len(s) * p // 100)))
    return s[int(rank) - 1]


# ------------------------------------------------------------------ folders and databases

@contextmanager
def workdir(name: str, given: Path | None = None, keep: bool = False) -> Iterator[Path]:
    """A fresh folder for one run (removed afterwards unless ``keep`` or ``given``)."""
    if given is not None:
        given.mkdir(parents=True, exist_ok=True)
        yield given.resolve()
        return
    base = CACHE / "bench"
    base.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=base))
    try:
        yield path
    finally:
        if not keep:
            shutil.rmtree(path, ignore_errors=True)


def _psycopg_url(url: str) -> Any:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


@contextmanager
def fresh_database(database_url: str | None, data_dir: Path) -> Iterator[str]:
    """SQLite file in ``data_dir`` when no URL is given; else a new PostgreSQL database on that server."""
    if not database_url:
        data_dir.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{(data_dir / 'crowdform.db').resolve()}"
        return
    from sqlalchemy import create_engine, text

    admin_url = _psycopg_url(database_url)
    host = admin_url.host or ""
    if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("127."):
        sys.exit(f"refusing {host!r}: benchmarks only use a database on loopback")
    name = f"crowdform_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def database_kind(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def postgres_database(url: str) -> str | None:
    return None if url.startswith("sqlite") else _psycopg_url(url).database


# ------------------------------------------------------------------ manifests and job requests

def write_manifest(path: Path, count: int, uri: str = IMAGE_URI, key: str = "source-ref") -> int:
    """``count`` lines ``{"source-ref": "s3://bucket/img/000123.jpg"}``, streamed in chunks; returns bytes."""
    size = 0
    step = 20_000
    with open(path, "w", encoding="utf-8") as f:
        for start in range(0, count, step):
            chunk = "".join(f'{{"{key}": "{uri.format(i)}"}}\n' for i in range(start, min(count, start + step)))
            size += len(chunk)
            f.write(chunk)
    return size


def job_request(name: str, manifest: Path, output: Path, *, template: Path, team: str = TEAM,
                workers_per_object: int = 1, max_concurrent: int = 1000, task_time_limit: int = 3600) -> dict[str, Any]:
    """A CreateLabelingJob body for a custom job without hooks (task.input is the manifest line)."""
    return {
        "LabelingJobName": name,
        "LabelAttributeName": name,
        "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": str(manifest)}}},
        "OutputConfig": {"S3OutputPath": str(output)},
        "HumanTaskConfig": {
            "WorkteamArn": team,
            "UiConfig": {"UiTemplateS3Uri": str(template)},
            "TaskTitle": "Eyes and noses",
            "TaskDescription": "Draw a box around each eye and the nose",
            "TaskKeywords": ["image", "bounding box"],
            "NumberOfHumanWorkersPerDataObject": workers_per_object,
            "TaskTimeLimitInSeconds": task_time_limit,
            "TaskAvailabilityLifetimeInSeconds": 864000,
            "MaxConcurrentTaskCount": max_concurrent,
        },
    }


def copy_template(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "template.liquid.html"
    shutil.copyfile(EXAMPLE / "template.liquid.html", target)
    return target


def open_runtime(data_dir: Path, database_url: str, roots: tuple[Path, ...] = ()) -> Any:
    from crowdform.engine.runtime import Runtime
    from crowdform.settings import Settings

    return Runtime.open(Settings(data_dir=data_dir, database_url=database_url, background=False,
                                 storage_roots=roots or (data_dir.parent,)))


# ------------------------------------------------------------------ metering

def machine_busy_s() -> float:
    t = psutil.cpu_times()
    return t.user + t.nice + t.system + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0)


def proc_cpu_s(proc: psutil.Process | None) -> float:
    """CPU seconds of a process and its live descendants (``serve --workers N``, hook processes)."""
    if proc is None:
        return 0.0
    total = 0.0
    try:
        tree = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0.0
    for p in tree:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def self_peak_rss_mb() -> float:
    """This process's peak RSS as ``ru_maxrss`` (KiB on Linux).

    Caution: Linux carries the peak of the process that called ``execve`` over into the new
    program's ``ru_maxrss`` (and into ``wait4``'s), so for a child started by a big parent it can
    report the parent's peak. :func:`vm_hwm_mb` (the kernel's per-address-space high-water mark,
    reset by ``execve``) is what the child itself used; the scripts report that for children.
    """
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class HwmSampler:
    """Samples a child's VmHWM until it exits (the last reading is its peak RSS)."""

    def __init__(self, pid: int, interval: float = 0.05):
        self.pid, self.interval, self.peak_mb = pid, interval, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            hwm = vm_hwm_mb(self.pid)
            if hwm is None:
                return
            self.peak_mb = max(self.peak_mb, hwm)
            self._stop.wait(self.interval)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join(timeout=5)
        return round(self.peak_mb, 1)


def rss_mb(pid: int | None = None) -> float:
    try:
        return psutil.Process(pid).memory_info().rss / MB
    except psutil.Error:
        return 0.0


def vm_hwm_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class PostgresBackends:
    """CPU seconds of the PostgreSQL backend processes serving one database (found by their titles).

    Sampled every 0.25 s, so the CPU of a backend that exits during the window (a CLI's) still counts
    up to its last sample.
    """

    def __init__(self, database: str | None, interval: float = 0.25):
        self.database = database
        self.interval = interval
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _scan(self) -> dict[int, float]:
        out: dict[int, float] = {}
        if not self.database:
            return out
        for p in psutil.process_iter(["cmdline"]):
            try:
                cmd = " ".join(p.info["cmdline"] or [])
                if cmd.startswith("postgres:") and f" {self.database} " in cmd:
                    out[p.pid] = proc_cpu_s(p)
            except psutil.Error:
                continue
        return out

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self._last.update(self._scan())

    def start(self) -> None:
        if not self.database:
            return
        self._first = self._scan()
        self._last = dict(self._first)
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def cpu_since_start(self) -> float:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._last.update(self._scan())
        return sum(cpu - self._first.get(pid, 0.0) for pid, cpu in self._last.items())


@dataclass
class Window:
    """Wall time, this process's CPU, a watched process's CPU and peak RSS, and everyone else's CPU."""

    watched: int | None = None
    postgres: PostgresBackends | None = None
    interval: float = 0.1
    record: dict[str, Any] = field(default_factory=dict)

    def __enter__(self) -> "Window":
        self._proc = psutil.Process(self.watched) if self.watched else None
        self._peak = rss_mb(self.watched) if self.watched else 0.0
        self._stop = threading.Event()
        if self._proc is not None:
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        if self.postgres:
            self.postgres.start()
        self._t0 = time.perf_counter()
        self._self0 = time.process_time()
        self._children0 = _children_cpu()
        self._proc0 = proc_cpu_s(self._proc)
        self._busy0 = machine_busy_s()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            tree = [self._proc]
            try:
                tree += self._proc.children(recursive=True)  # type: ignore[union-attr]
            except psutil.Error:
                pass
            total = 0.0
            for p in tree:
                try:
                    total += p.memory_info().rss / MB
                except psutil.Error:
                    pass
            self._peak = max(self._peak, total)

    def __exit__(self, *exc: Any) -> None:
        wall = time.perf_counter() - self._t0
        own = time.process_time() - self._self0
        children = _children_cpu() - self._children0
        server = proc_cpu_s(self._proc) - self._proc0
        pg = self.postgres.cpu_since_start() if self.postgres else 0.0
        busy = machine_busy_s() - self._busy0
        self._stop.set()
        r = self.record
        r["wall_s"] = round(wall, 3)
        r["client_cpu_s"] = round(own, 2)
        r["client_cores"] = round(own / wall, 2) if wall else None
        if children:
            r["child_cpu_s"] = round(children, 2)
        if self._proc is not None:
            r["server_cpu_s"] = round(server, 2)
            r["server_cores"] = round(server / wall, 2) if wall else None
            r["server_peak_rss_mb"] = round(self._peak, 1)
        if self.postgres and self.postgres.database:
            r["postgres_backends_cpu_s"] = round(pg, 2)
        other = busy - own - children - server - pg
        r["other_procs_cores"] = round(max(0.0, other) / wall, 2) if wall else None


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


# ------------------------------------------------------------------ the server subprocess

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    port: int
    log_path: Path
    startup_s: float

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM (Uvicorn's graceful shutdown), then SIGKILL by PID if it does not exit in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_server(data_dir: Path, database_url: str, *, roots: tuple[Path, ...] = (),
                 extra_env: dict[str, str] | None = None, timeout: float = 60.0, cwd: Path | None = None,
                 switch_interval: float | None = None, port: int | None = None, new_session: bool = False) -> Server:
    """``crowdform serve`` on a free loopback port (or ``port``), waiting for ``/health``.

    ``new_session`` makes the server lead a process group of its own, which ``crash.py`` kills whole.

    ``switch_interval`` (seconds) runs the same CLI entry point after ``sys.setswitchinterval`` (an
    experiment on the GIL hand-off; crowdform itself leaves Python's default of 0.005 s).
    """
    import httpx

    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROWDFORM_")}
    env.update({"CROWDFORM_DATA_DIR": str(data_dir), "CROWDFORM_DATABASE_URL": database_url,
                "CROWDFORM_STORAGE_ROOTS": os.pathsep.join(str(r) for r in roots)})
    env.update(extra_env or {})
    log_path = data_dir.parent / f"server-{port}.log"
    command = [PYTHON, "-m", "crowdform", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if switch_interval is not None:
        command[1:3] = ["-c", f"import sys; sys.setswitchinterval({switch_interval!r}); "
                              "from crowdform.cli.main import main; main()"]
    t0 = time.perf_counter()
    with open(log_path, "ab") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=cwd or data_dir.parent,
                                   start_new_session=new_session)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{url}/health", timeout=1.0, trust_env=False).status_code == 200:
                return Server(process, url, port, log_path, round(time.perf_counter() - t0, 2))
        except httpx.TransportError:
            time.sleep(0.05)
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)
    raise RuntimeError(f"crowdform serve did not start; its log:\n{log_path.read_text()[-3000:]}")


def exit_cleanly_on_sigterm() -> None:
    """SIGTERM raises SystemExit, so ``finally`` blocks still stop the server and drop the database."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def add_common_args(ap: Any) -> None:
    ap.add_argument("--database-url", help="postgresql://user@127.0.0.1:5432/db: run on a fresh database created on "
                    "that server (and dropped afterwards). Default: SQLite in a fresh data folder.")
    ap.add_argument("--workdir", type=Path, help="folder for generated data (default: a new folder under .cache/bench/)")
    ap.add_argument("--keep", action="store_true", help="keep the generated folder afterwards")
    ap.add_argument("--out", type=Path, help="results JSON (default: .cache/bench-results/<name>-<time>.json)")
