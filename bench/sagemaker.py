"""SageMaker DescribeLabelingJob under concurrent boto3 clients, and where a request's time goes.

Set-up: a fresh data folder (or PostgreSQL database) with one custom job of ``--objects`` objects
(10,000), ``--labeled`` of them (half) marked labeled and 2% failed, so the label counters have rows
to count (then vacuumed on PostgreSQL, as the background's upkeep would), and an access key; ``crowdform serve`` runs as a subprocess (background work off, so
nothing else runs in the server).

Timed:
* ``--clients`` threads (16), each with its own boto3 SageMaker client, call DescribeLabelingJob
  in a loop for ``--seconds``, after a warm-up; latency per call as the client sees it (signing,
  HTTP over loopback, the server, parsing), p50/p90/p99, calls per second, server and client CPU;
* the same job read through the admin API (``GET /api/v1/jobs/{name}``, a bearer token, the same
  engine call) by as many httpx clients, as the baseline without the AWS layer;
* in this process, one thread, ``--repeat`` times each: the parts of the server's work on one
  request (reading and checking the SigV4 signature with botocore's signer, identifying the signer,
  parsing and validating the body against the service model, the engine's describe, encoding the
  reply), wall and CPU time, to say which part dominates.

    .venv/bin/python bench/sagemaker.py
    .venv/bin/python bench/sagemaker.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as bl  # noqa: E402

JOB = "describe-bench"


def set_up(folder: Path, database_url: str, objects: int, labeled: float) -> tuple[str, str, str]:
    """The job, an access key and an admin token; returns (key id, secret, admin token)."""
    from sqlalchemy import update

    from crowdform.engine.access_keys import AccessKeys
    from crowdform.engine.jobs import Jobs
    from crowdform.engine.states import ObjectState
    from crowdform.engine.workforce import Workforce
    from crowdform.groundtruth.job_request import parse_create_labeling_job
    from crowdform.store.models import DataObject

    template = bl.copy_template(folder)
    manifest = folder / "input.manifest"
    bl.write_manifest(manifest, objects)
    runtime = bl.open_runtime(folder / "data", database_url, roots=(folder,))
    try:
        workforce = Workforce(runtime)
        workforce.create_team(bl.TEAM)
        request = bl.job_request(JOB, manifest, folder / "output", template=template)
        request["RoleArn"] = "arn:aws:iam::123456789012:role/GroundTruth"
        request["Tags"] = [{"Key": "project", "Value": "bench"}]
        job = Jobs(runtime).create(parse_create_labeling_job(request, source="bench"), base_dir=folder)
        with runtime.database.write() as connection:  # rows written straight: the figures are about reading them
            connection.execute(update(DataObject).where(DataObject.job_id == job.id, DataObject.position < int(
                objects * labeled)).values(state=ObjectState.LABELED))
            connection.execute(update(DataObject).where(DataObject.job_id == job.id, DataObject.position >= objects
                                                        - objects // 50).values(state=ObjectState.FAILED))
        if not runtime.database.is_sqlite:  # as the background's upkeep does once 5% of the rows are dead
            with runtime.database.writer.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE data_objects")
        info, secret = AccessKeys(runtime).create("bench")
        return info.access_key_id, secret, workforce.create_admin_token("bench")
    finally:
        runtime.close()


def client(url: str, key: str, secret: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "sagemaker", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}, max_pool_connections=2))


def hammer(call_of: Callable[[int], Callable[[], Any]], clients: int, seconds: float, warmup: float,
           server_pid: int, database_url: str) -> dict[str, Any]:
    """``clients`` threads calling their own call in a loop; latencies of the calls after ``warmup``."""
    calls = [call_of(i) for i in range(clients)]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    start = threading.Barrier(clients + 1)
    stop_at: list[float] = [0.0]
    measuring = threading.Event()

    def run(index: int) -> None:
        call, mine = calls[index], latencies[index]
        start.wait()
        while time.perf_counter() < stop_at[0]:
            t0 = time.perf_counter()
            try:
                call()
            except Exception:  # counted; a benchmark keeps going
                errors[index] += 1
                continue
            if measuring.is_set():
                mine.append(time.perf_counter() - t0)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + warmup + seconds
    start.wait()
    time.sleep(warmup)
    record: dict[str, Any] = {}
    postgres = bl.PostgresBackends(bl.postgres_database(database_url))
    with bl.Window(watched=server_pid, postgres=postgres, record=record):
        measuring.set()
        for thread in threads:
            thread.join()
    flat = [value * 1000 for mine in latencies for value in mine]
    record.update(clients=clients, calls=len(flat), errors=sum(errors),
                  calls_per_s=round(len(flat) / record["wall_s"], 1),
                  p50_ms=round(bl.percentile(flat, 50) or 0, 2), p90_ms=round(bl.percentile(flat, 90) or 0, 2),
                  p99_ms=round(bl.percentile(flat, 99) or 0, 2), max_ms=round(max(flat, default=0), 2),
                  server_cpu_ms_per_call=round(record["server_cpu_s"] * 1000 / max(1, len(flat)), 3),
                  client_cpu_ms_per_call=round(record["client_cpu_s"] * 1000 / max(1, len(flat)), 3))
    return record


def components(folder: Path, database_url: str, key: str, secret: str, repeat: int) -> dict[str, float]:
    """Median microseconds of each part of the server's work on one DescribeLabelingJob: wall time,
    and this thread's CPU time (which leaves out PostgreSQL's own work, and is what counts on a
    busy machine, where a part's wall time waits for a core)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from crowdform.aws import json_protocol
    from crowdform.aws.sagemaker.service import LENIENT_PATTERNS, OPERATIONS, SageMakerService
    from crowdform.aws.service_model import operation_models
    from crowdform.aws.signature import HttpRequest, check_payload_hash, check_signature, read_signature
    from crowdform.aws.validation import validate
    from crowdform.engine.access_keys import AccessKeys
    from crowdform.engine.runtime import Runtime
    from crowdform.settings import Settings

    runtime = Runtime.open(Settings(data_dir=folder / "data", database_url=database_url, background=False,
                                    storage_roots=(folder,)))
    try:
        body = json.dumps({"LabelingJobName": JOB}).encode()
        signed = AWSRequest("POST", "http://127.0.0.1:8080/", data=body, headers={
            "X-Amz-Target": "SageMaker.DescribeLabelingJob", "Content-Type": "application/x-amz-json-1.1"})
        SigV4Auth(Credentials(key, secret), "sagemaker", "us-east-1").add_auth(signed)
        http = HttpRequest("POST", "/", "", [(k.lower(), v) for k, v in signed.headers.items()]
                           + [("host", "127.0.0.1:8080")])
        access_keys = AccessKeys(runtime)
        model = operation_models("sagemaker", OPERATIONS)["DescribeLabelingJob"]
        engine = SageMakerService(runtime).engine
        reply = engine.jobs.describe(JOB, epoch_times=True)

        def verify() -> None:
            signature = read_signature(http)
            check_signature(signature, http, "127.0.0.1:8080", secret, body=body)
            check_payload_hash(http, body)

        parts: dict[str, Callable[[], Any]] = {
            "signature_check": verify,
            "signer_lookup": lambda: access_keys.identify(key, None),
            "parse_and_validate": lambda: validate(model.input_shape, json_protocol.parse_body(body),
                                                   lenient_patterns=LENIENT_PATTERNS),
            "engine_describe": lambda: engine.jobs.describe(JOB, epoch_times=True),
            "encode_reply": lambda: json_protocol.result_response(reply, "id").body,
        }
        out = {}
        for name, part in parts.items():
            part()
            walls, cpus = [], []
            for _ in range(repeat):
                w0, c0 = time.perf_counter(), time.thread_time()
                part()
                cpus.append((time.thread_time() - c0) * 1e6)
                walls.append((time.perf_counter() - w0) * 1e6)
            out[f"{name}_us"] = round(statistics.median(walls), 1)
            out[f"{name}_cpu_us"] = round(statistics.median(cpus), 1)
        return out
    finally:
        runtime.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    bl.add_common_args(ap)
    ap.add_argument("--objects", type=int, default=10_000)
    ap.add_argument("--labeled", type=float, default=0.5, help="the share of the objects marked labeled")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--repeat", type=int, default=2_000, help="runs of each part in the breakdown")
    args = ap.parse_args()
    bl.exit_cleanly_on_sigterm()
    import httpx

    results: dict[str, Any] = {"machine": bl.machine(), "args": {k: str(v) for k, v in vars(args).items()}}
    with bl.workdir("sagemaker", args.workdir, args.keep) as folder, \
            bl.fresh_database(args.database_url, folder / "data") as database_url:
        results["database"] = bl.database_kind(database_url)
        bl.log(f"setting up a job of {args.objects:,} objects on {results['database']}")
        key, secret, token = set_up(folder, database_url, args.objects, args.labeled)
        server = bl.start_server(folder / "data", database_url, roots=(folder,),
                                 extra_env={"CROWDFORM_BACKGROUND": "false"})
        try:
            probe = client(server.url, key, secret).describe_labeling_job(LabelingJobName=JOB)
            assert probe["LabelCounters"]["TotalLabeled"] == int(args.objects * args.labeled)
            bl.log(f"DescribeLabelingJob, {args.clients} boto3 clients, {args.seconds:.0f} s")
            results["describe_boto3"] = hammer(
                lambda i: (lambda c: lambda: c.describe_labeling_job(LabelingJobName=JOB))(client(server.url, key, secret)),
                args.clients, args.seconds, args.warmup, server.pid, database_url)
            bl.log(f"the admin API's describe, {args.clients} httpx clients, {args.seconds:.0f} s")
            results["describe_admin_api"] = hammer(
                lambda i: (lambda h: lambda: h.get(f"/api/v1/jobs/{JOB}").raise_for_status())(
                    httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, trust_env=False)),
                args.clients, args.seconds, args.warmup, server.pid, database_url)
        finally:
            server.stop()
        bl.log("the parts of one request, in this process")
        results["parts"] = components(folder, database_url, key, secret, args.repeat)
    print(json.dumps({k: v for k, v in results.items() if k != "machine"}, indent=1))
    bl.save_results("sagemaker", results, args.out)


if __name__ == "__main__":
    main()
