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

``--baseline-src DIR`` compares another crowdform source tree with the current one in the same run:
each of ``--rounds`` rounds runs the modes once with ``PYTHONPATH=DIR`` (the baseline), then once
with the current src, each in a fresh child process of this script (so the engine mode's peak RSS
is that child's own), on the same manifest, each on a fresh data folder/database. Make DIR with
``git archive <commit> src | tar -x -C /tmp/base`` and pass ``/tmp/base/src``. The ratio of the
median lines/s per mode is reported.

    .venv/bin/python bench/ingest.py
    .venv/bin/python bench/ingest.py --database-url postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/ingest.py --baseline-src /tmp/base/src --rounds 2
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import benchlib as bl


def engine_run(lines: int, folder: Path, manifest: Path, template: Path, database_url: str | None,
               tag: str = "") -> dict[str, Any]:
    from sqlalchemy import func, select

    import crowdform
    from crowdform.engine.jobs import Jobs
    from crowdform.engine.workforce import Workforce
    from crowdform.groundtruth.job_request import parse_create_labeling_job
    from crowdform.store.models import DataObject

    data = folder / f"data-engine{tag}"
    rec: dict[str, Any] = {"mode": "engine", "lines": lines,
                           "crowdform_src": str(Path(crowdform.__file__).resolve().parent.parent)}
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


def cli_run(lines: int, folder: Path, manifest: Path, template: Path, database_url: str | None,
            tag: str = "") -> dict[str, Any]:
    data = folder / f"data-cli{tag}"
    rec: dict[str, Any] = {"mode": "cli", "lines": lines, "pythonpath": os.environ.get("PYTHONPATH", "")}
    request = folder / f"request-cli{tag}.json"
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


def run_modes(modes: list[str], lines: int, folder: Path, manifest: Path, template: Path,
              database_url: str | None, tag: str = "") -> list[dict[str, Any]]:
    runs = []
    for mode in modes:
        bl.log(f"{mode}: ingesting {lines:,} lines ({'PostgreSQL' if database_url else 'SQLite'})")
        run = (engine_run if mode == "engine" else cli_run)(lines, folder, manifest, template, database_url, tag)
        bl.log(f"  {run}")
        runs.append(run)
        for stale in folder.glob(f"data-{mode}{tag}"):  # a SQLite file per run adds up over rounds
            if tag:
                shutil.rmtree(stale, ignore_errors=True)
    return runs


def variant_child(args: argparse.Namespace, modes: list[str], folder: Path, manifest: Path, template: Path,
                  src: Path | None, tag: str) -> list[dict[str, Any]]:
    """The modes in a fresh process of this script, with the current src or (``src``) another source tree."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src.resolve())
    else:
        env.pop("PYTHONPATH", None)
    command = [bl.PYTHON, __file__, "--lines", str(args.lines), "--modes", ",".join(modes),
               "--_folder", str(folder), f"--_tag={tag}"]
    if args.database_url:
        command += ["--database-url", args.database_url]
    out = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True)
    if out.returncode != 0:
        sys.exit(f"the {tag} child failed (exit {out.returncode})")
    runs: list[dict[str, Any]] = json.loads(out.stdout.strip().splitlines()[-1])
    for run in runs:
        run["variant"] = "baseline" if src is not None else "current"
    return runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=1_000_000, help="manifest lines (default: %(default)s)")
    ap.add_argument("--modes", default="engine,cli", help="comma-separated: engine, cli (default: %(default)s)")
    ap.add_argument("--baseline-src", type=Path,
                    help="also run this crowdform source tree (the folder holding crowdform/), in the same run")
    ap.add_argument("--rounds", type=int, default=1, help="with --baseline-src: rounds of baseline then current")
    ap.add_argument("--_folder", type=Path, help=argparse.SUPPRESS)  # a variant child: the parent's folder
    ap.add_argument("--_tag", default="", help=argparse.SUPPRESS)
    bl.add_common_args(ap)
    args = ap.parse_args()
    bl.exit_cleanly_on_sigterm()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if args._folder:  # a variant child: the manifest and template are there already
        folder = args._folder
        runs = run_modes(modes, args.lines, folder, folder / "manifest.jsonl", folder / "template.liquid.html",
                         args.database_url, args._tag)
        print(json.dumps(runs))
        return
    results: dict[str, Any] = {"benchmark": "ingest", "machine": bl.machine(), "argv": sys.argv[1:], "runs": []}
    with bl.workdir("ingest", args.workdir, args.keep) as folder:
        manifest = folder / "manifest.jsonl"
        t0 = time.perf_counter()
        size = bl.write_manifest(manifest, args.lines)
        bl.log(f"manifest: {args.lines:,} lines, {size / bl.MB:.1f} MB, written in {time.perf_counter() - t0:.1f} s")
        results["manifest_mb"] = round(size / bl.MB, 1)
        template = bl.copy_template(folder)
        if args.baseline_src:
            for round_ in range(args.rounds):
                for src in (args.baseline_src, None):
                    tag = f"-{'baseline' if src else 'current'}-{round_ + 1}"
                    results["runs"] += variant_child(args, modes, folder, manifest, template, src, tag)
        else:
            results["runs"] = run_modes(modes, args.lines, folder, manifest, template, args.database_url)
    rows = [[r.get("variant", "current"), r["mode"], r["database"], r["lines"], r["wall_s"], r["lines_per_s"],
             r["peak_rss_mb"], r.get("client_cpu_s", 0) + r.get("child_cpu_s", 0),
             r.get("postgres_backends_cpu_s", "-"), r["other_procs_cores"], "ok" if r["ok"] else "FAILED"]
            for r in results["runs"]]
    print(bl.table(["variant", "mode", "database", "lines", "wall s", "lines/s", "peak RSS MB", "crowdform CPU s",
                    "PG backends CPU s", "other procs cores", "result"], rows))
    if args.baseline_src:
        results["speedup"] = {}
        for mode in modes:
            def median(variant: str) -> float:
                return float(statistics.median(r["lines_per_s"] for r in results["runs"]
                                               if r["mode"] == mode and r["variant"] == variant))
            results["speedup"][mode] = round(median("current") / median("baseline"), 2)
        print("current / baseline (median lines/s): "
              + ", ".join(f"{mode} {ratio}x" for mode, ratio in results["speedup"].items()))
    bl.save_results("ingest", results, args.out)


if __name__ == "__main__":
    main()
