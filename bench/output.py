#!/usr/bin/env python3
"""Output-manifest benchmark: ``crowdform.engine.output.write_output_manifest`` for a job of N objects
(default 1,000,000) that all carry a label.

Set-up (not timed): a fresh data folder (or PostgreSQL database with ``--database-url``), the job
created from a generated manifest through ``Jobs.create``, then every object's label seeded straight
into the database with an ``executemany`` UPDATE of ``data_objects.label``/``state``/``labeled_at``
in chunks, stored as consolidation stores it: the label column holds JSON ``[value, metadata]``
where value is one worker's two-box ``crowd-bounding-box`` answer and metadata is the custom-job
metadata with a ``worker-response-ref`` (what a job without a consolidation hook writes).

Timed: ``write_output_manifest(runtime, job)`` in a fresh child process, so its peak RSS (the
kernel's VmHWM of that process; ``ru_maxrss`` would start at the parent's peak, since Linux carries
it over ``execve``) is the write's own plus the interpreter's imports; the baseline before the call
is reported too. The file is then checked: N lines, N of them labeled. Target: >= 100,000 lines/s.

``--baseline-src DIR`` also times another crowdform source tree on the same seeded job, in the same
run: the child then runs with ``PYTHONPATH=DIR``. Make DIR from an older commit with
``git archive <commit> src | tar -x -C /tmp/base`` and pass ``/tmp/base/src``. Each of ``--rounds``
rounds times the baseline, then the current src; the files' SHA-256 must be equal (byte-identical
output) and the ratio of the median lines/s is reported.

    .venv/bin/python bench/output.py
    .venv/bin/python bench/output.py --database-url postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/output.py --baseline-src /tmp/base/src --rounds 2
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import benchlib as bl

SEED_CHUNK = 20_000


def label_json(job_name: str, layout: Any, position: int, created: datetime, stamp: str) -> str:
    from crowdform.groundtruth.files import custom_metadata

    j = position % 50
    value = {"annotatedResult": {
        "boundingBoxes": [{"height": 38, "label": "eye", "left": 64 + 3 * j, "top": 96, "width": 80},
                          {"height": 53, "label": "nose", "left": 192, "top": 192 + 2 * j, "width": 58}],
        "inputImageProperties": {"height": 480, "width": 640}}}
    metadata = custom_metadata(job_name, created, worker_response_ref=layout.worker_response(1, position, stamp))
    return json.dumps([value, metadata], ensure_ascii=False)


def setup(folder: Path, url: str, objects: int) -> dict[str, Any]:
    from sqlalchemy import bindparam, select, update

    from crowdform.engine.jobs import Jobs
    from crowdform.engine.states import ObjectState
    from crowdform.engine.workforce import Workforce
    from crowdform.groundtruth.files import file_timestamp
    from crowdform.groundtruth.job_request import parse_create_labeling_job
    from crowdform.store.models import DataObject

    rec: dict[str, Any] = {}
    data = folder / "data"
    manifest = folder / "manifest.jsonl"
    bl.write_manifest(manifest, objects)
    template = bl.copy_template(folder)
    runtime = bl.open_runtime(data, url, roots=(folder,))
    try:
        Workforce(runtime).create_team(bl.TEAM)
        t0 = time.perf_counter()
        job = Jobs(runtime).create(parse_create_labeling_job(
            bl.job_request("output-bench", manifest, folder / "output", template=template), source="bench"),
            base_dir=folder)
        rec["ingest_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        created = datetime.now(timezone.utc)
        stamp = file_timestamp(created)
        layout = job.layout
        stmt = update(DataObject).where(DataObject.id == bindparam("oid")).values(
            label=bindparam("label"), state=ObjectState.LABELED, labeled_at=bindparam("at"), iteration=1)
        now = time.time()
        with runtime.database.read() as c:
            ids = c.execute(select(DataObject.id, DataObject.position).where(DataObject.job_id == job.id)
                            .order_by(DataObject.position)).all()
        for start in range(0, len(ids), SEED_CHUNK):
            rows = [{"oid": oid, "label": label_json(job.name, layout, pos, created, stamp), "at": now}
                    for oid, pos in ids[start:start + SEED_CHUNK]]
            with runtime.database.write() as c:
                c.execute(stmt, rows)
        del ids
        if not url.startswith("sqlite"):
            with runtime.database.write() as c:
                c.exec_driver_sql("ANALYZE data_objects")
        rec["seed_labels_s"] = round(time.perf_counter() - t0, 1)
        rec["job"] = job.name
        rec["output_manifest"] = layout.output_manifest
    finally:
        runtime.close()
    return rec


def child(args: argparse.Namespace) -> None:
    """Runs in a fresh process: time write_output_manifest alone and print a JSON record."""
    import crowdform
    from crowdform.engine.jobs import Jobs
    from crowdform.engine.output import write_output_manifest

    runtime = bl.open_runtime(args.data_dir, args.child_url, roots=(args.data_dir.parent,))
    try:
        job = Jobs(runtime).get(args.job)
        gc.collect()
        rec: dict[str, Any] = {"rss_before_mb": round(bl.rss_mb(), 1),
                               "peak_rss_before_mb": round(bl.vm_hwm_mb(os.getpid()) or 0.0, 1)}
        with bl.Window(postgres=bl.PostgresBackends(bl.postgres_database(args.child_url)), record=rec):
            uri = write_output_manifest(runtime, job)
        # VmHWM, not ru_maxrss: the latter starts at the parent's peak (see benchlib.self_peak_rss_mb).
        rec["peak_rss_mb"] = round(bl.vm_hwm_mb(os.getpid()) or 0.0, 1)
        rec["ru_maxrss_mb"] = round(bl.self_peak_rss_mb(), 1)
        rec["uri"] = uri
        rec["crowdform_src"] = str(Path(crowdform.__file__).resolve().parent.parent)
    finally:
        runtime.close()
    print(json.dumps(rec))


def check(path: Path, lan: str) -> dict[str, Any]:
    lines = labeled = 0
    needle = f'"{lan}-metadata": '.encode()
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for line in f:
            lines += 1
            labeled += needle in line
            digest.update(line)
    return {"lines": lines, "labeled_lines": labeled, "mb": round(path.stat().st_size / bl.MB, 1),
            "sha256": digest.hexdigest()}


def timed_child(folder: Path, url: str, job: str, src: Path | None, objects: int) -> dict[str, Any]:
    """One timed write in a fresh process, with the current src or (``src``) another source tree."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROWDFORM_")}
    env.pop("PYTHONPATH", None)
    if src is not None:
        env["PYTHONPATH"] = str(src.resolve())
    out = subprocess.run([bl.PYTHON, __file__, "--_child", "--_data-dir", str(folder / "data"), "--_url", url,
                          "--_job", job], env=env, capture_output=True, text=True, cwd=folder)
    if out.returncode != 0:
        sys.exit(f"the timed child failed:\n{out.stderr[-3000:]}")
    rec: dict[str, Any] = {"variant": "baseline" if src is not None else "current"}
    rec.update(json.loads(out.stdout.strip().splitlines()[-1]))
    rec.update(check(Path(rec["uri"].removeprefix("file://")), job))
    rec["ok"] = rec["lines"] == rec["labeled_lines"] == objects
    rec["lines_per_s"] = int(objects / rec["wall_s"])
    return rec


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--objects", type=int, default=1_000_000, help="objects in the job (default: %(default)s)")
    ap.add_argument("--baseline-src", type=Path,
                    help="also time this crowdform source tree (the folder holding crowdform/) on the same job")
    ap.add_argument("--rounds", type=int, default=1, help="timed writes per variant (default: %(default)s)")
    ap.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--_data-dir", dest="data_dir", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--_url", dest="child_url", help=argparse.SUPPRESS)
    ap.add_argument("--_job", dest="job", help=argparse.SUPPRESS)
    bl.add_common_args(ap)
    args = ap.parse_args()
    bl.exit_cleanly_on_sigterm()
    if args._child:
        child(args)
        return
    results: dict[str, Any] = {"benchmark": "output", "machine": bl.machine(), "argv": sys.argv[1:]}
    with bl.workdir("output", args.workdir, args.keep) as folder:
        data = folder / "data"
        with bl.fresh_database(args.database_url, data) as url:
            rec: dict[str, Any] = {"objects": args.objects, "database": bl.database_kind(url)}
            bl.log(f"set-up: job of {args.objects:,} objects, labels seeded ({rec['database']})")
            rec.update(setup(folder, url, args.objects))
            bl.log(f"  ingest {rec['ingest_s']} s, labels {rec['seed_labels_s']} s; writing the output manifest")
            runs = []
            for _ in range(args.rounds):
                for src in ([args.baseline_src] if args.baseline_src else []) + [None]:
                    run = timed_child(folder, url, rec["job"], src, args.objects)
                    bl.log(f"  {run}")
                    runs.append(run)
            current = [r for r in runs if r["variant"] == "current"]
            baseline = [r for r in runs if r["variant"] == "baseline"]
            rec.update(current[0])  # the first current run, as before --baseline-src existed
            rec["runs"] = runs
            rec["ok"] = all(r["ok"] for r in runs) and len({r["sha256"] for r in runs}) == 1
            if baseline:
                rec["identical_to_baseline"] = len({r["sha256"] for r in runs}) == 1
                rec["speedup"] = round(statistics.median(r["lines_per_s"] for r in current)
                                       / statistics.median(r["lines_per_s"] for r in baseline), 2)
        results["run"] = rec
    r = results["run"]
    print(bl.table(["database", "variant", "objects", "wall s", "lines/s", "file MB", "peak RSS MB", "RSS before MB",
                    "writer CPU s", "PG backends CPU s", "other procs cores", "result"],
                   [[r["database"], x["variant"], r["objects"], x["wall_s"], x["lines_per_s"], x["mb"],
                     x["peak_rss_mb"], x["rss_before_mb"], x["client_cpu_s"], x.get("postgres_backends_cpu_s", "-"),
                     x["other_procs_cores"], "ok" if x["ok"] else "FAILED"] for x in r["runs"]]))
    if "speedup" in r:
        print(f"current / baseline (median lines/s): {r['speedup']}x; "
              f"output {'byte-identical' if r['identical_to_baseline'] else 'DIFFERENT'}")
    bl.save_results("output", results, args.out)


if __name__ == "__main__":
    main()
