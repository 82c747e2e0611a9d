#!/usr/bin/env python3
"""Peer benchmark, crowdform side: the Label Studio workload (../shared/peers/label-studio/) run
against a fresh ``crowdform serve`` through the peer harness, unchanged.

``workload``, ``harness`` and ``report`` are imported from the peer folder (``--peer-dir``, default
``../shared/peers/label-studio`` next to the repository); this file is only the ``harness.Target``
adapter and a CLI like ``ls_bench.py``. It starts ``crowdform serve`` on a fresh data folder (default
SQLite; ``--database-url postgresql://...`` for a fresh PostgreSQL database), runs the phases, stops
the server and writes one results JSON that ``report.py`` reads.

Mapping (Label Studio -> crowdform):
  project        a labeling job. A job's manifest is fixed when it is created (as in Ground Truth),
                 so ``create_project`` only reserves a name; the first import body creates the job.
  create phase   POST /api/v1/jobs of a one-object job (a project cannot exist without tasks here).
  import N       write the JSON Lines manifest ({"source-ref": URL} per task) into the data folder,
                 then POST /api/v1/jobs (CreateLabelingJob body; the server ingests synchronously).
                 Timed from writing the file to the 201. Chunked import (several bodies into one
                 project) has no crowdform equivalent: it is not run (--chunk is set to the largest
                 size, so every phase sends one body per project).
  annotators     workers of one team (created through the engine against the same database), each
                 with its own bearer token from POST /api/v1/auth/login, each its own httpx client
                 (keep-alive), as the harness's Label Studio annotators are.
  next / submit  POST /api/v1/worker/jobs/{job}/tasks/next; POST /api/v1/worker/tasks/{lease}/submit
                 with the two boxes as a crowd-bounding-box answer. On a 204 the worker polls every
                 50 ms: up to 60 s while the job is still Initializing (the server's background loop
                 has not released its first batch yet), up to --wait-204 s while it is InProgress
                 (the next batch comes when the current one is answered); then "no task". The wait
                 counts as next-task latency.
  overlap        NumberOfHumanWorkersPerDataObject.
  export N       the job's answers are seeded straight into the database while the server runs
                 (bulk executemany from this process, in the state consolidation leaves them:
                 objects 'labeled' with label JSON [value, metadata], one SUBMITTED lease each; no
                 worker-response files), then the server's own background work completes the job and
                 writes manifests/output/output.manifest; seed time = POST + seeding + waiting for
                 that. Export = GET /api/v1/jobs/{name}/output-manifest (streamed JSON Lines).
  answers        read back from the database (SUBMITTED leases per object), as a check.

    .venv/bin/python bench/peers/crowdform_target.py --out .cache/peers/crowdform-results/run1.json
    .venv/bin/python ../shared/peers/label-studio/report.py .cache/peers/crowdform-results/run*.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import httpx  # noqa: E402

import benchlib as bl  # noqa: E402

CACHE = Path(os.environ.get("LS_BENCH_CACHE", REPO / ".cache" / "peers")).resolve()


def _peer_dir(argv: list[str]) -> Path:
    for i, a in enumerate(argv):
        if a == "--peer-dir" and i + 1 < len(argv):
            return Path(argv[i + 1]).resolve()
        if a.startswith("--peer-dir="):
            return Path(a.split("=", 1)[1]).resolve()
    return (REPO.parent / "shared" / "peers" / "label-studio").resolve()


PEER = _peer_dir(sys.argv)
sys.path.insert(0, str(PEER))

import harness  # noqa: E402
from harness import MB, ServerError, ServerMeter, log  # noqa: E402
from workload import Workload, boxes_for, crowd_bounding_box  # noqa: E402

TEAM = "annotators"
INITIALIZING_WAIT_S = 60.0  # a new job waits for the background loop to release its first batch
PASSWORD = "bench-annotator-1"


def _fail(kind: str, r: httpx.Response) -> ServerError:
    return ServerError(f"{kind}:{r.status_code}", r.text[:300])


@dataclass
class Project:
    title: str
    name: str
    overlap: int
    job: str | None = None        # the crowdform job name, once the first body created it
    manifest: Path | None = None
    tasks: int = 0


class Body(bytes):
    """An import body: the manifest bytes, with how many tasks it holds and, for the export set-up,
    the workload indices whose answers are to be seeded."""

    tasks: int = 0
    annotated: range | None = None

    @classmethod
    def of(cls, manifest: bytes, tasks: int, annotated: range | None = None) -> "Body":
        body = cls(manifest)
        body.tasks, body.annotated = tasks, annotated
        return body


@dataclass
class Task:
    lease: str
    object_id: str


class _Worker:
    """One crowdform worker with their own bearer token and keep-alive connection."""

    def __init__(self, url: str, token: str, timeout: float, wait_204: float, job_status: Any):
        self.http = httpx.Client(base_url=url, timeout=timeout, trust_env=False,
                                 headers={"Authorization": f"Bearer {token}"})
        self.wait_204 = wait_204
        self.job_status = job_status

    def next_task(self, project: Project) -> Task | None:
        started = time.monotonic()
        deadline = started + self.wait_204
        while True:
            r = self.http.post(f"/api/v1/worker/jobs/{project.job}/tasks/next")
            if r.status_code == 200:
                body = r.json()
                return Task(body["leaseId"], body["datasetObjectId"])
            if r.status_code != 204:
                raise _fail("next", r)
            # Nothing for this worker right now. While the job is Initializing, its first batch is yet to
            # be released by the server's background loop: wait (up to INITIALIZING_WAIT_S). While it is
            # InProgress, the next batch comes once this one is answered: poll for up to --wait-204 s.
            # Either wait counts as next-task latency.
            status = self.job_status(project)
            if status == "Initializing" and time.monotonic() < started + INITIALIZING_WAIT_S:
                time.sleep(0.05)
                continue
            if status != "InProgress" or time.monotonic() >= deadline:
                return None
            time.sleep(0.05)

    def submit(self, project: Project, task: Task, task_index: int) -> None:
        body = {"answer": {"annotatedResult": crowd_bounding_box(boxes_for(task_index))}}
        r = self.http.post(f"/api/v1/worker/tasks/{task.lease}/submit", json=body)
        if r.status_code != 200:
            raise _fail("submit", r)

    def close(self) -> None:
        self.http.close()


class Crowdform:
    """harness.Target over crowdform's admin and worker APIs."""

    identity = "distinct workers (team members, own bearer tokens)"

    def __init__(self, server: bl.Server, admin_token: str, runtime: Any, data_dir: Path, template: Path,
                 timeout: float, wait_204: float):
        self.server, self.runtime, self.data_dir, self.template = server, runtime, data_dir, template
        self.timeout, self.wait_204 = timeout, wait_204
        self.http = httpx.Client(base_url=server.url, timeout=timeout, trust_env=False,
                                 headers={"Authorization": f"Bearer {admin_token}"})
        self._users: list[str] = []
        self._tokens: list[str] = []
        self._names: set[str] = set()
        self.manifests = data_dir / "manifests"
        self.manifests.mkdir(parents=True, exist_ok=True)
        from crowdform.engine.workforce import Workforce

        self.workforce = Workforce(runtime)
        self.seeder_id = self.workforce.add_worker("seeder", team=TEAM, password=PASSWORD)[0].id

    # ---------------------------------------------------------------- projects and import
    def create_project(self, title: str, overlap: int = 1) -> Project:
        name, n = title, 1
        while name.lower() in self._names:
            n += 1
            name = f"{title}-{n}"
        self._names.add(name.lower())
        return Project(title, name, overlap)

    def create_job_now(self, title: str) -> float:
        """The create phase: a one-object job, POST to 201 (seconds)."""
        project = self.create_project(title)
        body = self.encode_tasks([{"image": "http://127.0.0.1:9/img/000000.jpg"}])
        t0 = time.perf_counter()
        self.post_tasks(project, body)
        return time.perf_counter() - t0

    def encode_tasks(self, tasks: list[dict]) -> Body:
        text = "".join(json.dumps({"source-ref": t["image"]}) + "\n" for t in tasks)
        return Body.of(text.encode(), len(tasks))

    def encode_annotated_tasks(self, indices: range) -> Body:
        from workload import task_source

        body = self.encode_tasks([task_source(i) for i in indices])
        body.annotated = indices
        return body

    def post_tasks(self, project: Project, body: Body) -> dict:
        if project.job is not None:
            raise ServerError("import:append", "a crowdform job's manifest is fixed when the job is created; "
                              "more tasks go into a new job")
        path = self.manifests / f"{project.name}.manifest"
        path.write_bytes(body)
        request = bl.job_request(project.name, path, self.data_dir / "output", template=self.template, team=TEAM,
                                 workers_per_object=project.overlap, max_concurrent=min(5000, max(1, body.tasks)))
        t0 = time.perf_counter()
        r = self.http.post("/api/v1/jobs", json=request)
        if r.status_code != 201:
            raise _fail("import", r)
        project.job, project.manifest, project.tasks = project.name, path, body.tasks
        reply = {"duration": time.perf_counter() - t0, **r.json()}
        if body.annotated is not None:
            self._seed_answers(project, body.annotated)
        return reply

    def _seed_answers(self, project: Project, indices: range) -> None:
        """One answer per object, stored as the engine stores a submitted and consolidated answer."""
        from sqlalchemy import bindparam, insert, select, update

        from crowdform.engine.states import LeaseState, ObjectState
        from crowdform.groundtruth.files import custom_metadata, file_timestamp
        from crowdform.groundtruth.layout import JobLayout
        from crowdform.store.models import DataObject, Job, Lease

        created = dt.datetime.now(dt.timezone.utc)
        stamp = file_timestamp(created)
        now = time.time()
        with self.runtime.database.read() as c:
            job_id, output_path = c.execute(select(Job.id, Job.output_path).where(Job.name == project.job)).one()
            objects = c.execute(select(DataObject.id, DataObject.position).where(DataObject.job_id == job_id)
                                .order_by(DataObject.position)).all()
        layout = JobLayout(output_path, project.job)
        set_label = update(DataObject).where(DataObject.id == bindparam("oid")).values(
            state=ObjectState.LABELED, label=bindparam("label"), labeled_at=now, answered_at=now, iteration=1,
            answers=1, slots_taken=1)
        step = 10_000
        for start in range(0, len(objects), step):
            chunk = objects[start:start + step]
            leases, labels = [], []
            for oid, position in chunk:
                answer = {"annotatedResult": crowd_bounding_box(boxes_for(indices[position]))}
                leases.append({"id": uuid.uuid4().hex, "job_id": job_id, "object_id": oid, "worker_id": self.seeder_id,
                               "state": LeaseState.SUBMITTED, "acquired_at": now - 3.5, "expires_at": now + 3600,
                               "submitted_at": now, "answer": json.dumps(answer, separators=(",", ":")),
                               "time_spent": 3.5})
                metadata = custom_metadata(project.job, created,
                                           worker_response_ref=layout.worker_response(1, position, stamp))
                labels.append({"oid": oid, "label": json.dumps([answer, metadata], ensure_ascii=False)})
            with self.runtime.database.write() as c:
                c.execute(insert(Lease), leases)
                c.execute(set_label, labels)
        with self.runtime.database.write() as c:
            c.execute(update(Job).where(Job.id == job_id).values(output_dirty=True))
        # The server's background loop now finds nothing left to do, completes the job and writes its output.
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            d = self.http.get(f"/api/v1/jobs/{project.job}").json()
            if d.get("LabelingJobStatus") == "Completed" and "LabelingJobOutput" in d:
                return
            time.sleep(0.1)
        raise ServerError("seed", f"job {project.job} did not complete with its output in time")

    def counts(self, project: Project) -> dict:
        if project.job is None:
            return {"tasks": 0, "annotations": 0}
        r = self.http.get(f"/api/v1/jobs/{project.job}")
        if r.status_code != 200:
            raise _fail("describe", r)
        c = r.json()["LabelCounters"]
        answered = self.answers_by_task(project)
        return {"tasks": c["TotalLabeled"] + c["FailedNonRetryableError"] + c["Unlabeled"],
                "annotations": sum(len(v) for v in answered.values())}

    # ---------------------------------------------------------------- annotators
    def annotators(self, k: int) -> list[_Worker]:
        with httpx.Client(base_url=self.server.url, timeout=self.timeout, trust_env=False) as c:
            while len(self._users) < k:
                user = f"annotator{len(self._users) + 1:02d}"
                self.workforce.add_worker(user, team=TEAM, password=PASSWORD)
                r = c.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
                if r.status_code != 200:
                    raise _fail("login", r)
                self._users.append(user)
                self._tokens.append(r.json()["token"])
        return [_Worker(self.server.url, t, self.timeout, self.wait_204, self.job_status) for t in self._tokens[:k]]

    def job_status(self, project: Project) -> str | None:
        """The job's LabelingJobStatus (admin DescribeLabelingJob)."""
        r = self.http.get(f"/api/v1/jobs/{project.job}")
        return r.json().get("LabelingJobStatus") if r.status_code == 200 else None

    # ---------------------------------------------------------------- export and checks
    def export(self, project: Project) -> Iterator[bytes]:
        with self.http.stream("GET", f"/api/v1/jobs/{project.job}/output-manifest") as r:
            if r.status_code != 200:
                r.read()
                raise _fail("export", r)
            yield from r.iter_bytes()

    def summarize_export(self, blob: bytes) -> dict:
        lines = [line for line in blob.split(b"\n") if line.strip()]
        return {"tasks": len(lines), "annotations": sum(1 for line in lines if b'-metadata": {' in line)}

    def answers_by_task(self, project: Project) -> dict[Any, list[Any]]:
        from sqlalchemy import select

        from crowdform.engine.states import LeaseState
        from crowdform.store.models import DataObject, Job, Lease

        with self.runtime.database.read() as c:
            rows = c.execute(
                select(DataObject.position, Lease.worker_id).join(Lease, Lease.object_id == DataObject.id)
                .join(Job, Job.id == DataObject.job_id)
                .where(Job.name == project.job, Lease.state == LeaseState.SUBMITTED)).all()
        out: dict[Any, list[Any]] = {}
        for position, worker in rows:
            out.setdefault(position, []).append(worker)
        return out


# --------------------------------------------------------------------------- CLI

def phase_create(target: Crowdform, meter: ServerMeter, reps: int = 5) -> dict:
    """As harness.phase_create, but each repetition creates a (one-object) job: see the mapping above."""
    rec: dict[str, Any] = {"reps": reps, "what": "POST /api/v1/jobs of a one-object job"}
    with meter.phase(rec):
        lat = [target.create_job_now(f"bench-create-{i}") for i in range(reps)]
    from workload import percentile

    rec.update(p50_ms=harness.ms(percentile(lat, 50)), max_ms=harness.ms(max(lat)))
    log(f"create job: p50 {rec['p50_ms']} ms, max {rec['max_ms']} ms")
    return rec


def admin_token(data_dir: Path, url: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROWDFORM_")}
    out = subprocess.run([bl.PYTHON, "-m", "crowdform", "admin", "token", "--label", "peer-bench",
                          "--data-dir", str(data_dir), "--database-url", url],
                         check=True, capture_output=True, text=True, env={**env, "COLUMNS": "500"})
    return out.stdout.strip().splitlines()[-1].strip()


def _machine() -> dict[str, Any]:
    m = bl.machine()
    return {"cores": m["cores"], "cpu": m["cpu_model"], "ram_gb": m["ram_gib"], "platform": m["platform"],
            "python": m["python"]}


def ints(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(",") if x.strip())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peer-dir", type=Path, default=PEER, help="the Label Studio peer folder (default: %(default)s)")
    ap.add_argument("--phases", default="create,import,annotate,export,overlap",
                    help="comma-separated subset of: create,import,annotate,export,overlap (default: all)")
    d = Workload()
    ap.add_argument("--import-sizes", type=ints, default=d.import_sizes, metavar="N,N")
    ap.add_argument("--annotators", type=ints, default=d.annotators, metavar="K,K")
    ap.add_argument("--loop-seconds", type=float, default=d.loop_seconds)
    ap.add_argument("--loop-tasks", type=int, default=d.loop_tasks)
    ap.add_argument("--export-sizes", type=ints, default=d.export_sizes, metavar="N,N")
    ap.add_argument("--wait-204", type=float, default=1.5,
                    help="how long a worker polls after a 204 while the job is still open to them (default: %(default)s)")
    ap.add_argument("--timeout", type=float, default=900.0, help="per-request timeout, seconds")
    ap.add_argument("--database-url", help="postgresql://...: a fresh database on that server (default: SQLite)")
    ap.add_argument("--keep", action="store_true", help="keep the data folder afterwards")
    ap.add_argument("--out", type=Path, help="results JSON (default: $LS_BENCH_CACHE/crowdform-results/<time>.json)")
    args = ap.parse_args()
    bl.exit_cleanly_on_sigterm()

    # One body per project everywhere (see the mapping): the chunk is the largest size in play.
    chunk = max((*args.import_sizes, *args.export_sizes, args.loop_tasks, 1))
    w = Workload(import_sizes=args.import_sizes, import_chunk=chunk, annotators=args.annotators,
                 loop_seconds=args.loop_seconds, loop_tasks=args.loop_tasks, export_sizes=args.export_sizes)
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    out = args.out or CACHE / "crowdform-results" / f"{time.strftime('%Y%m%d-%H%M%S')}.json"

    from crowdform import __version__

    with bl.workdir("peer", CACHE / "crowdform-data" / time.strftime("%Y%m%d-%H%M%S") if args.keep else None) as folder:
        data = folder / "data"
        with bl.fresh_database(args.database_url, data) as url:
            runtime = bl.open_runtime(data, url, roots=(data,))
            from crowdform.engine.workforce import Workforce

            Workforce(runtime).create_team(TEAM)
            token = admin_token(data, url)
            template = bl.copy_template(data)
            server = bl.start_server(data, url, roots=(data,))
            try:
                target = Crowdform(server, token, runtime, data, template, args.timeout, args.wait_204)
                meter = ServerMeter(server.pid).start()
                res: dict[str, Any] = {
                    "server": {"name": "crowdform", "version": __version__, "pid": server.pid,
                               "mode": f"crowdform serve (Uvicorn, 1 server process and 1 background process), "
                                       f"{'PostgreSQL' if bl.database_kind(url) == 'postgresql' else 'SQLite WAL'}",
                               "startup_to_healthy_s": server.startup_s},
                    "date_utc": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M"),
                    "machine": _machine(),
                    "client": {"httpx": httpx.__version__},
                    "workload": {k: v for k, v in vars(w).items()},
                    "mapping": "see bench/peers/crowdform_target.py docstring; chunked import not run",
                    "idle_after_start": {"rss_mb": round(meter.rss() / MB, 1)},
                }
                busy0, client0, server0 = harness.machine_busy_s(), time.process_time(), meter.cpu()
                log(f"crowdform {__version__} at {server.url}, pid {server.pid}, idle RSS "
                    f"{res['idle_after_start']['rss_mb']} MB, started in {server.startup_s} s")
                t0 = time.perf_counter()
                if "create" in phases:
                    res["create"] = phase_create(target, meter)
                if "import" in phases:
                    res["import"] = harness.phase_import(target, meter, w)
                if "annotate" in phases:
                    res["annotate"] = harness.phase_annotate(target, meter, w)
                if "export" in phases:
                    res["export"] = harness.phase_export(target, meter, w)
                if "overlap" in phases:
                    res["overlap"] = harness.phase_overlap(target, meter, w)
                time.sleep(2.0)
                db = data / "crowdform.db"
                res["end"] = {"rss_mb": round(meter.rss() / MB, 1),
                              "sqlite_mb": round(sum(p.stat().st_size for p in data.glob("crowdform.db*")) / MB, 1)
                              if db.is_file() else None,
                              "kernel_peak_rss_mb": round((meter.kernel_peak_rss() or 0) / MB, 1),
                              "bench_wall_s": round(time.perf_counter() - t0, 1)}
                other = harness.machine_busy_s() - busy0 - (time.process_time() - client0) - (meter.cpu() - server0)
                res["end"]["other_procs_cores_avg"] = round(max(0.0, other) / (time.perf_counter() - t0), 2)
                meter.stop()
            finally:
                server.stop()
                runtime.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1))
    log(f"results: {out} ({res['end']})")


if __name__ == "__main__":
    main()
