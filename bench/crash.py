"""Crash and restart under load: ``crowdform serve``'s whole process group SIGKILLed mid-load, restarted.

16 scripted workers (threads, httpx) loop next task -> submit against one custom job with a
post-annotation hook that takes a while per call, so that consolidation is nearly always running.
Every ``--interval`` seconds the server's process group (server, background process) is SIGKILLed
and a new ``crowdform serve`` is started on the same port, ``--kills`` times; then the load runs
``--interval`` seconds more, the server stops, and the database is read back.

It reports, per restart: the consolidation batches the killed process had claimed, the seconds from
the new server's start to the first task handed out and to the first acknowledged answer, the
longest pause between acknowledged answers after that, and the "no task" answers the workers got
after it while objects were still queued. At the end: acknowledged
answers missing or changed in the database (must be 0), objects over N answers, (object, worker)
pairs leased twice, and consolidation batches that ran again after being taken over.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as bl  # noqa: E402

POST_HOOK = '''
import json, time
def lambda_handler(event, context):
    time.sleep({seconds})  # a hook that takes a while: consolidation is nearly always in a call
    with open(event["payload"]["s3Uri"].removeprefix("file://")) as f:
        items = json.load(f)
    return [{{"datasetObjectId": item["datasetObjectId"], "consolidatedAnnotation": {{"content": {{
        event["labelAttributeName"]: {{"answers": len(item["annotations"])}}}}}}}} for item in items]
'''


class Crowd:
    """Scripted workers: each loops next -> submit, rides out the server's absence, and records events."""

    def __init__(self, url: str, tokens: list[str], job: str) -> None:
        self.url, self.tokens, self.job = url, tokens, job
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acknowledged: dict[str, dict[str, Any]] = {}  # lease -> the answer the server acknowledged
        self.tasks_at: list[float] = []  # time.monotonic() of every task handed out
        self.acks_at: list[float] = []
        self.empty_at: list[float] = []  # "no task" (204)
        self.errors: dict[str, int] = {}
        self.threads = [threading.Thread(target=self._work, args=(a, t), daemon=True) for a, t in enumerate(tokens)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def _note(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1

    def _work(self, a: int, token: str) -> None:
        import httpx

        task: dict[str, Any] | None = None
        answer: dict[str, str] = {}
        i = 0
        with httpx.Client(base_url=self.url, timeout=10, trust_env=False,
                          headers={"Authorization": f"Bearer {token}"}) as client:
            while not self.stop.is_set():
                try:
                    if task is None:
                        r = client.post(f"/api/v1/worker/jobs/{self.job}/tasks/next")
                        if r.status_code == 204:
                            with self.lock:
                                self.empty_at.append(time.monotonic())
                            time.sleep(0.05)
                            continue
                        if r.status_code != 200:
                            self._note(f"next:{r.status_code}")
                            time.sleep(0.05)
                            continue
                        task = r.json()
                        i += 1
                        answer = {"label": f"w{a}-{i}"}  # sent again as it is if the server goes away meanwhile
                        with self.lock:
                            self.tasks_at.append(time.monotonic())
                    r = client.post(f"/api/v1/worker/tasks/{task['leaseId']}/submit", json={"answer": answer})
                except httpx.TransportError:
                    self._note("transport (server down)")
                    time.sleep(0.05)  # the held task, if any, is submitted again once the server is back
                    continue
                if r.status_code == 200:
                    with self.lock:
                        self.acknowledged[task["leaseId"]] = answer
                        self.acks_at.append(time.monotonic())
                else:
                    self._note(f"submit:{r.status_code}")
                task = None


def setup(folder: Path, url: str, args: argparse.Namespace) -> tuple[str, list[str]]:
    from crowdform.engine.jobs import Jobs
    from crowdform.engine.workforce import Workforce
    from crowdform.groundtruth.job_request import parse_create_labeling_job

    manifest = folder / "manifest.jsonl"
    bl.write_manifest(manifest, args.objects)
    hook = folder / "hooks" / "post.py"
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text(POST_HOOK.format(seconds=args.hook_seconds))
    request = bl.job_request("crash", manifest, folder / "output", template=bl.copy_template(folder),
                             workers_per_object=args.workers_per_object, max_concurrent=args.max_concurrent)
    request["HumanTaskConfig"]["AnnotationConsolidationConfig"] = {"AnnotationConsolidationLambdaArn": str(hook)}
    runtime = bl.open_runtime(folder / "data", url, roots=(folder,))
    try:
        workforce = Workforce(runtime)
        workforce.create_team(bl.TEAM)
        users = [f"worker{i:02d}" for i in range(args.workers)]
        for user in users:
            workforce.add_worker(user, team=bl.TEAM, password=bl.WORKER_PASSWORD)
        Jobs(runtime).create(parse_create_labeling_job(request, source="bench"), base_dir=folder)
    finally:
        runtime.close()
    return "crash", users


def login(url: str, users: list[str]) -> list[str]:
    import httpx

    with httpx.Client(base_url=url, timeout=30, trust_env=False) as client:
        return [client.post("/api/v1/auth/login", json={"username": u, "password": bl.WORKER_PASSWORD}).json()["token"]
                for u in users]


def database_facts(runtime: Any, n: int) -> dict[str, Any]:
    from sqlalchemy import func, select

    from crowdform.engine.states import BatchState, LeaseState, ObjectState
    from crowdform.store.models import ConsolidationBatch, DataObject, Lease

    with runtime.database.read() as c:
        return {
            "submitted": dict(c.execute(select(Lease.id, Lease.answer).where(Lease.state == LeaseState.SUBMITTED)).all()),
            "objects_over_n_answers": c.execute(select(func.count()).select_from(
                select(Lease.object_id).where(Lease.state == LeaseState.SUBMITTED).group_by(Lease.object_id)
                .having(func.count() > n).subquery())).scalar_one(),
            "object_worker_pairs_twice": c.execute(select(func.count()).select_from(
                select(Lease.object_id, Lease.worker_id).group_by(Lease.object_id, Lease.worker_id)
                .having(func.count() > 1).subquery())).scalar_one(),
            "object_counters_over_n": c.execute(select(func.count()).where(
                (DataObject.answers > n) | (DataObject.slots_taken > n))).scalar_one(),
            "queued": c.execute(select(func.count()).where(DataObject.state == ObjectState.QUEUED)).scalar_one(),
            "batches_run_again": c.execute(select(func.count()).where(ConsolidationBatch.attempts > 1)).scalar_one(),
            "batch_attempts_most": c.execute(select(func.max(ConsolidationBatch.attempts))).scalar_one(),
            "batches_running": c.execute(select(func.count()).where(
                ConsolidationBatch.state == BatchState.RUNNING)).scalar_one(),
            "states": dict(c.execute(select(DataObject.state, func.count()).group_by(DataObject.state)).all()),
        }


def first_after(times: list[float], moment: float) -> float | None:
    later = [t for t in times if t >= moment]
    return round(min(later) - moment, 2) if later else None


def run(args: argparse.Namespace, base: Path) -> dict[str, Any]:
    folder = base / ("postgresql" if args.database_url else "sqlite")
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "data"
    rec: dict[str, Any] = {key: getattr(args, key) for key in (
        "workers", "objects", "workers_per_object", "max_concurrent", "kills", "interval", "hook_seconds")}
    env = {"CROWDFORM_CONSOLIDATION_DELAY_SECONDS": "0.5"}
    with bl.fresh_database(args.database_url, data) as url:
        rec["database"] = bl.database_kind(url)
        job, users = setup(folder, url, args)
        server = bl.start_server(data, url, roots=(folder,), extra_env=env, new_session=True)
        rec["first_start_health_s"] = server.startup_s  # the same start on a fresh folder, for comparison
        port = server.port
        tokens = login(server.url, users)
        crowd = Crowd(server.url, tokens, job)
        restarts: list[dict[str, Any]] = []
        watcher = bl.open_runtime(data, url, roots=(folder,))
        try:
            crowd.start()
            for kill in range(1, args.kills + 1):
                time.sleep(args.interval)
                running = database_facts(watcher, args.workers_per_object)["batches_running"]
                killed_at = time.monotonic()
                os.killpg(server.pid, signal.SIGKILL)  # the whole group: server and background process
                server.process.wait(timeout=30)
                started_at = time.monotonic()
                server = bl.start_server(data, url, roots=(folder,), extra_env=env, port=port, new_session=True)
                restarts.append({"kill": kill, "batches_running_at_kill": running,
                                 "acknowledged_before": len(crowd.acknowledged), "killed_at": killed_at,
                                 "started_at": started_at, "health_s": round(time.monotonic() - started_at, 2),
                                 "load_average_1m": round(os.getloadavg()[0], 1)})
                bl.log(f"kill {kill}: {running} consolidation batches running; restarted, /health after "
                       f"{restarts[-1]['health_s']} s")
            time.sleep(args.interval)
        finally:
            crowd.finish()
            server.stop()
        facts = database_facts(watcher, args.workers_per_object)
        watcher.close()
    ends = [r["killed_at"] for r in restarts[1:]] + [float("inf")]
    for r, end in zip(restarts, ends):
        r["first_task_s"] = first_after(crowd.tasks_at, r["started_at"])
        r["first_answer_s"] = first_after(crowd.acks_at, r["started_at"])
        r["no_task_after_restart"] = sum(1 for t in crowd.empty_at if r["started_at"] <= t < end)
        # Once answers flow again, the longest wait between two acknowledged answers until the next kill.
        acks = sorted(t for t in crowd.acks_at if r["started_at"] <= t < end)
        r["longest_pause_s"] = round(max((b - a for a, b in zip(acks, acks[1:])), default=0.0), 2)
        del r["killed_at"], r["started_at"]
    stored = facts.pop("submitted")
    lost = [lease for lease, answer in crowd.acknowledged.items() if json.loads(stored.get(lease, "null")) != answer]
    rec.update(restarts=restarts, acknowledged=len(crowd.acknowledged), acknowledged_lost=len(lost),
               client_errors=crowd.errors, no_task_total=len(crowd.empty_at), **facts)
    return rec


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=16, help="scripted workers (default: %(default)s)")
    ap.add_argument("--objects", type=int, default=30_000, help="objects in the job (default: %(default)s)")
    ap.add_argument("--workers-per-object", type=int, default=2, help="N (default: %(default)s)")
    ap.add_argument("--max-concurrent", type=int, default=1000, help="MaxConcurrentTaskCount (default: %(default)s)")
    ap.add_argument("--kills", type=int, default=3, help="SIGKILLs of the server's process group (default: %(default)s)")
    ap.add_argument("--interval", type=float, default=12.0, help="seconds of load before each kill and after the "
                    "last (default: %(default)s)")
    ap.add_argument("--hook-seconds", type=float, default=0.3, help="time each post-annotation hook call takes "
                    "(default: %(default)s)")
    bl.add_common_args(ap)
    args = ap.parse_args()
    bl.exit_cleanly_on_sigterm()
    with bl.workdir("crash", args.workdir, args.keep) as base:
        rec = run(args, base)
    results = {"benchmark": "crash", "machine": bl.machine(), "argv": sys.argv[1:], "run": rec}
    bl.log(json.dumps(rec))
    print(bl.table(["kill", "batches running at kill", "load avg 1 min", "/health s", "first task s",
                    "first answer s", "longest pause after s", "no task while queued"],
                   [[r["kill"], r["batches_running_at_kill"], r["load_average_1m"], r["health_s"], r["first_task_s"],
                     r["first_answer_s"], r["longest_pause_s"], r["no_task_after_restart"]] for r in rec["restarts"]]))
    print(f"first start of the server, to /health: {rec['first_start_health_s']} s")
    print(bl.table(["database", "acknowledged", "lost", "objects over N", "pairs twice", "counters over N",
                    "batches run again", "most attempts"],
                   [[rec["database"], rec["acknowledged"], rec["acknowledged_lost"], rec["objects_over_n_answers"],
                     rec["object_worker_pairs_twice"], rec["object_counters_over_n"], rec["batches_run_again"],
                     rec["batch_attempts_most"]]]))
    bl.save_results("crash", results, args.out)


if __name__ == "__main__":
    main()
