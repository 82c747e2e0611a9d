#!/usr/bin/env python3
"""Worker-loop benchmark: K scripted workers doing next -> submit against a real ``crowdform serve``.

For each K in ``--levels`` (default 1,4,16): a fresh data folder (and a fresh PostgreSQL database
with ``--database-url``), a team of K workers, one custom job of ``--objects`` (200,000) objects with
``--workers-per-object`` (1) answers each and MaxConcurrentTaskCount ``--max-concurrent`` (5,000),
its first batch released during set-up (as the server's first background round would), then
``crowdform serve`` as a subprocess with its default settings. Workers log in over HTTP; then
for ``--seconds`` (30) each loops: POST .../tasks/next, POST .../tasks/{lease}/submit with a
two-box ``crowd-bounding-box`` answer. A 204 from next (the job's current batch is all leased and
the next one not yet released) is counted and retried after ``--empty-pause`` seconds; any other
non-2xx answer is an error (counted, retried after 0.1 s).

Figures: durable submissions/s (submit answered 200 = committed before the reply), p50/p99 of
next and submit, errors, 204s, server CPU (cores and ms per answer), client CPU, peak server RSS,
and the CPU other processes took meanwhile (a noisy machine shows up there). Afterwards the server
is stopped and the database is read back: objects with more than N submitted answers, (object,
worker) pairs leased more than once, acknowledged submissions missing from the database.

Mode (``--mode``): ``pair`` (default) = two requests per answer, next then submit, as above;
``combined`` = one request per answer: POST .../tasks/{lease}/submit with ``"next": true`` submits and
returns the worker's next task in the same reply (a plain next call only starts a worker off, and
follows a reply whose ``next`` is null). In combined mode the latency figures are: "next" = the plain
next calls, "submit" = the combined calls.

Client (``--client``): ``raw`` (default) = all K workers as coroutines on one asyncio loop, each
with its own keep-alive connection and a minimal HTTP/1.1 client (bench/httpclient.py), so the load
generator costs little CPU; ``httpx`` = K threads each with an ``httpx.Client`` (keep-alive), the
usual way to script it, for comparison.

    .venv/bin/python bench/workers.py
    .venv/bin/python bench/workers.py --database-url postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/workers.py --levels 16 --seconds 10 --profile   # py-spy profile of the server
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import benchlib as bl
from httpclient import Connection, HttpError

ERROR_PAUSE_S = 0.1
PY_SPY = bl.CACHE / "tools" / "py-spy" / "bin" / "py-spy"


def answer_body(i: int, then_next: bool = False) -> bytes:
    """The peer workload's answer (two boxes that move a little with i), as a crowd-bounding-box submits it;
    with ``then_next``, the combined submit-and-next request's body."""
    return _BODIES[then_next][i % 50]


def _answer_body(j: int, then_next: bool) -> bytes:
    body: dict[str, Any] = {"answer": {"annotatedResult": {
        "boundingBoxes": [{"height": 38, "label": "eye", "left": 64 + 3 * j, "top": 96, "width": 80},
                          {"height": 53, "label": "nose", "left": 192, "top": 192 + 2 * j, "width": 58}],
        "inputImageProperties": {"height": 480, "width": 640}}}}
    if then_next:
        body["next"] = True
    return json.dumps(body, separators=(",", ":")).encode()


_BODIES = {flag: [_answer_body(j, flag) for j in range(50)] for flag in (False, True)}


@dataclass
class WorkerStats:
    done: int = 0
    empty: int = 0
    next_lat: list[float] = field(default_factory=list)
    submit_lat: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    objects: list[str] = field(default_factory=list)
    ack_times: list[float] = field(default_factory=list)  # perf_counter() of each acknowledged submit
    started: float = 0.0

    def error(self, kind: str, message: str) -> None:
        self.errors[kind] += 1
        if len(self.samples) < 3:
            self.samples.append(f"{kind}: {message}"[:300])


# ------------------------------------------------------------------ clients

async def _raw_worker(host: str, port: int, token: str, job: str, deadline: float, stats: WorkerStats,
                      seed: int, empty_pause: float, combined: bool) -> None:
    conn = Connection(host, port, {"Authorization": f"Bearer {token}"})
    next_request = conn.build("POST", f"/api/v1/worker/jobs/{job}/tasks/next")
    perf = time.perf_counter
    stats.started = perf()
    i = seed
    task: dict[str, Any] | None = None  # combined mode: the task the last reply handed out
    try:
        while time.monotonic() < deadline:
            i += 1
            t0 = t1 = perf()
            if task is None:
                try:
                    status, body = await conn.send(next_request)
                except HttpError as e:
                    stats.error("next:transport", str(e))
                    await asyncio.sleep(ERROR_PAUSE_S)
                    continue
                t1 = perf()
                if status == 204:
                    stats.empty += 1
                    await asyncio.sleep(empty_pause)
                    continue
                if status != 200:
                    stats.error(f"next:{status}", body.decode(errors="replace"))
                    await asyncio.sleep(ERROR_PAUSE_S)
                    continue
                task = json.loads(body)
                stats.next_lat.append(t1 - t0)
            lease = task["leaseId"]
            try:
                status, body = await conn.send(conn.build("POST", f"/api/v1/worker/tasks/{lease}/submit",
                                                          answer_body(i, combined), "application/json"))
            except HttpError as e:
                stats.error("submit:transport", str(e))
                await asyncio.sleep(ERROR_PAUSE_S)
                continue
            t2 = perf()
            if status != 200:
                stats.error(f"submit:{status}", body.decode(errors="replace"))
                task = None
                await asyncio.sleep(ERROR_PAUSE_S)
                continue
            stats.submit_lat.append(t2 - t1)
            stats.acknowledged.append(lease)
            stats.objects.append(task["datasetObjectId"])
            stats.ack_times.append(t2)
            stats.done += 1
            task = json.loads(body)["next"] if combined else None
    finally:
        conn.close()


def run_raw(url: str, tokens: list[str], job: str, seconds: float, empty_pause: float,
            combined: bool) -> tuple[list[WorkerStats], float]:
    host, port = url.split("//", 1)[1].split(":")
    stats = [WorkerStats() for _ in tokens]

    async def main() -> float:
        deadline = time.monotonic() + seconds
        t0 = time.perf_counter()
        await asyncio.gather(*(_raw_worker(host, int(port), tok, job, deadline, stats[a], a * 10_000_000, empty_pause,
                                           combined) for a, tok in enumerate(tokens)))
        return time.perf_counter() - t0

    try:
        import uvloop  # the server runs on uvloop too (uvicorn[standard]); the client may as well

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    return stats, runner(main())


def run_httpx(url: str, tokens: list[str], job: str, seconds: float, empty_pause: float,
              combined: bool) -> tuple[list[WorkerStats], float]:
    import httpx

    stats = [WorkerStats() for _ in tokens]
    barrier = threading.Barrier(len(tokens) + 1)
    deadline = [0.0]

    def work(a: int, token: str) -> None:
        s = stats[a]
        i = a * 10_000_000
        task: dict[str, Any] | None = None
        with httpx.Client(base_url=url, timeout=60, trust_env=False, headers={"Authorization": f"Bearer {token}"}) as c:
            barrier.wait()
            s.started = time.perf_counter()
            while time.monotonic() < deadline[0]:
                i += 1
                t0 = t1 = time.perf_counter()
                if task is None:
                    try:
                        r = c.post(f"/api/v1/worker/jobs/{job}/tasks/next")
                    except httpx.HTTPError as e:
                        s.error("next:transport", repr(e))
                        time.sleep(ERROR_PAUSE_S)
                        continue
                    t1 = time.perf_counter()
                    if r.status_code == 204:
                        s.empty += 1
                        time.sleep(empty_pause)
                        continue
                    if r.status_code != 200:
                        s.error(f"next:{r.status_code}", r.text)
                        time.sleep(ERROR_PAUSE_S)
                        continue
                    task = r.json()
                    s.next_lat.append(t1 - t0)
                try:
                    r = c.post(f"/api/v1/worker/tasks/{task['leaseId']}/submit", content=answer_body(i, combined),
                               headers={"Content-Type": "application/json"})
                except httpx.HTTPError as e:
                    s.error("submit:transport", repr(e))
                    time.sleep(ERROR_PAUSE_S)
                    continue
                t2 = time.perf_counter()
                if r.status_code != 200:
                    s.error(f"submit:{r.status_code}", r.text)
                    task = None
                    time.sleep(ERROR_PAUSE_S)
                    continue
                s.submit_lat.append(t2 - t1)
                s.acknowledged.append(task["leaseId"])
                s.objects.append(task["datasetObjectId"])
                s.ack_times.append(t2)
                s.done += 1
                task = r.json()["next"] if combined else None

    threads = [threading.Thread(target=work, args=(a, t)) for a, t in enumerate(tokens)]
    for t in threads:
        t.start()
    deadline[0] = time.monotonic() + seconds
    t0 = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    return stats, time.perf_counter() - t0


# ------------------------------------------------------------------ one level

def per_window(stats: list[WorkerStats], width: float) -> list[float]:
    """Acknowledged submissions per second in consecutive windows of ``width`` seconds (decay over a run)."""
    starts = [s.started for s in stats if s.started]
    if not starts:
        return []
    base = min(starts)
    counts: Counter[int] = Counter(int((t - base) // width) for s in stats for t in s.ack_times)
    return [round(counts.get(i, 0) / width, 1) for i in range(max(counts) + 1)] if counts else []


def setup(folder: Path, url: str, k: int, args: argparse.Namespace) -> tuple[str, list[str]]:
    from crowdform.engine.jobs import Jobs
    from crowdform.engine.workforce import Workforce
    from crowdform.groundtruth.job_request import parse_create_labeling_job

    data = folder / "data"
    manifest = folder / "manifest.jsonl"
    bl.write_manifest(manifest, args.objects)
    template = bl.copy_template(folder)
    runtime = bl.open_runtime(data, url, roots=(folder,))
    try:
        workforce = Workforce(runtime)
        workforce.create_team(bl.TEAM)
        users = [f"worker{i:02d}" for i in range(k)]
        for user in users:
            workforce.add_worker(user, team=bl.TEAM, password=bl.WORKER_PASSWORD)
        name = f"load-k{k}"
        spec = parse_create_labeling_job(bl.job_request(
            name, manifest, folder / "output", template=template, workers_per_object=args.workers_per_object,
            max_concurrent=args.max_concurrent), source="bench")
        job = Jobs(runtime).create(spec, base_dir=folder)
        # Release the first objects now (what the server's background loop does on its first round), so
        # the clock starts with tasks available, and runs with CROWDFORM_BACKGROUND=false still have work.
        from crowdform.engine.preparation import release_more

        with runtime.database.write() as connection:
            release_more(connection, job, runtime.clock.now())
    finally:
        runtime.close()
    return name, users


def login_all(url: str, users: list[str], job: str, timeout: float = 60.0) -> list[str]:
    import httpx

    with httpx.Client(base_url=url, timeout=30, trust_env=False) as c:
        tokens = [c.post("/api/v1/auth/login", json={"username": u, "password": bl.WORKER_PASSWORD}).json()["token"]
                  for u in users]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:  # the job must be InProgress and offer tasks
            jobs = c.get("/api/v1/worker/jobs", headers={"Authorization": f"Bearer {tokens[0]}"}).json()["jobs"]
            if any(j["name"] == job and j["tasksAvailable"] for j in jobs):
                return tokens
            time.sleep(0.1)
    raise RuntimeError(f"job {job} never offered tasks")


def verify(data: Path, url: str, folder: Path, stats: list[WorkerStats], n: int) -> dict[str, Any]:
    from sqlalchemy import func, select

    from crowdform.engine.states import LeaseState
    from crowdform.store.models import DataObject, Lease

    runtime = bl.open_runtime(data, url, roots=(folder,))
    try:
        with runtime.database.read() as c:
            submitted = set(c.execute(select(Lease.id).where(Lease.state == LeaseState.SUBMITTED)).scalars())
            over_n = c.execute(select(func.count()).select_from(
                select(Lease.object_id).where(Lease.state == LeaseState.SUBMITTED).group_by(Lease.object_id)
                .having(func.count() > n).subquery())).scalar_one()
            twice = c.execute(select(func.count()).select_from(
                select(Lease.object_id, Lease.worker_id).group_by(Lease.object_id, Lease.worker_id)
                .having(func.count() > 1).subquery())).scalar_one()
            counters_over = c.execute(select(func.count()).where(
                (DataObject.answers > n) | (DataObject.slots_taken > n))).scalar_one()
            states = dict(c.execute(select(DataObject.state, func.count()).group_by(DataObject.state)).all())
    finally:
        runtime.close()
    acknowledged = [lease for s in stats for lease in s.acknowledged]
    client_twice = sum(len(s.objects) - len(set(s.objects)) for s in stats)
    return {
        "db_submitted_leases": len(submitted),
        "objects_over_n_answers": over_n,
        "object_worker_pairs_twice": twice,
        "object_counters_over_n": counters_over,
        "client_saw_object_twice": client_twice,
        "acknowledged_missing_in_db": sum(1 for lease in acknowledged if lease not in submitted),
        "object_states": states,
    }


def run_level(k: int, args: argparse.Namespace, base: Path) -> dict[str, Any]:
    folder = base / f"k{k}"
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "data"
    rec: dict[str, Any] = {"k": k, "client": args.client, "mode": args.mode, "server_env": args.server_env,
                           "switch_interval": args.switch_interval, "seconds": args.seconds, "objects": args.objects,
                           "workers_per_object": args.workers_per_object, "max_concurrent": args.max_concurrent}
    with bl.fresh_database(args.database_url, data) as url:
        rec["database"] = bl.database_kind(url)
        t0 = time.perf_counter()
        job, users = setup(folder, url, k, args)
        rec["setup_s"] = round(time.perf_counter() - t0, 1)
        env = dict(kv.split("=", 1) for kv in args.server_env)
        server = bl.start_server(data, url, roots=(folder,), extra_env=env, switch_interval=args.switch_interval)
        rec["server_startup_s"] = server.startup_s
        profiler = None
        try:
            tokens = login_all(server.url, users, job)
            rec["server_idle_rss_mb"] = round(bl.rss_mb(server.pid), 1)
            bl.log(f"K={k}: {args.client} client, {args.mode} mode, {args.seconds:.0f} s, {rec['database']}, server pid {server.pid}")
            if args.profile:
                profiler = start_profiler(server.pid, folder, args.seconds, args.profile == "gil")
            runner = run_raw if args.client == "raw" else run_httpx
            with bl.Window(watched=server.pid, postgres=bl.PostgresBackends(bl.postgres_database(url)), record=rec):
                stats, elapsed = runner(server.url, tokens, job, args.seconds, args.empty_pause,
                                        args.mode == "combined")
            rec["server_vmhwm_mb"] = bl.vm_hwm_mb(server.pid)
        finally:
            server.stop()
            if profiler is not None:
                rec["profile"] = finish_profiler(profiler, folder, args)
        done = sum(s.done for s in stats)
        nxt = [x for s in stats for x in s.next_lat]
        sub = [x for s in stats for x in s.submit_lat]
        errors: Counter[str] = Counter()
        for s in stats:
            errors.update(s.errors)
        ms = lambda v: None if v is None else round(v * 1000, 1)  # noqa: E731
        rec.update(
            elapsed_s=round(elapsed, 2), submissions=done, per_s=round(done / elapsed, 1),
            next_p50_ms=ms(bl.percentile(nxt, 50)), next_p99_ms=ms(bl.percentile(nxt, 99)),
            submit_p50_ms=ms(bl.percentile(sub, 50)), submit_p99_ms=ms(bl.percentile(sub, 99)),
            errors=dict(errors), error_count=sum(errors.values()),
            error_samples=[m for s in stats for m in s.samples][:5], empty_204=sum(s.empty for s in stats),
            per_s_by_5s=per_window(stats, 5.0),
            server_cpu_ms_per_submission=round(1000 * rec["server_cpu_s"] / done, 2) if done else None,
            client_cpu_ms_per_submission=round(1000 * rec["client_cpu_s"] / done, 3) if done else None,
        )
        if "postgres_backends_cpu_s" in rec and done:
            rec["postgres_cpu_ms_per_submission"] = round(1000 * rec["postgres_backends_cpu_s"] / done, 2)
        rec["check"] = verify(data, url, folder, stats, args.workers_per_object)
        c = rec["check"]
        rec["violations"] = c["objects_over_n_answers"] + c["object_worker_pairs_twice"] + c["object_counters_over_n"]
        rec["lost"] = c["acknowledged_missing_in_db"]
    log_tail = server.log_path.read_text(errors="replace")[-2000:] if server.log_path.exists() else ""
    if "Traceback" in log_tail or "ERROR" in log_tail:
        rec["server_log_tail"] = log_tail
    return rec


# ------------------------------------------------------------------ profiling (py-spy)

def start_profiler(pid: int, folder: Path, seconds: float, gil: bool) -> subprocess.Popen[bytes] | None:
    if not PY_SPY.exists():
        bl.log(f"--profile: {PY_SPY} missing; install with: .venv/bin/pip install --target .cache/tools/py-spy py-spy")
        return None
    duration = max(1, int(seconds) - 1)
    out = folder / "profile.txt"
    return subprocess.Popen([str(PY_SPY), "record", "--pid", str(pid), "--duration", str(duration), "--rate", "200",
                             "--format", "raw", "--threads", "--output", str(out), "--nonblocking", *(["--gil"] if gil else [])],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def finish_profiler(profiler: subprocess.Popen[bytes], folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    try:
        profiler.wait(timeout=60)
    except subprocess.TimeoutExpired:
        profiler.kill()
    raw = folder / "profile.txt"
    if not raw.exists():
        return {"error": "py-spy wrote nothing"}
    keep = bl.CACHE / "bench-results" / f"profile-workers-{time.strftime('%Y%m%d-%H%M%S')}.txt"
    keep.parent.mkdir(parents=True, exist_ok=True)
    keep.write_bytes(raw.read_bytes())
    from profile_summary import summarize

    return {"raw": str(keep), **summarize(raw)}


# ------------------------------------------------------------------ main

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--levels", default="1,4,16", help="concurrent workers per run (default: %(default)s)")
    ap.add_argument("--seconds", type=float, default=30.0, help="duration of each level (default: %(default)s)")
    ap.add_argument("--objects", type=int, default=200_000, help="objects in each level's job (default: %(default)s)")
    ap.add_argument("--workers-per-object", type=int, default=1, help="N (default: %(default)s)")
    ap.add_argument("--max-concurrent", type=int, default=5000, help="MaxConcurrentTaskCount (default: %(default)s)")
    ap.add_argument("--client", choices=("raw", "httpx"), default="raw", help="load generator (default: %(default)s)")
    ap.add_argument("--mode", choices=("pair", "combined"), default="pair",
                    help="pair: next then submit (two requests per answer); combined: submit with \"next\": true "
                         "returns the next task (one request per answer) (default: %(default)s)")
    ap.add_argument("--empty-pause", type=float, default=0.02, help="pause after a 204 from next (default: %(default)s)")
    ap.add_argument("--server-env", action="append", default=[], metavar="CROWDFORM_X=V",
                    help="extra environment for the server (e.g. CROWDFORM_OUTPUT_INTERVAL_SECONDS=60); repeatable")
    ap.add_argument("--switch-interval", type=float, metavar="SECONDS",
                    help="experiment: start the server after sys.setswitchinterval(SECONDS) (Python's default: 0.005)")
    ap.add_argument("--profile", nargs="?", const="gil", choices=("gil", "all"),
                    help="sample the server with py-spy (.cache/tools/py-spy): 'gil' (default) samples only the "
                         "thread holding the GIL, i.e. where the Python CPU goes; 'all' samples every non-idle thread")
    bl.add_common_args(ap)
    args = ap.parse_args()
    bl.exit_cleanly_on_sigterm()
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    results: dict[str, Any] = {"benchmark": "workers", "machine": bl.machine(), "argv": sys.argv[1:], "levels": []}
    with bl.workdir("workers", args.workdir, args.keep) as base:
        for k in levels:
            rec = run_level(k, args, base)
            slim = {key: v for key, v in rec.items() if key not in ("profile", "server_log_tail")}
            bl.log(f"  {slim}")
            if "profile" in rec:
                bl.log("  profile: " + json.dumps(rec["profile"].get("top_inclusive", [])[:25]))
            results["levels"].append(rec)
    rows = [[r["k"], r["database"], r["client"], r["mode"], r["per_s"], r["next_p50_ms"], r["next_p99_ms"], r["submit_p50_ms"],
             r["submit_p99_ms"], r["error_count"], r["empty_204"], r["violations"], r["lost"], r["server_cores"],
             r["server_cpu_ms_per_submission"], r.get("postgres_cpu_ms_per_submission", "-"), r["client_cores"],
             r.get("client_cpu_ms_per_submission"), r["server_peak_rss_mb"], r["other_procs_cores"]]
            for r in results["levels"]]
    print(bl.table(["K", "database", "client", "mode", "submissions/s", "next p50 ms", "next p99 ms", "submit p50 ms",
                    "submit p99 ms", "errors", "204s", "violations", "lost", "server cores", "server CPU ms/sub",
                    "PG CPU ms/sub", "client cores", "client CPU ms/sub", "server peak RSS MB", "other procs cores"], rows))
    bl.save_results("workers", results, args.out)


if __name__ == "__main__":
    main()
