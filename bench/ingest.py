#!/usr/bin/env python3
"""Ingest benchmark: create a job from a generated manifest of N lines (default 1,000,000).

Modes (``--modes``):
  engine  in this process: ``Jobs(runtime).create(spec)`` (the engine call that the CLI and the
          admin API make), timed alone; peak RSS is this process's own ``ru_maxrss``.
  cli     ``crowdform job create --from-request request.json`` as a subprocess on a second fresh
          data folder/database; wall time includes the interpreter start; peak RSS is the child's
          VmHWM, sampled until it exits (``wait4``'s ru_maxrss is recorded too, but Linux carries
          the parent's peak over ``execve`` into it).

Manifest lines look like ``{"source-ref": "s3://bucket/img/000123.jpg"}``. The manifest is written
before the clock starts (it sits in the page cache). SQLite by default (a fresh data folder);
``--database-url postgresql://postgres@127.0.0.1:5432/test`` runs on a fresh PostgreSQL database
created on that server and dropped afterwards. Targets: >= 50,000 lines/s, peak RSS < 300 MB.

    .venv/bin/python bench/ingest.py
    .venv/bin/python bench/ingest.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import benchlib as bl


def engine_run(lines: int, folder: Path, manifest: Path, template: Path, database_url: str | None) -> dict[str, Any]:
    from sqlalchemy import func, select

    from crowdform.engine.jobs import Jobs
    from crowdform.engine.workforce import Workforce
    from crowdform.groundtruth.job_request import parse_create_labeling_job
    from crowdform.store.models import DataObject

    data = folder / "data-engine"
    rec: dict[str, Any] = {"mode": "engine", "lines": lines}
    with bl.fresh_database(database_url, data) as url:
        rec["database"] = bl.database_kind(url)
        runtime = bl.open_runtime(data, url, roots=(folder,))
        try:
            Workforce(runtime).create_team(bl.TEAM)
            spec = parse_create_labeling_job(
                bl.job_request("ingest-engine", manifest, folder / "output", template=template), source="bench")
            gc.collect()
            rec["rss_before_mb"] = round(bl.rss_mb(), 1)
            rec["peak_rss_before_mb"] = round(bl.self_peak_rss_mb(), 1)
            with bl.Window(postgres=bl.PostgresBackends(bl.postgres_database(url)), record=rec):
                job = Jobs(runtime).create(spec, base_dir=folder)
            rec["peak_rss_mb"] = round(bl.self_peak_rss_mb(), 1)
            rec["vm_hwm_mb"] = bl.vm_hwm_mb(os.getpid())
            rec["rss_after_mb"] = round(bl.rss_mb(), 1)
            with runtime.database.read() as connection:
                stored = connection.execute(select(func.count()).where(DataObject.job_id == job.id)).scalar_one()
            rec["rows_stored"] = stored
            rec["ok"] = stored == lines == job.object_count
            rec["lines_per_s"] = int(lines / rec["wall_s"])
        finally:
            runtime.close()
        if url.startswith("sqlite"):
            rec["sqlite_mb"] = round(sum(p.stat().st_size for p in data.glob("crowdform.db*")) / bl.MB, 1)
    return rec


def cli_run(lines: int, folder: Path, manifest: Path, template: Path, database_url: str | None) -> dict[str, Any]:
    data = folder / "data-cli"
    rec: dict[str, Any] = {"mode": "cli", "lines": lines}
    request = folder / "request-cli.json"
    request.write_text(json.dumps(bl.job_request("ingest-cli", manifest, folder / "output", template=template)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROWDFORM_")}
    env["COLUMNS"] = "200"
    with bl.fresh_database(database_url, data) as url:
        rec["database"] = bl.database_kind(url)
        common = ["--data-dir", str(data), "--database-url", url]
        subprocess.run([bl.PYTHON, "-m", "crowdform", "team", "create", bl.TEAM, *common], check=True, env=env,
                       cwd=folder, capture_output=True)
        # The interpreter start and imports alone, for reference (same command, nothing to do).
        t0 = time.perf_counter()
        subprocess.run([bl.PYTHON, "-m", "crowdform", "team", "list", *common], check=True, env=env, cwd=folder,
                       capture_output=True)
        rec["cli_startup_s"] = round(time.perf_counter() - t0, 2)
        command = [bl.PYTHON, "-m", "crowdform", "job", "create", "--from-request", str(request), *common]
        rec["command"] = " ".join(["crowdform", "job", "create", "--from-request", "request.json",
                                   "--data-dir", "DATA", "--database-url", bl.database_kind(url).upper() + "_URL"])
        with bl.Window(postgres=bl.PostgresBackends(bl.postgres_database(url)), record=rec):
            process = subprocess.Popen(command, env=env, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            hwm = bl.HwmSampler(process.pid)
            output = process.stdout.read() if process.stdout else b""  # type: ignore[union-attr]
            _, status, usage = os.wait4(process.pid, 0)
            rec["peak_rss_mb"] = hwm.stop()
            process.returncode = os.waitstatus_to_exitcode(status)
        rec["exit_code"] = process.returncode
        rec["child_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 2)
        # VmHWM sampled until exit; wait4's ru_maxrss may start at this process's own peak (execve).
        rec["wait4_ru_maxrss_mb"] = round(usage.ru_maxrss / 1024, 1)
        rec["stdout_tail"] = output.decode(errors="replace").strip()[-300:]
        rec["ok"] = process.returncode == 0 and f"with {lines:,} data objects" in " ".join(rec["stdout_tail"].split())
        rec["lines_per_s"] = int(lines / rec["wall_s"])
        rec["lines_per_s_without_startup"] = int(lines / max(1e-9, rec["wall_s"] - rec["cli_startup_s"]))
    return rec


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=1_000_000, help="manifest lines (default: %(default)s)")
    ap.add_argument("--modes", default="engine,cli", help="comma-separated: engine, cli (default: %(default)s)")
    bl.add_common_args(ap)
    args = ap.parse_args()
    bl.exit_cleanly_on_sigterm()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    results: dict[str, Any] = {"benchmark": "ingest", "machine": bl.machine(), "argv": sys.argv[1:], "runs": []}
    with bl.workdir("ingest", args.workdir, args.keep) as folder:
        manifest = folder / "manifest.jsonl"
        t0 = time.perf_counter()
        size = bl.write_manifest(manifest, args.lines)
        bl.log(f"manifest: {args.lines:,} lines, {size / bl.MB:.1f} MB, written in {time.perf_counter() - t0:.1f} s")
        results["manifest_mb"] = round(size / bl.MB, 1)
        template = bl.copy_template(folder)
        for mode in modes:
            bl.log(f"{mode}: ingesting {args.lines:,} lines ({'PostgreSQL' if args.database_url else 'SQLite'})")
            run = (engine_run if mode == "engine" else cli_run)(args.lines, folder, manifest, template, args.database_url)
            bl.log(f"  {run}")
            results["runs"].append(run)
    rows = [[r["mode"], r["database"], r["lines"], r["wall_s"], r["lines_per_s"], r["peak_rss_mb"],
             r.get("client_cpu_s", 0) + r.get("child_cpu_s", 0), r.get("postgres_backends_cpu_s", "-"),
             r["other_procs_cores"], "ok" if r["ok"] else "FAILED"] for r in results["runs"]]
    print(bl.table(["mode", "database", "lines", "wall s", "lines/s", "peak RSS MB", "crowdform CPU s",
                    "PG backends CPU s", "other procs cores", "result"], rows))
    bl.save_results("ingest", results, args.out)


if __name__ == "__main__":
    main()
