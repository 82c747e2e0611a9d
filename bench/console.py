"""Console benchmark: the jobs list with 1,000 jobs, and the page of a 100,000-object job.

Set-up: a fresh data folder with ``--jobs`` small jobs (``--objects-per-job`` objects each, a few of
them labeled) and one job of ``--big-objects`` objects, half of them labeled, each with two workers'
submitted answers (rows written straight into the tables: the figures are about reading them).
``crowdform serve`` runs as a subprocess; an administrator signs in over HTTP.

Timed:
* server time per page: the wall time of ``GET`` over loopback (httpx, keep-alive), median and p90
  of ``--repeat`` requests after one warm-up, for the jobs list (default order, sorted by progress,
  a later page), the big job's page (first, last, filtered by state), its summary fragment and the
  viewer of a labeled and of an unlabeled object;
* first contentful paint: ``performance.getEntriesByName('first-contentful-paint')`` in headless
  Chromium (/usr/bin/chromium), a fresh page for each of ``--paints`` loads, median.

    .venv/bin/python bench/console.py           # 1,000 jobs and a 100,000-object job
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as bl  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
ADMIN = ("bench-admin", "bench-admin-pass-1")
BIG = "big-job"
FCP = """() => new Promise((resolve) => {
  const found = () => performance.getEntriesByName('first-contentful-paint')[0];
  const check = () => found() ? resolve(found().startTime) : requestAnimationFrame(check);
  check();
})"""


def set_up(folder: Path, database_url: str, jobs: int, objects_per_job: int, big_objects: int) -> None:
    from sqlalchemy import insert, update

    from crowdform.engine.jobs import Jobs
    from crowdform.engine.states import LeaseState, ObjectState
    from crowdform.engine.workforce import Workforce
    from crowdform.groundtruth.job_request import parse_create_labeling_job
    from crowdform.store.models import DataObject, Lease

    template = bl.copy_template(folder)
    small = folder / "small.manifest"
    bl.write_manifest(small, objects_per_job)
    big = folder / "big.manifest"
    bl.write_manifest(big, big_objects)
    runtime = bl.open_runtime(folder / "data", database_url, roots=(folder,))
    try:
        workforce = Workforce(runtime)
        workforce.create_team(bl.TEAM)
        workers = [workforce.add_worker(f"bench-worker-{i}", team=bl.TEAM, password=bl.WORKER_PASSWORD)[0]
                   for i in range(2)]
        workforce.create_admin(*ADMIN)
        created = Jobs(runtime)

        def create(name: str, manifest: Path) -> Any:
            request = bl.job_request(name, manifest, folder / "output", template=template, workers_per_object=2)
            return created.create(parse_create_labeling_job(request, source="bench"), base_dir=folder)

        bl.log(f"creating {jobs:,} jobs of {objects_per_job} objects")
        for i in range(jobs):
            job = create(f"job-{i:04d}", small)
            with runtime.database.write() as connection:  # a varied progress, for the progress sort
                connection.execute(update(DataObject).where(DataObject.job_id == job.id,
                                                            DataObject.position < i % (objects_per_job + 1))
                                   .values(state=ObjectState.LABELED, label='[{"n": 1}, {"type": "groundtruth/custom"}]'))
        bl.log(f"creating {BIG} with {big_objects:,} objects, half labeled, two answers each")
        job = create(BIG, big)
        answer = json.dumps(bl_answer())
        label = json.dumps([{"annotationsFromAllWorkers": [{"workerId": w.worker_uid, "annotationData": bl_answer()}
                                                             for w in workers]}, {"type": "groundtruth/custom"}])
        with runtime.database.write() as connection:
            ids = [row.id for row in connection.execute(
                DataObject.__table__.select().where(DataObject.job_id == job.id).order_by(DataObject.position))]
            connection.execute(update(DataObject).where(DataObject.job_id == job.id,
                                                        DataObject.position < big_objects // 2)
                               .values(state=ObjectState.LABELED, label=label, answers=2, slots_taken=2, iteration=1))
            now = time.time()
            for start in range(0, len(ids), 5_000):
                connection.execute(insert(Lease), [
                    {"id": f"{object_id:012d}{worker.id:04d}", "job_id": job.id, "object_id": object_id,
                     "worker_id": worker.id, "state": LeaseState.SUBMITTED, "acquired_at": now, "expires_at": now + 600,
                     "submitted_at": now, "answer": answer, "time_spent": 5.0}
                    for object_id in ids[start:start + 5_000] for worker in workers])
    finally:
        runtime.close()


def bl_answer() -> dict[str, Any]:
    return {"annotatedResult": {"boundingBoxes": [{"height": 38, "label": "eye", "left": 64, "top": 96, "width": 80},
                                                  {"height": 53, "label": "nose", "left": 192, "top": 192, "width": 58}],
                                "inputImageProperties": {"height": 480, "width": 640}}}


def sign_in(url: str) -> Any:
    import httpx

    client = httpx.Client(base_url=url, timeout=60, trust_env=False)
    form = client.get("/admin/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf is not None
    answer = client.post("/admin/login", data={"username": ADMIN[0], "password": ADMIN[1], "csrf_token": csrf[1],
                                                "next": "/admin/jobs"})
    assert answer.status_code == 303, answer.text
    return client


def server_times(client: Any, path: str, repeat: int) -> list[float]:
    first = client.get(path)  # warm-up (and a check)
    assert first.status_code == 200, (path, first.status_code, first.text[:500])
    timings = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    return timings


def paints(url: str, cookies: list[dict[str, Any]], paths: list[str], count: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    found: dict[str, list[float]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies(cookies)
        for path in paths:
            found[path] = []
            for _ in range(count + 1):  # the first load warms the browser's cache of CSS and scripts
                page = context.new_page()
                page.goto(url + path)
                found[path].append(float(page.evaluate(FCP)))
                page.close()
            found[path] = found[path][1:]
        browser.close()
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=1000, help="small jobs in the list (default: 1000)")
    ap.add_argument("--objects-per-job", type=int, default=10, help="objects of each small job (default: 10)")
    ap.add_argument("--big-objects", type=int, default=100_000, help="objects of the big job (default: 100000)")
    ap.add_argument("--repeat", type=int, default=30, help="timed requests per page (default: 30)")
    ap.add_argument("--paints", type=int, default=10, help="timed browser loads per page (default: 10)")
    bl.add_common_args(ap)
    args = ap.parse_args()
    bl.exit_cleanly_on_sigterm()
    last = args.big_objects - 1
    pages = {
        "jobs list": "/admin/jobs",
        "jobs list, by progress": "/admin/jobs?sort=progress&order=desc",
        "jobs list, page 20": "/admin/jobs?page=20",
        "jobs list, table refresh": "/admin/jobs?partial=table",
        "big job, page 1": f"/admin/jobs/{BIG}",
        "big job, last page": f"/admin/jobs/{BIG}?page={-(-args.big_objects // 50)}",
        "big job, labeled, page 500": f"/admin/jobs/{BIG}?state=labeled&page=500",
        "big job, summary refresh": f"/admin/jobs/{BIG}?partial=summary",
        "viewer, a labeled object": f"/admin/jobs/{BIG}/objects/0",
        "viewer, last object": f"/admin/jobs/{BIG}/objects/{last}",
    }
    load_before = os.getloadavg()
    with bl.workdir("console", args.workdir, args.keep) as folder, \
            bl.fresh_database(args.database_url, folder / "data") as database_url:
        t0 = time.perf_counter()
        set_up(folder, database_url, args.jobs, args.objects_per_job, args.big_objects)
        bl.log(f"set up in {time.perf_counter() - t0:.0f} s")
        server = bl.start_server(folder / "data", database_url, roots=(folder,))
        try:
            client = sign_in(server.url)
            timings = {name: server_times(client, path, args.repeat) for name, path in pages.items()}
            cookies = [{"name": c.name, "value": c.value, "url": server.url} for c in client.cookies.jar]
            painted = paints(server.url, cookies, [pages["jobs list"], pages["big job, page 1"]], args.paints)
            client.close()
        finally:
            server.stop()
    load_after = os.getloadavg()
    rows = [[name, round(statistics.median(t), 1), round(bl.percentile(t, 90) or 0, 1)] for name, t in timings.items()]
    paint_rows = [[path, round(statistics.median(t), 1), round(max(t), 1)] for path, t in painted.items()]
    result = {"benchmark": "console", "machine": bl.machine(), "argv": sys.argv[1:], "jobs": args.jobs,
              "big_objects": args.big_objects, "load_average_before": load_before, "load_average_after": load_after,
              "server_ms": {name: {"median": r[1], "p90": r[2]} for name, r in zip(timings, rows)},
              "first_contentful_paint_ms": {r[0]: {"median": r[1], "max": r[2]} for r in paint_rows}}
    print(bl.table(["page (GET over loopback)", "median ms", "p90 ms"], rows))
    print()
    print(bl.table(["page (headless Chromium)", "FCP median ms", "FCP max ms"], paint_rows))
    print(f"\nload average (1, 5, 15 min): before {load_before}, after {load_after}")
    bl.save_results("console", result, args.out)


if __name__ == "__main__":
    main()
