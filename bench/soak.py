"""Soak: honest and hostile workers against one ``crowdform serve`` for a minute, then the job to its end.

16 honest scripted workers loop next task -> submit over HTTP; 4 hostile ones, all along, send what
a hostile worker sends: answers holding a lone surrogate, bodies over the route's limit (declared,
and streamed without a length), JSON nested 5,000 deep, forged, tampered and genuinely expired
signed file links (one naming the data folder's ``secrets.json``), and wrong passwords for the
honest workers' accounts. After ``--seconds`` the hostile workers stop and the honest ones finish the
job. It reports:

* honest errors (must be 0) and submissions; what each attack got back (every refusal must be a 4xx;
  a 5xx or a dropped connection is listed);
* the server tree's RSS (the ``serve`` process and its descendants, summed), sampled every 0.1 s:
  peak and at the end (must stay below 300 MB), with the idle RSS before the load;
* that the job completes and nothing acknowledged is lost: every answer a worker got a 200 for is a
  submitted lease in the database and an ``answerContent`` in its object's worker-response file, and
  the output manifest has a labeled line for every object.

    .venv/bin/python bench/soak.py [--database-url postgresql://postgres@127.0.0.1:5432/test]

Not a test: it runs for minutes and its figures go to bench/RESULTS.md ("Soak").
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Iterator

import httpx

import benchlib as bl

TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <img src="{{ task.input['source-ref'] | grant_read_access }}" alt="object {{ task.input.n }}">
  <crowd-input name="label" required></crowd-input>
</crowd-form>
"""
OVERSIZED = 17 * bl.MB  # over the answer route's 16 MiB
DEEP = "[" * 5000 + "]" * 5000


class Honest:
    def __init__(self, username: str, token: str) -> None:
        self.username, self.token = username, token
        self.done = 0
        self.errors: list[str] = []
        self.acknowledged: list[tuple[str, str, dict[str, Any]]] = []  # (lease, datasetObjectId, answer)

    def run(self, url: str, job: str, deadline: float) -> None:
        with httpx.Client(base_url=url, timeout=60, trust_env=False,
                          headers={"Authorization": f"Bearer {self.token}"}) as client:
            while time.monotonic() < deadline:
                try:
                    task = client.post(f"/api/v1/worker/jobs/{job}/tasks/next")
                    if task.status_code == 204:
                        listed = client.get("/api/v1/worker/jobs").json()["jobs"]
                        if not any(j["name"] == job for j in listed):
                            return  # the job is over
                        time.sleep(0.1)
                        continue
                    if task.status_code != 200:
                        self.errors.append(f"next {task.status_code} {task.text[:200]}")
                        continue
                    body = task.json()
                    answer = {"label": f"{self.username}:{body['datasetObjectId']}"}
                    saved = client.post(f"/api/v1/worker/tasks/{body['leaseId']}/submit", json={"answer": answer})
                except httpx.HTTPError as error:
                    self.errors.append(f"{type(error).__name__}: {error}")
                    time.sleep(0.1)
                    continue
                if saved.status_code != 200:
                    self.errors.append(f"submit {saved.status_code} {saved.text[:200]}")
                    continue
                self.done += 1
                self.acknowledged.append((body["leaseId"], str(body["datasetObjectId"]), answer))


class Hostile:
    """One hostile worker: the attacks in turn, each response's status counted by attack."""

    def __init__(self, token: str, victim: str, expired_link: str, secrets_uri: str) -> None:
        self.token, self.victim, self.expired_link, self.secrets_uri = token, victim, expired_link, secrets_uri
        self.outcomes: dict[str, Counter[str]] = defaultdict(Counter)
        self.accepted: list[str] = []  # hostile requests answered 2xx that should not have been

    def run(self, url: str, job: str, stop: threading.Event) -> None:
        with httpx.Client(base_url=url, timeout=60, trust_env=False,
                          headers={"Authorization": f"Bearer {self.token}"}) as client:
            turn = 0
            while not stop.is_set():
                lease = self._lease(client, job)
                attacks = [("surrogate login", self._surrogate_login), ("deep login", self._deep_login),
                           ("oversized login", self._oversized_login), ("brute force", self._brute_force)]
                if lease is not None:
                    attacks += [("surrogate answer", lambda c: self._raw_submit(c, lease, '{"answer": {"v": "\\ud800"}}')),
                                ("deep answer", lambda c: self._raw_submit(c, lease, '{"answer": ' + DEEP + '}')),
                                ("forged links", lambda c: self._links(c, lease))]
                    if turn % 4 == 0:  # 17 MiB each: not every turn, or the loopback copy is all the load
                        attacks += [("oversized answer", lambda c: self._oversized(c, lease, streamed=False)),
                                    ("oversized answer, streamed", lambda c: self._oversized(c, lease, streamed=True))]
                for name, attack in attacks:
                    if stop.is_set():
                        return
                    try:
                        for status in attack(client):
                            self._count(name, status)
                    except httpx.HTTPError as error:
                        self._count(name, f"dropped ({type(error).__name__})")
                turn += 1

    def _count(self, name: str, status: int | str) -> None:
        label = str(status) if isinstance(status, str) else f"{status // 100}xx {status}"
        self.outcomes[name][label] += 1
        if isinstance(status, int) and status < 400:
            self.accepted.append(f"{name}: {status}")

    def _lease(self, client: httpx.Client, job: str) -> str | None:
        task = client.post(f"/api/v1/worker/jobs/{job}/tasks/next")  # the one it holds, while it holds one
        return str(task.json()["leaseId"]) if task.status_code == 200 else None

    def _brute_force(self, client: httpx.Client) -> Iterator[int]:
        """A wrong password for an honest worker's account (each costs the server an argon2 hash until
        the account's limit answers 429)."""
        yield client.post("/api/v1/auth/login", json={"username": self.victim, "password": "guess-123456"},
                          headers={"Authorization": ""}).status_code

    def _surrogate_login(self, client: httpx.Client) -> Iterator[int]:
        yield client.post("/api/v1/auth/login", content=b'{"username": "\\ud800x", "password": "x"}',
                          headers={"Content-Type": "application/json", "Authorization": ""}).status_code

    def _deep_login(self, client: httpx.Client) -> Iterator[int]:
        yield client.post("/api/v1/auth/login", content=DEEP.encode(),
                          headers={"Content-Type": "application/json", "Authorization": ""}).status_code

    def _oversized_login(self, client: httpx.Client) -> Iterator[int]:
        body = b'{"username": "' + b"x" * bl.MB + b'", "password": "x"}'
        yield client.post("/api/v1/auth/login", content=body,
                          headers={"Content-Type": "application/json", "Authorization": ""}).status_code

    def _raw_submit(self, client: httpx.Client, lease: str, body: str) -> Iterator[int]:
        yield client.post(f"/api/v1/worker/tasks/{lease}/submit", content=body.encode(),
                          headers={"Content-Type": "application/json"}).status_code

    def _oversized(self, client: httpx.Client, lease: str, *, streamed: bool) -> Iterator[int]:
        chunk = b'{"answer": {"v": "' + b"x" * (OVERSIZED - 32)

        def pieces() -> Iterator[bytes]:
            for start in range(0, len(chunk), bl.MB):
                yield chunk[start:start + bl.MB]
            yield b'"}}'

        content: Any = pieces() if streamed else chunk + b'"}}'
        yield client.post(f"/api/v1/worker/tasks/{lease}/submit", content=content,
                          headers={"Content-Type": "application/json"}).status_code

    def _links(self, client: httpx.Client, lease: str) -> Iterator[int]:
        page = client.get(f"/api/v1/worker/tasks/{lease}/page")
        found = re.search(r"/files/([A-Za-z0-9_\-=]+)\.(\d+)\.([A-Za-z0-9_\-=]+)", page.text)
        if found is None:
            yield page.status_code  # no link to tamper with: the lease expired meanwhile (409)
            return
        uri, expires, mac = found.groups()
        secrets = base64.urlsafe_b64encode(self.secrets_uri.encode()).decode().rstrip("=")
        forged = [f"{secrets}.{expires}.{mac}",  # another file under the same signature
                  f"{uri}.{int(expires) + 86400}.{mac}",  # a later expiry
                  f"{uri}.{expires}.{mac[:-2]}AA",  # a changed signature
                  self.expired_link]  # signed with the real secret, expired an hour ago
        for token in forged:
            yield client.get(f"/files/{token}", headers={"Authorization": ""}).status_code


def setup(folder: Path, url: str, args: argparse.Namespace) -> tuple[str, list[str], list[str], str, str]:
    from crowdform.engine.clock import ManualClock
    from crowdform.engine.file_access import FileAccess
    from crowdform.engine.jobs import Jobs
    from crowdform.engine.workforce import Workforce
    from crowdform.groundtruth.job_request import parse_create_labeling_job

    data = folder / "data"
    images = folder / "img"
    images.mkdir(parents=True)
    for i in range(20):
        (images / f"{i:03d}.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes([i]) * 64)
    manifest = folder / "manifest.jsonl"
    manifest.write_text("".join(json.dumps({"source-ref": (images / f"{i % 20:03d}.png").as_uri(), "n": i}) + "\n"
                                for i in range(args.objects)))
    template = folder / "template.liquid.html"
    template.write_text(TEMPLATE)
    runtime = bl.open_runtime(data, url, roots=(folder,))
    try:
        workforce = Workforce(runtime)
        workforce.create_team(bl.TEAM)
        honest = [f"honest{i:02d}" for i in range(args.honest)]
        hostile = [f"hostile{i}" for i in range(args.hostile)]
        for user in honest + hostile:
            workforce.add_worker(user, team=bl.TEAM, password=bl.WORKER_PASSWORD)
        spec = parse_create_labeling_job(bl.job_request(
            "soak", manifest, folder / "output", template=template, workers_per_object=1,
            max_concurrent=args.max_concurrent, task_time_limit=30), source="bench")
        Jobs(runtime).create(spec, base_dir=folder)
        an_hour_ago = ManualClock(time.time() - 2 * runtime.settings.signed_url_ttl_seconds)
        expired = FileAccess.from_settings(runtime.settings, secret=runtime.signing_secret, storage=runtime.storage,
                                           clock=an_hour_ago).grant((images / "000.png").as_uri())
    finally:
        runtime.close()
    return "soak", honest, hostile, expired.rsplit("/", 1)[1], (data / "secrets.json").resolve().as_uri()


def login(url: str, users: list[str]) -> list[str]:
    with httpx.Client(base_url=url, timeout=60, trust_env=False) as client:
        return [client.post("/api/v1/auth/login", json={"username": u, "password": bl.WORKER_PASSWORD}).json()["token"]
                for u in users]


def job_status(data: Path, url: str, folder: Path, job: str) -> str:
    from crowdform.engine.jobs import Jobs

    runtime = bl.open_runtime(data, url, roots=(folder,))
    try:
        return str(Jobs(runtime).describe(job)["LabelingJobStatus"])
    finally:
        runtime.close()


def check_nothing_lost(data: Path, url: str, folder: Path, job: str, honest: list[Honest],
                       objects: int) -> dict[str, Any]:
    from sqlalchemy import select

    from crowdform.engine.states import LeaseState
    from crowdform.store.models import Lease

    runtime = bl.open_runtime(data, url, roots=(folder,))
    try:
        with runtime.database.read() as connection:
            stored = dict(connection.execute(select(Lease.id, Lease.answer)
                                             .where(Lease.state == LeaseState.SUBMITTED)).all())
    finally:
        runtime.close()
    job_dir = folder / "output" / job
    in_files: dict[str, list[Any]] = defaultdict(list)
    for path in (job_dir / "annotations" / "worker-response").glob("iteration-*/*/*.json"):
        in_files[path.parent.name] += [a["answerContent"] for a in json.loads(path.read_text())["answers"]]
    lines = [json.loads(line) for line in (job_dir / "manifests" / "output" / "output.manifest").read_text().splitlines()]
    acknowledged = [a for h in honest for a in h.acknowledged]
    return {
        "acknowledged": len(acknowledged),
        "missing_in_database": sum(1 for lease, _, answer in acknowledged
                                   if json.loads(stored.get(lease) or "null") != answer),
        "missing_in_worker_response_files": sum(1 for _, obj, answer in acknowledged if answer not in in_files[obj]),
        "output_manifest_lines": len(lines),
        "output_lines_without_label": sum(1 for line in lines if job not in line),
        "objects": objects,
    }


def run(args: argparse.Namespace, base: Path) -> dict[str, Any]:
    rec: dict[str, Any] = {"seconds": args.seconds, "honest_workers": args.honest, "hostile_workers": args.hostile,
                           "objects": args.objects, "machine": bl.machine()}
    data = base / "data"
    with bl.fresh_database(args.database_url, data) as url:
        rec["database"] = bl.database_kind(url)
        job, honest_users, hostile_users, expired, secrets_uri = setup(base, url, args)
        server = bl.start_server(data, url, roots=(base,))
        try:
            time.sleep(3)  # idle: the background process has released the first iteration
            rec["idle_tree_rss_mb"] = round(tree_rss_mb(server.pid), 1)
            honest = [Honest(u, t) for u, t in zip(honest_users, login(server.url, honest_users))]
            hostile = [Hostile(t, victim, expired, secrets_uri)  # each guesses one honest worker's password
                       for t, victim in zip(login(server.url, hostile_users), honest_users)]
            stop = threading.Event()
            drain_deadline = time.monotonic() + args.seconds + args.drain_seconds
            threads = [threading.Thread(target=h.run, args=(server.url, job, drain_deadline)) for h in honest]
            threads += [threading.Thread(target=h.run, args=(server.url, job, stop)) for h in hostile]
            bl.log(f"soak: {args.honest} honest + {args.hostile} hostile workers, {args.seconds:.0f} s, {rec['database']}")
            with bl.Window(watched=server.pid, record=rec):
                for thread in threads:
                    thread.start()
                time.sleep(args.seconds)
                stop.set()
                rec["rss_at_end_of_hostile_load_mb"] = round(tree_rss_mb(server.pid), 1)
                rec["honest_submissions_under_attack"] = sum(h.done for h in honest)
                for thread in threads:
                    thread.join()
            status = wait_for_status(data, url, base, job, "Completed", args.drain_seconds)
            rec["job_status"] = status
            rec["tree_rss_after_mb"] = round(tree_rss_mb(server.pid), 1)
        finally:
            server.stop()
        rec["honest_submissions"] = sum(h.done for h in honest)
        rec["honest_errors"] = sum(len(h.errors) for h in honest)
        rec["honest_error_samples"] = [e for h in honest for e in h.errors][:5]
        outcomes: dict[str, Counter[str]] = defaultdict(Counter)
        for h in hostile:
            for name, counts in h.outcomes.items():
                outcomes[name].update(counts)
        rec["hostile_outcomes"] = {name: dict(counts) for name, counts in sorted(outcomes.items())}
        rec["hostile_accepted"] = [a for h in hostile for a in h.accepted][:10]
        rec["check"] = check_nothing_lost(data, url, base, job, honest, args.objects)
    log_text = server.log_path.read_text(errors="replace") if server.log_path.exists() else ""
    rec["server_log_tracebacks"] = log_text.count("Traceback")
    return rec


def tree_rss_mb(pid: int) -> float:
    import psutil

    root = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / bl.MB


def wait_for_status(data: Path, url: str, folder: Path, job: str, wanted: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        status = job_status(data, url, folder, job)
        if status == wanted or time.monotonic() > deadline:
            return status
        time.sleep(0.5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    bl.add_common_args(ap)
    ap.add_argument("--seconds", type=float, default=60.0, help="how long the hostile workers attack (60)")
    ap.add_argument("--drain-seconds", type=float, default=300.0,
                    help="longest the honest workers then take to finish the job (300)")
    ap.add_argument("--honest", type=int, default=16)
    ap.add_argument("--hostile", type=int, default=4)
    ap.add_argument("--objects", type=int, default=8_000,
                    help="data objects, one answer each (8,000: about what 16 workers answer in the minute on a "
                    "busy 2-core machine)")
    ap.add_argument("--max-concurrent", type=int, default=2_000, help="MaxConcurrentTaskCount (2,000)")
    args = ap.parse_args()
    bl.exit_cleanly_on_sigterm()
    with bl.workdir("soak", args.workdir, args.keep) as base:
        rec = run(args, base)
    c = rec["check"]
    print(bl.table(["database", "honest subs", "honest errors", "idle RSS", "peak RSS", "job", "acked", "lost (db)",
                    "lost (files)", "output lines"],
                   [[rec["database"], rec["honest_submissions"], rec["honest_errors"], rec["idle_tree_rss_mb"],
                     rec["server_peak_rss_mb"], rec["job_status"], c["acknowledged"], c["missing_in_database"],
                     c["missing_in_worker_response_files"], f"{c['output_manifest_lines']}/{c['objects']}"]]))
    for name, counts in rec["hostile_outcomes"].items():
        print(f"  {name}: {counts}")
    path = bl.save_results("soak", rec, args.out)
    print(f"results: {path}")


if __name__ == "__main__":
    main()
